// The everyday tree of the issue "Every drive as it is" backed up to a real drive of each kind,
// made, mounted and removed by the test (`MountedDrive`): the first copy keeps what the drive can
// hold and lists what it cannot store, the second run has nothing to do, and a modification, a
// deletion, a rename in case only, a copy back and `--status` all behave.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Every drive as it is: ext4, btrfs, xfs, exFAT, NTFS", .serialized)
struct DriveKindTests {
    /// What a kind keeps of the everyday tree.
    struct Expectation {
        var links = true, hardLinks = true, sparse = true, modes = true, attributes = true, acls = true
        var caseSensitive = true, windowsNames = false
    }

    static func expectation(_ kind: MountedDrive.Kind) -> Expectation {
        switch kind {
        case .exfat: Expectation(links: false, hardLinks: false, sparse: false, modes: false, attributes: false, acls: false,
                                 caseSensitive: false, windowsNames: true)
        case .ntfs: Expectation(modes: false, acls: false)
        default: Expectation()
        }
    }

    func statOf(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    func everydayTree(_ box: Sandbox) throws {
        try FaithfulCopyTests.everydayTree(box, owners: false)
        try box.write("work/docs/what?.txt", "question\n")
        try box.write("work/docs/time: 10.00.txt", "colon\n")
        try box.write("work/docs/Case.txt", "upper\n")
        try box.write("work/docs/case.txt", "lower\n")
        try box.write("work/docs/Report.txt", "report\n")
    }

    /// A config with WORK in the sandbox and two BACKUPs: one on the drive, one beside WORK.
    func configure(_ box: Sandbox, _ drive: MountedDrive) throws {
        try box.folder("work")
        try box.folder("b2")
        #expect(mkdir(drive.path("b"), 0o755) == 0)
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.path("b"))","b2"]}]}"#)
    }

    @Test("the everyday tree: first copy, second run, modification, deletion, case rename, copy back, status",
          arguments: [MountedDrive.Kind.ext4, .btrfs, .xfs, .exfat, .ntfs])
    func everydayTreeOnADrive(_ kind: MountedDrive.Kind) throws {
        let expected = Self.expectation(kind)
        try MountedDrive.with(kind) { drive in
            let box = try Sandbox()
            try configure(box, drive)
            try everydayTree(box)
            let to = ["--to", drive.path("b")]
            let b = { (name: String) in drive.path("b/docs/" + name) }

            // First copy: what the drive can hold arrives; what it cannot store is listed.
            let first = try box.run(["--config", "cfg.json", "--backup", "-m"] + to + ["work/docs"])
            let refused = first.listed("Cannot be copied to \(drive.path("b")) (\(kind == .exfat ? "exfat" : kind.rawValue))")
            if expected.windowsNames {
                #expect(first.status == 1, "\(first)")
                for name in ["docs/what?.txt", "docs/time: 10.00.txt", "docs/link", "docs/Case.txt", "docs/case.txt"] {
                    #expect(refused.contains { $0.hasPrefix(name + "  (") }, "\(name) listed as not storable: \(first)")
                    #expect(!first.listed("New").contains(name), "\(first)")
                }
            } else {
                #expect(first.status == 0 && refused.isEmpty, "\(first)")
            }
            // Every item is there with the same content, or was listed above.
            for name in ["notes.txt", "pair-a.txt", "pair-b.txt", "secret.txt", "Report.txt", "disc.img"] {
                #expect(FileManager.default.contentsEqual(atPath: box.path("work/docs/" + name), andPath: b(name)), "\(name) on \(kind): \(first)")
            }
            if !expected.windowsNames {
                for name in ["what?.txt", "time: 10.00.txt", "Case.txt", "case.txt"] {
                    #expect(FileManager.default.contentsEqual(atPath: box.path("work/docs/" + name), andPath: b(name)), "\(name) on \(kind)")
                }
            }
            #expect((statOf(b("link"))?.st_mode ?? 0) & S_IFMT == (expected.links ? S_IFLNK : 0), "link on \(kind)")
            if expected.hardLinks { #expect(statOf(b("pair-a.txt"))?.st_ino == statOf(b("pair-b.txt"))?.st_ino, "hard link on \(kind)") }
            if expected.sparse { #expect((statOf(b("disc.img"))?.st_blocks ?? .max) < 4096, "sparse on \(kind)") }
            if expected.modes { #expect((statOf(b("secret.txt"))?.st_mode ?? 0) & 0o777 == 0o600, "mode on \(kind)") }
            let attribute = try box.shell("getfattr --only-values -n user.note '\(b("notes.txt"))' 2>/dev/null").stdout
            #expect(attribute == (expected.attributes ? "hello" : ""), "xattr on \(kind)")
            let acl = try box.shell("getfacl -c --omit-header '\(b("notes.txt"))' 2>/dev/null | grep '^user:[^:]'").stdout
            #expect(acl.contains("user:4321:r--") == expected.acls, "ACL on \(kind): \(acl)")

            // The second run over the unchanged tree: nothing to do.
            let second = try box.run(["--config", "cfg.json", "--backup"] + to + ["work/docs"])
            #expect(second.stdout.contains("Nothing to do") || second.stdout.contains("Nothing else to do"), "second run on \(kind): \(second)")
            #expect(second.status == (expected.windowsNames ? 1 : 0), "\(second)")
            #expect(second.count("Modified") == nil && second.count("New") == nil, "\(second)")

            // A modified file: exactly it is listed, and replaced when accepted.
            try box.write("work/docs/notes.txt", "notes, longer now\n")
            let modified = try box.run(["--config", "cfg.json", "--backup"] + to + ["work/docs"], stdin: "m\n")
            #expect(modified.listed("Modified") == ["docs/notes.txt"], "\(kind): \(modified)")
            #expect(FileManager.default.contentsEqual(atPath: box.path("work/docs/notes.txt"), andPath: b("notes.txt")))

            // A rename in case only reaches the drive under its new name, with its content.
            #expect(rename(box.path("work/docs/Report.txt"), box.path("work/docs/report.txt")) == 0)
            let renamed = try box.run(["--config", "cfg.json", "--backup"] + to + ["work/docs"])
            let names = (try? FileManager.default.contentsOfDirectory(atPath: drive.path("b/docs"))) ?? []
            #expect(names.contains("report.txt"), "\(kind): \(names) \(renamed)")
            #expect(FileManager.default.contentsEqual(atPath: box.path("work/docs/report.txt"), andPath: b("report.txt")), "\(renamed)")
            if !expected.caseSensitive {
                #expect(!names.contains("Report.txt") && renamed.listed("Renamed in case only") == ["docs/Report.txt → docs/report.txt"], "\(renamed)")
            }

            // A deletion with -D, from the other BACKUP onto the drive.
            _ = try box.run(["--config", "cfg.json", "--backup", "-m", "--to", "b2", "work/docs"])
            #expect(unlink(box.path("b2/docs/pair-b.txt")) == 0)
            let deleted = try box.run(["--config", "cfg.json", "--transfer", "-D", "--from", "b2"] + to + ["b2/docs"])
            #expect(deleted.listed("Delete").contains("docs/pair-b.txt"), "\(kind): \(deleted)")
            #expect(statOf(b("pair-b.txt")) == nil && statOf(b("report.txt")) != nil, "\(deleted)")

            // Back to WORK: a lost file returns; unchanged files are not modified by the drive's modes.
            #expect(unlink(box.path("work/docs/secret.txt")) == 0)
            let back = try box.run(["--config", "cfg.json", "--work", "--from", drive.path("b"), "work/docs"], stdin: "n\n")
            #expect(back.listed("New") == ["docs/secret.txt"], "\(kind): \(back)")
            #expect(back.count("Modified") == nil, "\(kind): \(back)")
            #expect(box.read("work/docs/secret.txt") == "secret\n")
            #expect((statOf(box.path("work/docs/notes.txt"))?.st_mode ?? 0) & 0o777 == 0o644, "the drive's made-up modes stay on the drive")
            let restoredMode = (statOf(box.path("work/docs/secret.txt"))?.st_mode ?? 0) & 0o777
            #expect(expected.modes ? restoredMode == 0o600 : restoredMode & 0o111 == 0, "a file restored from a drive without modes is not made executable")

            // --status compares as the backup copies: in step but for what the drive cannot store.
            _ = try box.run(["--config", "cfg.json", "--backup", "-m"] + to + ["work/docs"])
            let status = try box.run(["--config", "cfg.json", "--status", "work/docs"])
            let section = status.stdout.components(separatedBy: "\n\n").first { $0.contains("→ " + drive.path("b")) } ?? ""
            if expected.windowsNames {
                #expect(section.contains("cannot be stored in the BACKUP") && section.contains("what?.txt"), "\(status)")
                #expect(!section.contains("modified ("), "\(status)")
            } else {
                #expect(section.contains("in step"), "\(kind): \(status)")
            }
        }
    }
}

@Suite("Honest counts", .serialized)
struct HonestCountTests {
    @Test("an item rsync could not write (the drive is full) is neither counted nor listed as copied")
    func aFailedItemIsNotCounted() throws {
        try MountedDrive.with(.tmpfs) { drive in
            let box = try Sandbox()
            try box.folder("work")
            #expect(mkdir(drive.path("b"), 0o755) == 0)
            try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.path("b"))"]}]}"#)
            try box.write("work/docs/a.txt", "a\n")
            try box.write("work/docs/b.txt", "b\n")
            #expect(try box.shell("head -c 20000000 /dev/urandom > work/docs/big.bin").status == 0)
            let first = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
            #expect(first.status == 1, "\(first)")
            #expect(!first.listed("New").contains("docs/big.bin"), "\(first)")
            #expect(first.listed("New").contains("docs/a.txt") && first.listed("New").contains("docs/b.txt"), "\(first)")
            #expect(first.stdout.contains("Incomplete (see above): 3 copied"), "docs/, a.txt and b.txt, not big.bin: \(first)")
        }
    }
}

@Suite("The root of a drive as a location", .serialized)
struct DriveRootTests {
    @Test("an exFAT drive's root folder, whose time is made up at each mount, stays in step after a remount")
    func exFATRootAfterRemount() throws {
        try MountedDrive.with(.exfat) { drive in
            let box = try Sandbox()
            try box.folder("work")
            try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.mountPoint)"]}]}"#)
            try box.write("work/a.txt", "a\n")
            let first = try box.run(["--config", "cfg.json", "--backup", "work"])
            #expect(first.status == 0, "\(first)")
            // Unplugged and plugged in again.
            try MountedDrive.check(["umount", drive.mountPoint])
            try MountedDrive.check(["mount.exfat-fuse", drive.loopDevice ?? "", drive.mountPoint])
            let again = try box.run(["--config", "cfg.json", "--backup", "work"])
            #expect(again.status == 0 && again.stdout.contains("Nothing to do"), "\(again)")
        }
    }

    @Test("a probe folder left by a killed run is never copied, listed or deleted")
    func probeFoldersAreReserved() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/a.txt", "a\n")
        try box.write("work/.micsync-probe.AbC123/x", "left behind\n")
        try box.write("b1/.micsync-probe.XyZ789/y", "left behind\n")
        let run = try box.run(["--config", "cfg.json", "--work", "-D", "--from", "b1", "work"])
        #expect(!run.stdout.contains(".micsync-probe"), "\(run)")
        #expect(box.exists("work/.micsync-probe.AbC123/x") && !box.exists("work/.micsync-probe.XyZ789"), "\(run)")
        let backup = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(!backup.stdout.contains(".micsync-probe") && !box.exists("b1/.micsync-probe.AbC123"), "\(backup)")
    }
}

@Suite("exFAT: what cannot be stored stays out, whatever the run", .serialized)
struct ExFATReviewTests {
    @Test("more than 2,000 new items (one run over the trees): every unstorable item stays out, and the copy still counts as completed")
    func bulkRunKeepsEveryUnstorableItemOut() throws {
        try MountedDrive.with(.exfat) { drive in
            let box = try Sandbox()
            try box.folder("work")
            #expect(mkdir(drive.path("b"), 0o755) == 0)
            try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.path("b"))"]}]}"#)
            #expect(try box.shell("mkdir -p work/big && cd work/big && seq 1 2100 | xargs touch").status == 0)
            try box.write("work/big/a?.txt", "q\n")
            try box.write("work/big/Case.txt", "UPPER\n")
            try box.write("work/big/case.txt", "lower\n")
            let run = try box.run(["--config", "cfg.json", "--backup", "work/big"])
            #expect(run.status == 1 && run.stdout.contains("Done: 2101 copied"), "the folder and its 2,100 files: \(run)")
            let names = Set((try? FileManager.default.contentsOfDirectory(atPath: drive.path("b/big"))) ?? [])
            #expect(names.count == 2100 && !names.contains("case.txt") && !names.contains("Case.txt"), "\(names.count) \(run)")
            let status = try box.run(["--config", "cfg.json", "--status"])
            #expect(status.stdout.contains("last completed copy"), "the copy is complete but for what the drive cannot store: \(status)")
        }
    }

    @Test("-D from an exFAT drive never deletes what the drive could not hold: a refused name, a link, names differing in case")
    func deletingFromADriveKeepsWhatItCannotHold() throws {
        try MountedDrive.with(.exfat) { drive in
            let box = try Sandbox()
            try box.folder("work")
            #expect(mkdir(drive.path("b"), 0o755) == 0)
            try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.path("b"))"]}]}"#)
            try box.write("work/d/a.txt", "a\n")
            try box.write("work/d/what?.txt", "q\n")
            try box.write("work/d/Case.txt", "UPPER\n")
            try box.write("work/d/case.txt", "lower\n")
            try box.link("work/d/lnk", to: "a.txt")
            try box.write("work/d/gone.txt", "gone\n")
            _ = try box.run(["--config", "cfg.json", "--backup", "work/d"])
            #expect(unlink(drive.path("b/d/gone.txt")) == 0)
            let back = try box.run(["--config", "cfg.json", "--work", "-D", "work/d"])
            #expect(back.listed("Delete") == ["d/gone.txt"], "\(back)")
            #expect(Set(back.listed("Not deleted: the source's drive cannot hold them").map { String($0.split(separator: " ")[0]) })
                == ["d/what?.txt", "d/Case.txt", "d/case.txt", "d/lnk"], "\(back)")
            for name in ["what?.txt", "Case.txt", "case.txt", "lnk", "a.txt"] { #expect(box.exists("work/d/" + name), "\(name): \(back)") }
            #expect(box.read("work/d/Case.txt") == "UPPER\n" && box.read("work/d/case.txt") == "lower\n")
        }
    }

    @Test("-D from an exFAT drive keeps the folders that hold what the drive could not hold, by micsync's deletions and by rsync's (-k)")
    func deletingFromADriveKeepsTheFoldersHoldingWhatItCannotHold() throws {
        try MountedDrive.with(.exfat) { drive in
            let box = try Sandbox()
            try box.folder("work")
            #expect(mkdir(drive.path("b"), 0o755) == 0)
            try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(drive.path("b"))"]}]}"#)
            try box.write("work/d/a.txt", "a\n")
            _ = try box.run(["--config", "cfg.json", "--backup", "work/d"])
            for options in [["-D"], ["-D", "-k"]] {
                try box.write("work/d/gone/x.txt", "x\n")
                try box.write("work/d/gone/what?.txt", "q\n")
                try box.write("work/d/gone/sub/y.txt", "y\n")
                try box.write("work/d/gone/sub/q?.txt", "q\n")
                // d/ gets an older time than the drive's: its attributes are set by a run too,
                // which must not list the kept folders the drive lacks.
                try box.setTime("work/d", older)
                let back = try box.run(["--config", "cfg.json", "--work"] + options + ["work/d"])
                #expect(Set(back.listed("Delete")) == ["d/gone/x.txt", "d/gone/sub/y.txt"], "\(options) \(back)")
                #expect(box.read("work/d/gone/what?.txt") == "q\n" && box.read("work/d/gone/sub/q?.txt") == "q\n", "\(options) \(back)")
                #expect(!box.exists("work/d/gone/x.txt") && !box.exists("work/d/gone/sub/y.txt"), "\(options) \(back)")
                #expect(back.status == 0, "\(options) \(back)")
            }
        }
    }
}

@Suite("Hard links and the trash")
struct HardLinkTrashTests {
    @Test("with -k, a file that a hard link would replace goes to the trash first")
    func relinkWithKeepTrashesTheOldFile() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/x/a", "one\n")
        try box.write("work/x/b", "two\n")
        _ = try box.run(["--config", "cfg.json", "--backup", "work/x"])
        try box.write("b1/x/b", "edited in the backup\n")
        #expect(try box.shell("rm work/x/b && ln work/x/a work/x/b").status == 0)
        let run = try box.run(["--config", "cfg.json", "--backup", "-k", "work/x"], stdin: "m\n")
        #expect(run.status == 0, "\(run)")
        #expect(box.read("b1/x/b") == "one\n", "\(run)")
        let trashed = try box.shell("cat b1/.micsync-trash/*/x/b").stdout
        #expect(trashed == "edited in the backup\n", "\(run)")
    }
}
