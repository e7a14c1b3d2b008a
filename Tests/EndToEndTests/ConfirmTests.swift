// Section 5: preview, confirmation, apply — overwrites, deletions, nothing to do.

import Foundation
import Testing

@Suite("5 · confirm overwrites and deletions")
struct ConfirmTests {
    /// work/docs and b1/docs differ: a.txt modified (source newer), n.txt new in work,
    /// same.txt equal on both sides. Only b1 is a BACKUP.
    func modifiedPair(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n", mtime: old)
        try box.write("work/docs/same.txt", "same\n", mtime: old)
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        try box.write("b1/docs/same.txt", "same\n", mtime: old)
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
    }

    @Test("declined overwrite leaves the destination file untouched; new files are still copied")
    func declinedOverwrite() throws {
        let box = try Sandbox()
        try modifiedPair(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["docs/a.txt"], "\(r)")
        #expect(r.listed("New") == ["docs/n.txt"], "\(r)")
        #expect(r.stdout.contains("Overwrite these 1 files in \(box.path("b1"))?"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "old\n" && box.mtime("b1/docs/a.txt") == older, "\(r)")
        #expect(box.read("b1/docs/n.txt") == "brand new\n", "\(r)")
        #expect(r.stdout.contains("Done:"), "\(r)")
    }

    @Test("accepted overwrite replaces the destination file")
    func acceptedOverwrite() throws {
        let box = try Sandbox()
        try modifiedPair(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        #expect(box.mtime("b1/docs/a.txt") == old)
        #expect(r.lines.contains { $0.hasPrefix("Done:") && $0.contains("1 overwritten") }, "\(r)")
    }

    @Test("the `newer` mark shows when the destination copy is newer, and only then")
    func newerMark() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/dst-later.txt", "source\n", mtime: older)
        try box.write("b1/docs/dst-later.txt", "destination!\n", mtime: old)
        try box.write("work/docs/src-later.txt", "source\n", mtime: old)
        try box.write("b1/docs/src-later.txt", "destination!\n", mtime: older)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        let modified = r.listed("Modified")
        #expect(modified.count == 2, "\(r)")
        #expect(modified.contains { $0.hasPrefix("docs/dst-later.txt") && $0.contains("newer") }, "\(r)")
        #expect(modified.contains { $0.hasPrefix("docs/src-later.txt") && !$0.contains("newer") }, "\(r)")
        #expect(box.read("b1/docs/dst-later.txt") == "destination!\n")
    }

    /// work/docs (the destination of --work) has extra items that b1/docs lacks.
    func extraInDestination(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "keep\n", mtime: old)
        try box.write("work/docs/keep.txt", "keep\n", mtime: old)
        try box.write("work/docs/gone.txt", "extra\n")
        try box.write("work/docs/gonedir/inner.txt", "extra inner\n")
        try box.write("work/sibling.txt", "outside the PATH\n")
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
    }

    @Test("-d lists deletions and asks; declined deletes nothing")
    func deleteDeclined() throws {
        let box = try Sandbox()
        try extraInDestination(box)
        let before = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        let listed = r.listed("Delete")
        #expect(listed.contains("docs/gone.txt") && listed.contains { $0.hasPrefix("docs/gonedir") }, "\(r)")
        #expect(r.stdout.contains("Delete these \(r.count("Delete") ?? -1) items in \(box.path("work"))?"), "\(r)")
        expectTree(box.snapshot("work"), before, "\(r)")
    }

    @Test("-d accepted deletes exactly the listed items")
    func deleteAccepted() throws {
        let box = try Sandbox()
        try extraInDestination(box)
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/keep.txt": .file("keep\n"), "sibling.txt": .file("outside the PATH\n"),
        ], "\(r)")
        #expect(r.lines.contains { $0.hasPrefix("Done:") && !$0.contains(" 0 deleted") }, "\(r)")
    }

    @Test("-D deletes without asking")
    func deleteWithoutAsking() throws {
        let box = try Sandbox()
        try extraInDestination(box)
        let r = try box.run(["--config", "cfg.json", "--work", "-D", "b1/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("[Delete/No]"), "\(r)")
        #expect(r.lines.contains { $0.hasPrefix("Done:") && !$0.contains(" 0 deleted") }, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/keep.txt": .file("keep\n"), "sibling.txt": .file("outside the PATH\n"),
        ], "\(r)")
    }

    @Test("without -d nothing is deleted and nothing is asked about deletions")
    func noDeleteByDefault() throws {
        let box = try Sandbox()
        try extraInDestination(box)
        let before = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--work", "b1/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(r.count("Delete") == nil, "\(r)")
        expectTree(box.snapshot("work"), before, "\(r)")
    }

    @Test("-m overwrites without asking")
    func overwriteWithoutAsking() throws {
        let box = try Sandbox()
        try modifiedPair(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("[Modify/No]"), "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("folder-only attribute updates are listed and need no answer")
    func folderAttributesNeedNoAnswer() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/sub/f.txt", "f\n", mtime: old)
        try box.write("b1/docs/sub/f.txt", "f\n", mtime: old)
        try box.folder("work/docs/sub", mode: 0o750, mtime: old)
        try box.folder("b1/docs/sub", mode: 0o755, mtime: older)
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Folder attributes") == ["docs/sub/"], "\(r)")
        #expect(r.count("Modified") == nil, "\(r)")
        #expect(box.mode("b1/docs/sub") == 0o750 && box.mtime("b1/docs/sub") == old, "\(r)")
    }

    @Test("nothing to do: one line, exit 0, nothing runs")
    func nothingToDo() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n", mtime: old)
        try box.write("b1/docs/a.txt", "a\n", mtime: old)
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.filter { $0.hasPrefix("Nothing to do") }.count == 1, "\(r)")
        #expect(!r.stdout.contains("Done:") && !r.stdout.contains("Run this command?"), "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
    }
}
