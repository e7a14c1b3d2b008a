import Foundation
import Testing
@testable import MicsyncKit

#if canImport(Glibc)
import Glibc
#endif

/// The quick comparison against real trees: a copy made by `rsync -aHAXS --numeric-ids` is
/// identical, and each kind of difference, made alone (the times of the folders around it put
/// back), is "don't know". Needs root (owners, devices), rsync, setfattr and setfacl (`make
/// drive-tools` installs them).
@Suite("the quick tree comparison")
struct TreeComparisonTests {
    /// Runs `script` with `folder` as the current folder; fails unless it exits 0.
    @discardableResult
    static func shell(_ script: String, in folder: TemporaryFolder) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "set -e\n" + script]
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure("\(script)\nexited \(process.terminationStatus): \(text)") }
        return text
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// WORK `w` with every kind of item the comparison reads (a file with an attribute and an
    /// ACL, a folder with a default ACL, a link, a pipe, a device, an empty file, a name that is
    /// not UTF-8), its folders' times set last; BACKUP `b` its copy by rsync.
    static func twoTrees(_ body: (TemporaryFolder) throws -> Void) throws {
        try withTemporaryFolder { folder in
            try shell("""
                mkdir -p w/docs/sub w/docs/empty-folder
                printf 'hello' > w/docs/a.txt
                printf 'other' > w/docs/b.txt
                : > w/docs/empty
                printf 'x' > "w/docs/caf$(printf '\\351')"
                printf 'deep' > w/docs/sub/deep.txt
                ln -s a.txt w/docs/link
                mkfifo w/docs/pipe
                mknod w/docs/null c 1 3
                setfattr -n user.note -v hi w/docs/a.txt
                setfacl -m u:4321:r w/docs/a.txt
                setfacl -d -m u:4321:rx w/docs/sub
                touch -d '2020-01-02 03:04:05' w/docs/sub w/docs/empty-folder w/docs w
                rsync -aHAXS --numeric-ids w/ b/
                """, in: folder)
            try body(folder)
        }
    }

    static func compare(_ folder: TemporaryFolder, deleting: Bool = false, byPath: Bool = false, foldersOnly: Bool = false) -> TreeComparison {
        let comparison = byPath ? LocalTreeComparison(attributesByFolder: false) : LocalTreeComparison()
        return comparison.compare(source: folder.at("w"), destination: folder.at("b"), deleting: deleting, foldersOnly: foldersOnly, interrupted: { false })
    }

    /// Makes one difference and expects "don't know"; the folders' times are put back after it
    /// (unless it `changesFolderTimes` itself), so only the difference itself can be seen. `rsyncSees`: rsync's own dry run lists it too.
    static func expectUnknown(after change: String, deleting: Bool = false, rsyncSees: Bool = true, changesFolderTimes: Bool = false,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        try twoTrees { folder in
            #expect(compare(folder, deleting: deleting) == .identical, "before the change", sourceLocation: sourceLocation)
            try shell(change + (changesFolderTimes ? "" : "\n" + putBackFolderTimes), in: folder)
            #expect(compare(folder, deleting: deleting) == .unknown, "after: \(change)", sourceLocation: sourceLocation)
            if rsyncSees {
                let listed = try dryRun(folder, deleting: deleting)
                #expect(!listed.isEmpty, "rsync lists it too", sourceLocation: sourceLocation)
            }
        }
    }

    static let putBackFolderTimes = "for side in w b; do touch -d '2020-01-02 03:04:05' $side/docs/sub $side/docs/empty-folder $side/docs $side; done"

    /// What rsync's preview of the whole location lists (micsync's flags and reserved rules).
    static func dryRun(_ folder: TemporaryFolder, deleting: Bool = false) throws -> String {
        try shell("rsync -aHAXS --numeric-ids --dry-run --force " + (deleting ? "--delete " : "")
                  + "'--out-format=%i %n%L' " + RsyncCommand.reservedRules.map { "'\($0)'" }.joined(separator: " ") + " w/ b/", in: folder)
    }

    @Test func aCopyByRsyncIsIdenticalAndRsyncAgrees() throws {
        try Self.twoTrees { folder in
            #expect(Self.compare(folder) == .identical)
            #expect(Self.compare(folder, deleting: true) == .identical)
            let listed = try Self.dryRun(folder, deleting: true)
            #expect(listed.isEmpty, "\(listed)")
        }
    }

    /// `--tree`: a file's change is none of its business, a folder's is, and so is a folder the
    /// destination lacks or holds as a file.
    @Test func foldersOnlyLooksAtFoldersAlone() throws {
        try Self.twoTrees { folder in
            try Self.shell("printf 'HELLO' > w/docs/a.txt && touch -d '2021-05-06 07:08:09' w/docs/a.txt && rm b/docs/b.txt\n" + Self.putBackFolderTimes, in: folder)
            #expect(Self.compare(folder) == .unknown)
            #expect(Self.compare(folder, foldersOnly: true) == .identical)
            try Self.shell("chmod 700 w/docs/sub\n" + Self.putBackFolderTimes, in: folder)
            #expect(Self.compare(folder, foldersOnly: true) == .unknown, "a folder's mode")
        }
        try Self.twoTrees { folder in
            try Self.shell("mkdir w/docs/new-folder\n" + Self.putBackFolderTimes, in: folder)
            #expect(Self.compare(folder, foldersOnly: true) == .unknown, "a folder the destination lacks")
        }
        try Self.twoTrees { folder in
            try Self.shell("rmdir b/docs/empty-folder && touch b/docs/empty-folder\n" + Self.putBackFolderTimes, in: folder)
            #expect(Self.compare(folder, foldersOnly: true) == .unknown, "a file where the source has a folder")
        }
    }

    /// Ctrl-C: the comparison stops and does not claim "identical" (the preview then goes to
    /// rsync, whose run the interrupt stops at once).
    @Test func anInterruptedComparisonDoesNotKnow() throws {
        try Self.twoTrees { folder in
            let comparison = LocalTreeComparison()
            #expect(comparison.compare(source: folder.at("w"), destination: folder.at("b"), deleting: false, foldersOnly: false, interrupted: { true }) == .unknown)
            #expect(Self.compare(folder) == .identical)
        }
    }

    @Test func aChangedFileWithAnotherTimeIsADifference() throws {
        try Self.expectUnknown(after: "printf 'HELLO' > w/docs/a.txt && touch -d '2021-05-06 07:08:09' w/docs/a.txt")
    }

    /// rsync compares whole seconds (its --modify-window is 0): nor does the comparison look further.
    @Test func timesDifferingOnlyInNanosecondsAreTheSameAsForRsync() throws {
        try Self.twoTrees { folder in
            try Self.shell("touch -d '2020-01-02 03:04:05.25' w/docs/b.txt && touch -d '2020-01-02 03:04:05.75' b/docs/b.txt", in: folder)
            let listed = try Self.dryRun(folder, deleting: true)
            #expect(listed.isEmpty, "\(listed)")
            #expect(Self.compare(folder, deleting: true) == .identical)
        }
    }

    @Test func aSizeIsCompared() throws {
        try Self.expectUnknown(after: "printf 'hello!' > w/docs/b.txt && touch -r b/docs/b.txt w/docs/b.txt")
    }

    @Test func aModeBitIsCompared() throws {
        try Self.expectUnknown(after: "chmod g+w w/docs/b.txt")
    }

    @Test func theOwnerAndTheGroupAreCompared() throws {
        try Self.expectUnknown(after: "chown 1234 w/docs/b.txt")
        try Self.expectUnknown(after: "chgrp 2345 b/docs/b.txt")
    }

    @Test func aLinksTargetIsCompared() throws {
        try Self.expectUnknown(after: "ln -sfn b.txt w/docs/link && touch -h -r b/docs/link w/docs/link")
    }

    @Test func aDevicesNumberIsCompared() throws {
        try Self.expectUnknown(after: "rm w/docs/null && mknod w/docs/null c 1 5 && touch -r b/docs/null w/docs/null")
    }

    @Test func aFoldersTimeIsCompared() throws {
        try Self.expectUnknown(after: "touch -d '2021-05-06 07:08:09' w/docs/sub", changesFolderTimes: true)
    }

    @Test func theLocationFoldersTimeIsCompared() throws {
        try Self.expectUnknown(after: "touch -d '2021-05-06 07:08:09' b", changesFolderTimes: true)
    }

    @Test func anAttributesValueIsCompared() throws {
        try Self.expectUnknown(after: "setfattr -n user.note -v ho w/docs/a.txt")
    }

    /// Kernels before 6.13 have no listxattrat: the attributes are read by path instead.
    @Test func byPathTheAttributesAreComparedAlike() throws {
        try Self.twoTrees { folder in
            #expect(Self.compare(folder, byPath: true) == .identical)
            try Self.shell("setfattr -n user.note -v ho w/docs/a.txt", in: folder)
            #expect(Self.compare(folder, byPath: true) == .unknown)
        }
        try Self.twoTrees { folder in
            try Self.shell("setfacl -d -m u:4322:rx b/docs/sub", in: folder)
            #expect(Self.compare(folder, byPath: true) == .unknown)
        }
    }

    @Test func anAttributeAddedOnEitherSideIsADifference() throws {
        try Self.expectUnknown(after: "setfattr -n user.more -v 1 w/docs/b.txt")
        try Self.expectUnknown(after: "setfattr -n user.more -v 1 b/docs/sub")
    }

    /// One named user for another: the mode (and so the ACL mask) stays the same.
    @Test func anACLIsCompared() throws {
        try Self.expectUnknown(after: "setfacl -x u:4321 w/docs/a.txt && setfacl -m u:4322:r w/docs/a.txt && test \"$(stat -c %a w/docs/a.txt)\" = \"$(stat -c %a b/docs/a.txt)\"")
        try Self.expectUnknown(after: "setfacl -d -m u:4322:rx w/docs/sub")
    }

    @Test func aNameTheDestinationLacksIsADifference() throws {
        try Self.expectUnknown(after: "printf 'new' > w/docs/sub/new.txt")
    }

    @Test func aNameOnlyTheDestinationHasIsADifferenceOnlyWhenDeleting() throws {
        try Self.expectUnknown(after: "printf 'extra' > b/docs/extra.txt", deleting: true)
        try Self.twoTrees { folder in
            // Not even looked into: an unreadable folder of its own changes nothing.
            try Self.shell("printf 'extra' > b/docs/extra.txt && mkdir -p b/docs/own/inside && chmod 000 b/docs/own\n" + Self.putBackFolderTimes, in: folder)
            #expect(Self.compare(folder) == .identical)
            let listed = try Self.dryRun(folder)
            #expect(listed.isEmpty, "rsync without --delete lists nothing either: \(listed)")
            #expect(Self.compare(folder, deleting: true) == .unknown)
        }
    }

    /// A hard link is rsync's -H's business: one to a file outside the tree changes nothing else.
    @Test func aHardLinkOnEitherSideIsADifference() throws {
        try Self.expectUnknown(after: "ln w/docs/b.txt outside", rsyncSees: false)
        try Self.expectUnknown(after: "ln b/docs/b.txt outside", rsyncSees: false)
    }

    @Test func aPipeInPlaceOfAFileIsADifference() throws {
        try Self.expectUnknown(after: "rm b/docs/empty && mkfifo -m 644 b/docs/empty && touch -r w/docs/empty b/docs/empty")
    }

    @Test func namesAreComparedAsBytes() throws {
        try Self.expectUnknown(after: "mv \"w/docs/caf$(printf '\\351')\" \"w/docs/caf$(printf '\\350')\"")
    }

    @Test func aFileSwappedForAFolderIsADifference() throws {
        try Self.expectUnknown(after: "rm w/docs/b.txt && mkdir w/docs/b.txt && touch -r b/docs/b.txt w/docs/b.txt")
    }

    @Test func reservedNamesAreSkippedAsRsyncsRulesSkipThem() throws {
        try Self.twoTrees { folder in
            try Self.shell("""
                for side in w b; do
                  printf "$side" > $side/.micsync-location && mkdir -p $side/.micsync-trash/x && printf "$side" > $side/.micsync-trash/x/f
                  mkdir $side/.micsync-probe.$side && printf "$side" > $side/docs/.micsync-rename-$side
                done
                """ + "\n" + Self.putBackFolderTimes, in: folder)
            let listed = try Self.dryRun(folder, deleting: true)
            #expect(listed.isEmpty, "\(listed)")
            #expect(Self.compare(folder, deleting: true) == .identical)
        }
        // The trash's rule is for a folder only, and the marker's for the top only.
        try Self.expectUnknown(after: "printf 't' > b/.micsync-trash", deleting: true)
        try Self.expectUnknown(after: "printf 'm' > w/docs/.micsync-location")
    }

    @Test func anUnreadableFolderIsUnknown() throws {
        try Self.twoTrees { folder in
            #expect(Self.compareAsAnotherUser(folder) == .identical, "readable to that user before")
            // Both sides alike, so that the modes still match.
            try Self.shell("chmod 000 w/docs/sub b/docs/sub", in: folder)
            #expect(Self.compareAsAnotherUser(folder) == .unknown)
        }
    }

    /// The comparison by a user who is not root (as root, a folder of mode 000 is readable):
    /// setfsuid is per thread, and the comparison's own thread inherits it.
    static func compareAsAnotherUser(_ folder: TemporaryFolder) -> TreeComparison? {
        let answer = Locked<TreeComparison?>(nil)
        WorkerThread.start {
            if geteuid() == 0 { _ = setFileSystemUser(65_534) }
            answer.withLock { $0 = compare(folder) }
        }.join()
        return answer.withLock { $0 }
    }

    /// setfsuid, which Swift's Glibc module leaves out.
    static func setFileSystemUser(_ user: UInt32) -> Int32 {
        typealias Call = @convention(c) (UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setfsuid") else { return -1 }
        return unsafeBitCast(symbol, to: Call.self)(user)
    }

    @Test func reservedNameRulesMatchRsyncsExclusions() {
        func match(_ name: String, top: Bool = true) -> RsyncCommand.ReservedMatch { RsyncCommand.reservedMatch(Array(name.utf8), atTop: top) }
        #expect(match(".micsync-location") == .always && match(".micsync-location", top: false) == .none)
        #expect(match(".micsync-trash") == .whenFolder && match(".micsync-trash", top: false) == .none)
        #expect(match(".micsync-probe.abc123") == .always && match(".micsync-probe") == .none)
        #expect(match(".micsync-rename-x", top: false) == .always && match(".micsync-rename-") == .always)
        #expect(match(".micsync-locationx") == .none && match("docs") == .none)
    }
}
