// Section 5: type changes as modifications, and the -s, -v, -n options.

import Foundation
import Testing

@Suite("5 · type changes, -s, -v, -n")
struct TypeChangeAndOptionTests {
    @Test("file → folder is a modification; declined leaves the destination file")
    func fileToFolderDeclined() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/x/in.txt", "in\n")
        try box.write("work/docs/plain.txt", "plain\n")
        try box.write("b1/docs/x", "a file\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified").contains { $0.hasPrefix("docs/x") }, "\(r)")
        #expect(box.snapshot("b1")["docs/x"] == .file("a file\n"), "\(r)")
        #expect(box.read("b1/docs/plain.txt") == "plain\n", "other items are copied anyway\n\(r)")
    }

    @Test("file → folder accepted replaces the file with the folder")
    func fileToFolderAccepted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/x/in.txt", "in\n")
        try box.write("b1/docs/x", "a file\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("folder → file lists the folder's contents; declined leaves the folder")
    func folderToFileDeclined() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/y", "now a file\n")
        try box.write("b1/docs/y/inner.txt", "inner\n")
        try box.write("b1/docs/y/deeper/more.txt", "more\n")
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        let modified = r.listed("Modified")
        #expect(modified.contains { $0.hasPrefix("docs/y") }, "\(r)")
        #expect(modified.contains { $0.hasPrefix("docs/y/inner.txt") }, "contents listed\n\(r)")
        #expect(modified.contains { $0.hasPrefix("docs/y/deeper/more.txt") }, "contents listed\n\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }

    @Test("folder → file accepted replaces the folder")
    func folderToFileAccepted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/y", "now a file\n")
        try box.write("b1/docs/y/inner.txt", "inner\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("file → link is a modification; declined leaves the file")
    func fileToLinkDeclined() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/target.txt", "t\n", mtime: old)
        try box.link("work/docs/z", to: "target.txt")
        try box.write("b1/docs/target.txt", "t\n", mtime: old)
        try box.write("b1/docs/z", "a real file\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified").contains { $0.hasPrefix("docs/z") }, "\(r)")
        #expect(r.count("New") == nil || !r.listed("New").contains("docs/z"), "not new\n\(r)")
        #expect(box.snapshot("b1")["docs/z"] == .file("a real file\n"), "\(r)")
    }

    @Test("file → link accepted replaces the file with the link")
    func fileToLinkAccepted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.link("work/docs/z", to: "somewhere")
        try box.write("b1/docs/z", "a real file\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.snapshot("b1")["docs/z"] == .link("somewhere"), "\(r)")
    }

    /// --work -d: WORK has a folder `y` where b1 has a file, and an extra file to delete.
    func folderToFileWithDeletion(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/y", "now a file\n")
        try box.write("b1/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/y/inner.txt", "inner\n")
        try box.write("work/docs/extra.txt", "extra\n")
    }

    @Test("declined folder → file with accepted deletions keeps the folder and its contents")
    func declinedTypeChangeAcceptedDelete() throws {
        let box = try Sandbox()
        try folderToFileWithDeletion(box)
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "n\nd\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/keep.txt": .file("k\n"), "docs/y/": .folder, "docs/y/inner.txt": .file("inner\n"),
        ], "\(r)")
    }

    @Test("accepted folder → file with declined deletions replaces the folder and deletes nothing else")
    func acceptedTypeChangeDeclinedDelete() throws {
        let box = try Sandbox()
        try folderToFileWithDeletion(box)
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "m\nn\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/keep.txt": .file("k\n"), "docs/y": .file("now a file\n"),
            "docs/extra.txt": .file("extra\n"),
        ], "\(r)")
    }

    @Test("-s lists no folder")
    func summaryListsNoFolder() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a/b/c.txt", "c\n")
        try box.write("work/docs/top.txt", "top\n")
        try box.folder("work/docs/empty")
        let r = try box.run(["--config", "cfg.json", "--backup", "-s", "work/docs"])
        #expect(r.status == 0, "\(r)")
        let items = r.lines.filter { $0.hasPrefix("  ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(items.contains("docs/a/b/c.txt") && items.contains("docs/top.txt"), "\(r)")
        #expect(!items.contains { $0.hasSuffix("/") }, "\(r)")
        #expect(box.snapshot("b1")["docs/empty/"] == .folder, "folders are still copied\n\(r)")
    }

    @Test("-s: a file to be replaced by a folder is still listed, and the count matches the question")
    func summaryStillListsTypeChange() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/x/in.txt", "in\n")
        try box.write("work/docs/f.txt", "new\n", mtime: old)
        try box.write("b1/docs/f.txt", "old\n", mtime: older)
        try box.write("b1/docs/x", "a file at risk\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "-s", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        let modified = r.listed("Modified")
        #expect(modified.contains { $0.hasPrefix("docs/x") }, "the file docs/x is at risk and must be listed\n\(r)")
        #expect(r.stdout.contains("Overwrite these \(r.count("Modified") ?? -1) files"),
                "the question's count must match the listing\n\(r)")
        #expect(box.snapshot("b1")["docs/x"] == .file("a file at risk\n"))
    }

    @Test("-v prints each rsync command; `no` skips it: exit 0, nothing changed")
    func verboseNoSkips() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "work/docs"],
                            stdin: "m\n" + String(repeating: "no\n", count: 10))
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.contains { $0.hasPrefix("$ rsync ") }, "\(r)")
        #expect(r.stdout.contains("Run this command? [yes/no]"), "\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }

    @Test("-v with `yes` runs the commands")
    func verboseYesRuns() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "work/docs"],
                            stdin: "m\n" + String(repeating: "yes\n", count: 10))
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        let asked = r.stdout.components(separatedBy: "Run this command? [yes/no]").count - 1
        let shown = r.lines.filter { $0.hasPrefix("$ rsync ") }.count
        #expect(asked >= 1 && shown > asked, "every changing command asked; the dry run not\n\(r)")
    }

    @Test("-n changes nothing, asks no yes/no question, exit 0")
    func dryRun() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        try box.write("work/docs/extra.txt", "only in work\n")
        let b1 = box.snapshot("b1")
        let work = box.snapshot("work")
        let r1 = try box.run(["--config", "cfg.json", "--backup", "-n", "work/docs"], stdin: "")
        #expect(r1.status == 0, "\(r1)")
        #expect(r1.listed("Modified") == ["docs/a.txt"] && r1.listed("New").contains("docs/n.txt"), "\(r1)")
        #expect(!r1.stdout.contains("[Modify/No]"), "\(r1)")
        expectTree(box.snapshot("b1"), b1, "\(r1)")
        let r2 = try box.run(["--config", "cfg.json", "--work", "-n", "-d", "-v", "b1/docs"], stdin: "")
        #expect(r2.status == 0, "\(r2)")
        #expect(r2.listed("Delete").contains("docs/extra.txt"), "\(r2)")
        #expect(!r2.stdout.contains("[Delete/No]") && !r2.stdout.contains("[yes/no]"), "\(r2)")
        expectTree(box.snapshot("work"), work, "\(r2)")
    }

    @Test("-n still asks a needed location choice (and previews from the one chosen)")
    func dryRunStillChooses() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("work/docs/a.txt", "work\n", mtime: older)
        try box.write("b1/docs/a.txt", "b1 version\n", mtime: old)
        try box.write("b2/docs/only-b2.txt", "b2\n")
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--work", "-n", "work/docs"], stdin: "1\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("[1] \(box.path("b2"))"), "\(r)")
        #expect(r.listed("New").contains("docs/only-b2.txt") && r.count("Modified") == nil, "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
        let eof = try box.run(["--config", "cfg.json", "--work", "-n", "work/docs"], stdin: "")
        #expect(eof.status == 3, "\(eof)")
    }

    @Test("-n exits 1 when the run would be incomplete")
    func dryRunIncomplete() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("work/docs/here.txt", "old\n", mtime: older)
        try box.write("work/docs/only-in-work.txt", "mine\n")
        try box.write("b1/docs/here.txt", "from b1\n", mtime: old)
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--work", "-n", "--from", "b1",
                             "work/docs/here.txt", "work/docs/only-in-work.txt"])
        #expect(r.status == 1, "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }
}
