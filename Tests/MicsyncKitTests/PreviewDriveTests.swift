import Testing
@testable import MicsyncKit

/// The preview on a destination that cannot store everything: what it cannot store is listed
/// with the reason and kept out; names differing only in case; case-only renames; FAT's hour.
@Suite("PreviewBuilder on other drives")
struct PreviewDriveTests {
    static let source = Location(role: .work, path: "/src")
    static let destination = Location(role: .backup, path: "/dst")

    func preview(_ lines: [String], on capabilities: FileSystemCapabilities, deleting: Bool = false,
                 fileSystem: FakeFileSystem = FakeFileSystem(["/dst": .directory]), fidelity: CopyFidelity = CopyFidelity()) -> Preview {
        var command = RsyncCommand(spec: TransferSpec(action: .backup, configName: "Docs", source: Self.source, destination: Self.destination,
                                                      parent: "", names: []), existingPrefix: "")
        command.fidelity = fidelity
        command.itemizesEverything = !capabilities.caseSensitive
        var builder = PreviewBuilder(command: command, fileSystem: fileSystem, destination: capabilities, deleting: deleting)
        for line in lines { builder.add(line) }
        return builder.finish()
    }

    @Test func whatExFATCannotStoreIsListedWithItsReasonAndNotAsNew() {
        let result = preview([".d          4096 ./", ">f+++++++++ 3 what?.txt", ">f+++++++++ 3 time: 10.00.txt", "cL+++++++++ 1 link",
                              ">f+++++++++ 3 fine.txt", "cd+++++++++ 4096 bad|dir/", ">f+++++++++ 3 bad|dir/inner.txt"],
                             on: .ofType("exfat"))
        #expect(result.new.map(\.path) == ["fine.txt"])
        #expect(result.unstorable.map(\.path) == ["what?.txt", "time: 10.00.txt", "link", "bad|dir"])
        #expect(result.unstorable[2].refusal == "a symbolic link, and the drive has none")
        #expect(result.unstorable[3].contained == ["bad|dir/inner.txt"])
        #expect(result.folderUpdates.isEmpty, "an unchanged line (-ii) is no change")
    }

    @Test func namesDifferingOnlyInCaseAreBothUnstorableAndNeitherReplacesTheOther() {
        // The destination holds case.txt already: rsync compares Case.txt with it (-ii shows both).
        let result = preview([".f          3 case.txt", ">f.st...... 3 Case.txt", ">f+++++++++ 3 other.txt"], on: .ofType("exfat"),
                             fileSystem: FakeFileSystem(["/dst": .directory, "/dst/case.txt": .regularFile]))
        #expect(Set(result.unstorable.map(\.path)) == ["Case.txt", "case.txt"])
        #expect(result.unstorable.allSatisfy { $0.refusal?.contains("only in case") == true })
        #expect(result.modified.isEmpty)
        #expect(result.new.map(\.path) == ["other.txt"])
    }

    @Test func aNameRenamedInCaseOnlyIsRenamedNeverDeleted() {
        // Report.txt became report.txt in WORK; the drive finds Report.txt under either name.
        let lines = [".f          3 report.txt", "*deleting   0 Report.txt", ".d          4096 Sub/", ".f          1 Sub/x", ">f+++++++++ 1 Sub/new",
                     "*deleting   0 sub/", "*deleting   0 sub/x", "*deleting   0 sub/gone"]
        let kept = preview(lines, on: .ofType("exfat"), deleting: false)
        #expect(kept.deletions.isEmpty)
        #expect(kept.caseRenames.map(\.renamedFrom) == ["Report.txt", "sub"])
        #expect(kept.caseRenames.map(\.path) == ["report.txt", "Sub"])
        let deleting = preview(lines, on: .ofType("exfat"), deleting: true)
        #expect(deleting.deletions.map(\.path) == ["Sub/gone"], "only what the source lacks under any case, by its new name")
        #expect(!deleting.isEmpty)
    }

    @Test func aFileShiftedByExactlyTheDaylightSavingHourIsNotModifiedOnFAT() {
        var fidelity = CopyFidelity()
        fidelity.ignoresTimeShift = true
        fidelity.modifyWindow = 1
        let fileSystem = FakeFileSystem(["/dst": .directory, "/dst/a": .regularFile, "/dst/b": .regularFile, "/src/a": .regularFile, "/src/b": .regularFile],
                                        times: ["/src/a": 1_000_000, "/dst/a": 1_003_600, "/src/b": 1_000_000, "/dst/b": 1_000_500])
        let result = preview([">f..t...... 3 a", ">f..t...... 3 b"], on: .ofType("vfat"), fileSystem: fileSystem, fidelity: fidelity)
        #expect(result.modified.map(\.path) == ["b"])
        #expect(result.modified.first?.destinationIsNewer == true)
    }

    @Test func onADriveThatKeepsEverythingNothingChanges() {
        let result = preview([">f+++++++++ 3 what?.txt", "cL+++++++++ 1 link"], on: .everything(type: "ext4", learnedBy: .trying))
        #expect(result.new.map(\.path) == ["what?.txt", "link"])
        #expect(result.unstorable.isEmpty)
    }
}

@Suite("PreviewBuilder on other drives: review findings")
struct PreviewDriveReviewTests {
    func preview(_ lines: [String], deleting: Bool) -> Preview {
        var command = RsyncCommand(spec: TransferSpec(action: .backup, configName: "Docs", source: Location(role: .work, path: "/src"),
                                                      destination: Location(role: .backup, path: "/dst"), parent: "", names: []), existingPrefix: "")
        command.itemizesEverything = true
        var builder = PreviewBuilder(command: command, fileSystem: FakeFileSystem(["/dst": .directory]), destination: .ofType("exfat"), deleting: deleting)
        for line in lines { builder.add(line) }
        return builder.finish()
    }

    @Test func newItemsInsideFoldersThatClashInCaseAreCountedWithThem() {
        let result = preview([".d          4096 Sub/", ".d          4096 sub/", ">f+++++++++ 3 sub/brandnew.txt"], deleting: false)
        #expect(result.unstorable.map(\.displayPath) == ["Sub/", "sub/"])
        #expect(result.unstorable[1].contained == ["sub/brandnew.txt"])
        #expect(result.new.isEmpty)
    }

    @Test func aFolderRenamedInCaseIsRenamedOnceAndItsDeletionsListedOnce() {
        // rsync lists a case-renamed folder's contents under both of its names.
        let lines = [".d          4096 p/", ".d          4096 p/inner/", ".f          1 p/inner/y.txt",
                     "*deleting   0 P/", "*deleting   0 P/Inner/", "*deleting   0 P/Inner/x.txt", "*deleting   0 P/Inner/Y.txt",
                     "*deleting   0 p/Inner/", "*deleting   0 p/Inner/x.txt", "*deleting   0 p/Inner/Y.txt"]
        let result = preview(lines, deleting: true)
        #expect(result.caseRenames.map(\.path) == ["p", "p/inner", "p/inner/y.txt"])
        #expect(result.deletions.map(\.path) == ["p/inner/x.txt"])
    }

    @Test func windowsReservedNamesAreRefusedWhereTheDriveRefusesThem() {
        var ntfs = FileSystemCapabilities.ofType("fuseblk", mountOptions: ["windows_names"])
        #expect(StorageRules(ntfs).refusal(name: "CON", type: "f", length: 1) != nil)
        #expect(StorageRules(ntfs).refusal(name: "aux.txt", type: "f", length: 1) != nil)
        #expect(StorageRules(ntfs).refusal(name: "trail.", type: "f", length: 1) != nil)
        #expect(StorageRules(ntfs).refusal(name: "console.txt", type: "f", length: 1) == nil)
        ntfs.windowsReservedNames = false
        #expect(StorageRules(ntfs).refusal(name: "CON", type: "f", length: 1) == nil)
    }
}
