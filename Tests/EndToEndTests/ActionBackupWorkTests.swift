// Section 4: the action table — --backup and --work.

import Foundation
import Testing

@Suite("4 · --backup and --work")
struct ActionBackupWorkTests {
    /// A WORK tree `work/docs` with a file, a subfolder and a link.
    func makeDocs(_ box: Sandbox) throws {
        try box.write("work/docs/a.txt", "alpha\n", mtime: old)
        try box.write("work/docs/sub/b.txt", "beta\n", mtime: old)
        try box.link("work/docs/sub/to-a", to: "../a.txt")
    }

    @Test("--backup copies the WORK to every accessible BACKUP")
    func backupCopiesToEveryBackup() throws {
        let box = try Sandbox()
        try box.standard()
        try makeDocs(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "b1 after --backup\n\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "b2 after --backup\n\(r)")
        #expect(box.snapshot("b1")["docs/sub/to-a"] == .link("../a.txt"))
        #expect(r.listed("New").contains("docs/a.txt"), "\(r)")
        #expect(r.stdout.contains(box.path("b1")) && r.stdout.contains(box.path("b2")), "\(r)")
        #expect(r.lines.filter { $0.hasPrefix("Done:") }.count == 2, "\(r)")
        #expect(box.mtime("b1/docs/a.txt") == old)
    }

    @Test("--backup with PATHs named in a BACKUP still copies from the WORK")
    func backupFromBackupPathCopiesFromWork() throws {
        let box = try Sandbox()
        try box.standard()
        try makeDocs(box)
        try box.write("b1/docs/stale.txt", "only in b1\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "b1/docs"])
        #expect(r.status == 0, "\(r)")
        var expected = box.snapshot("work")
        expectTree(box.snapshot("b2"), expected, "b2\n\(r)")
        expected["docs/stale.txt"] = .file("only in b1\n")  // --backup never deletes
        expectTree(box.snapshot("b1"), expected, "b1\n\(r)")
        expectTree(box.snapshot("work"), box.snapshot("work"))
        #expect(r.stdout.contains("\(box.path("work")) → \(box.path("b1"))"), "\(r)")
    }

    @Test("--backup with PATHs in a BACKUP and several WORKs asks which WORK to copy from")
    func backupFromBackupChoosesAmongWorks() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["w1","w2"],"backup":["b1"]}]}"#)
        try box.write("w1/docs/a.txt", "from w1\n")
        try box.write("w2/docs/a.txt", "from w2!\n")
        try box.folder("b1/docs")
        let r = try box.run(["--config", "cfg.json", "--backup", "b1/docs"], stdin: "1\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("[0] \(box.path("w1"))") && r.stdout.contains("[1] \(box.path("w2"))"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "from w2!\n", "\(r)")
    }

    @Test("--backup --to narrows the destinations to the ones given")
    func backupToNarrows() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2", "b3"])
        try makeDocs(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "--to", "b2", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b3").isEmpty, "\(r)")
    }

    @Test("--backup --from another WORK copies from the WORK given")
    func backupFromOtherWork() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["w1","w2"],"backup":["b1"]}]}"#)
        try box.write("w1/docs/a.txt", "from w1\n")
        try box.write("w2/docs/a.txt", "from w2!\n")
        try box.folder("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "--from", "w2", "w1/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "from w2!\n", "\(r)")
    }

    @Test("--work copies BACKUP → WORK when the PATHs are in a BACKUP")
    func workFromBackupOrigin() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("b2/docs/a.txt", "from b2\n", mtime: old)
        try box.write("b2/docs/deep/c.txt", "c\n", mtime: old)
        try box.write("b1/docs/a.txt", "from b1 (not this)\n")
        let b1 = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--work", "b2/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), box.snapshot("b2"), "\(r)")
        expectTree(box.snapshot("b1"), b1, "b1 must not change")
        #expect(r.stdout.contains("\(box.path("b2")) → \(box.path("work"))"), "\(r)")
    }

    @Test("--work with the PATHs in the WORK asks which BACKUP to copy from")
    func workFromWorkOriginChoice() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("work/docs/a.txt", "old\n", mtime: older)
        try box.write("b1/docs/a.txt", "b1 version\n", mtime: old)
        try box.write("b2/docs/a.txt", "b2 version!\n", mtime: old)
        try box.write("b2/docs/n.txt", "new in b2\n")
        let r = try box.run(["--config", "cfg.json", "--work", "work/docs"], stdin: "1\nm\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("[0] \(box.path("b1"))") && r.stdout.contains("[1] \(box.path("b2"))"), "\(r)")
        #expect(box.read("work/docs/a.txt") == "b2 version!\n", "\(r)")
        #expect(box.read("work/docs/n.txt") == "new in b2\n", "\(r)")
    }

    @Test("--work --from picks the BACKUP without a question")
    func workFromWorkOriginWithFrom() throws {
        let box = try Sandbox()
        try box.standard()
        try box.folder("work/docs")
        try box.write("b1/docs/a.txt", "b1 version\n")
        try box.write("b2/docs/a.txt", "b2 version!\n")
        let r = try box.run(["--config", "cfg.json", "--work", "--from", "b1", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("[1]"), "no choice expected\n\(r)")
        #expect(box.read("work/docs/a.txt") == "b1 version\n", "\(r)")
    }

    @Test("copies preserve what rsync -a preserves: links, permissions, times, special files")
    func preservesAttributes() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/x.sh", "#!/bin/sh\n", mtime: older, mode: 0o751)
        try box.link("work/docs/dangling", to: "../nowhere/at all")
        #expect(mkfifo(box.path("work/docs/fifo"), 0o640) == 0)
        try box.folder("work/docs/sub", mode: 0o711, mtime: old)
        try box.setTime("work/docs", old)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        #expect(box.snapshot("b1")["docs/fifo"] == .other, "\(r)")
        for item in ["docs/x.sh", "docs/sub", "docs", "docs/fifo"] {
            #expect(box.mode("b1/" + item) == box.mode("work/" + item), "\(item)")
            #expect(box.mtime("b1/" + item) == box.mtime("work/" + item), "\(item)")
        }
    }

    @Test("an inaccessible BACKUP is skipped with a notice and never created")
    func inaccessibleSkipped() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"], create: false)
        try box.folder("b1")
        try makeDocs(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        #expect(!box.exists("b2"), "an inaccessible location must never be created")
        #expect(r.stderr.contains("micsync:") && r.stderr.contains(box.path("b2")), "\(r)")
        #expect(r.stderr.split(separator: "\n").filter { $0.contains(box.path("b2")) }.count == 1, "\(r)")
    }

    @Test("a BACKUP that is a file, not a folder, is not accessible")
    func fileLocationNotAccessible() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"], create: false)
        try box.folder("b1")
        try box.write("b2", "I am a file\n")
        try makeDocs(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2") == "I am a file\n")
        #expect(r.stderr.contains(box.path("b2")), "\(r)")
    }

    @Test("no accessible destination: exit 1")
    func noAccessibleDestination() throws {
        let box = try Sandbox()
        try box.standard(create: false)
        try makeDocs(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("micsync:"), "\(r)")
        #expect(!box.exists("b1") && !box.exists("b2"))
    }

    @Test("no accessible source: exit 1")
    func noAccessibleSource() throws {
        let box = try Sandbox()
        try box.standard(create: false)
        try makeDocs(box)
        let before = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--work", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("micsync:"), "\(r)")
        expectTree(box.snapshot("work"), before)
    }

    @Test("missing parent folders inside a destination are created with the source's attributes")
    func missingParentsCreated() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("work/docs/deep/er/file.txt", "x\n", mtime: old)
        try box.folder("work/docs/deep/er", mode: 0o750, mtime: older)
        try box.folder("work/docs/deep", mode: 0o705, mtime: older + 5)
        try box.folder("work/docs", mode: 0o755, mtime: older + 9)
        try box.folder("b2/docs", mode: 0o700, mtime: older + 77)  // exists: keeps its own
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/deep/er/file.txt"])
        #expect(r.status == 0, "\(r)")
        for b in ["b1", "b2"] {
            #expect(box.read("\(b)/docs/deep/er/file.txt") == "x\n", "\(b)\n\(r)")
            #expect(box.mode("\(b)/docs/deep/er") == 0o750, "\(b)")
            #expect(box.mode("\(b)/docs/deep") == 0o705, "\(b)")
            #expect(box.mtime("\(b)/docs/deep/er") == older, "\(b)")
            #expect(box.mtime("\(b)/docs/deep") == older + 5, "\(b)")
        }
        #expect(box.mode("b1/docs") == 0o755 && box.mtime("b1/docs") == older + 9)
        #expect(box.mode("b2/docs") == 0o700, "an existing parent keeps its own mode")
        #expect(box.mtime("b2/docs") != older + 9, "an existing parent must not get the source's time")
    }

    @Test("a file whose one parent folder is missing in the destination is copied")
    func oneMissingParent() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        try box.write("work/docs/b.txt", "not copied\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/a.txt"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), ["docs/": .folder, "docs/a.txt": .file("a\n")], "\(r)")
    }

    @Test("a PATH missing from the chosen source is reported, the rest copied, exit 1")
    func missingInSourceReported() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("work/docs/here.txt", "old\n", mtime: older)
        try box.write("work/docs/only-in-work.txt", "mine\n")
        try box.write("b1/docs/here.txt", "from b1\n", mtime: old)
        let r = try box.run(["--config", "cfg.json", "--work", "-m", "--from", "b1",
                             "work/docs/here.txt", "work/docs/only-in-work.txt"])
        #expect(r.status == 1, "\(r)")
        #expect(box.read("work/docs/here.txt") == "from b1\n", "\(r)")
        #expect(box.read("work/docs/only-in-work.txt") == "mine\n", "\(r)")
        #expect((r.stdout + r.stderr).contains("only-in-work.txt"), "\(r)")
    }
}
