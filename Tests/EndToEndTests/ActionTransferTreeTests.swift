// Section 4: the action table — --transfer and --tree.

import Foundation
import Testing

@Suite("4 · --transfer and --tree")
struct ActionTransferTreeTests {
    /// Config "Docs" with WORK `work` and BACKUPs b1, b2, b3; b1/docs holds a small tree.
    func threeBackups(_ box: Sandbox) throws {
        try box.standard(backups: ["b1", "b2", "b3"])
        try box.write("b1/docs/a.txt", "alpha\n", mtime: old)
        try box.write("b1/docs/sub/b.txt", "beta\n", mtime: old)
        try box.write("b2/docs/a.txt", "b2's alpha\n", mtime: older)
        try box.write("b3/docs/a.txt", "b3's alpha\n", mtime: older)
    }

    @Test("--transfer --from --to copies between two BACKUPs only")
    func transferFromTo() throws {
        let box = try Sandbox()
        try threeBackups(box)
        let b3 = box.snapshot("b3"), work = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "--from", "b1", "--to", "b2", "work"],
                            stdin: "")
        // "work" is the WORK location itself: the PATH is the whole location.
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("b1"), "\(r)")
        expectTree(box.snapshot("b3"), b3, "b3 must not change")
        expectTree(box.snapshot("work"), work, "work must not change")
    }

    @Test("--transfer with PATHs in a BACKUP takes it as the source; several --to")
    func transferSeveralTo() throws {
        let box = try Sandbox()
        try threeBackups(box)
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "--to", "b2", "--to", "b3", "b1/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("b1"), "b2\n\(r)")
        expectTree(box.snapshot("b3"), box.snapshot("b1"), "b3\n\(r)")
        #expect(!r.stdout.contains("[0]"), "no choice expected\n\(r)")
    }

    @Test("--transfer destinations chosen by numbers (spaces or commas)", arguments: ["0 1\n", "0,1\n", "1, 0\n"])
    func transferChosenByNumbers(answer: String) throws {
        let box = try Sandbox()
        try threeBackups(box)
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "b1/docs"], stdin: answer)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("[0] \(box.path("b2"))") && r.stdout.contains("[1] \(box.path("b3"))"), "\(r)")
        #expect(!r.stdout.contains("] \(box.path("b1"))"), "the source is not offered\n\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("b1"), "b2\n\(r)")
        expectTree(box.snapshot("b3"), box.snapshot("b1"), "b3\n\(r)")
    }

    @Test("--transfer: one number picks one destination")
    func transferChosenOne() throws {
        let box = try Sandbox()
        try threeBackups(box)
        let b2 = box.snapshot("b2")
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "b1/docs"], stdin: "1\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b3"), box.snapshot("b1"), "b3\n\(r)")
        expectTree(box.snapshot("b2"), b2, "b2 was not chosen")
    }

    @Test("--transfer: `a` picks all destinations")
    func transferAll() throws {
        let box = try Sandbox()
        try threeBackups(box)
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "b1/docs"], stdin: "a\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("b1"), "b2\n\(r)")
        expectTree(box.snapshot("b3"), box.snapshot("b1"), "b3\n\(r)")
    }

    @Test("--transfer with the PATHs in a WORK asks for the source; a single destination left is taken")
    func transferFromWorkOrigin() throws {
        let box = try Sandbox()
        try box.standard()
        try box.folder("work/docs")
        try box.write("b2/docs/a.txt", "from b2\n")
        let r = try box.run(["--config", "cfg.json", "--transfer", "work/docs"], stdin: "1\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "from b2\n", "\(r)")
        #expect(r.stdout.contains("\(box.path("b2")) → \(box.path("b1"))"), "\(r)")
    }

    @Test("--transfer -d deletes in the destination BACKUP what the source lacks, when confirmed")
    func transferDelete() throws {
        let box = try Sandbox()
        try threeBackups(box)
        try box.write("b2/docs/only-b2.txt", "extra\n")
        try box.write("b2/outside.txt", "not under the PATH\n")
        let r = try box.run(["--config", "cfg.json", "--transfer", "-m", "-d", "--to", "b2", "b1/docs"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Delete") == ["docs/only-b2.txt"], "\(r)")
        var expected = box.snapshot("b1")
        expected["outside.txt"] = .file("not under the PATH\n")
        expectTree(box.snapshot("b2"), expected, "\(r)")
    }

    @Test("--transfer with one accessible BACKUP: exit 1")
    func transferNeedsTwoBackups() throws {
        let box = try Sandbox()
        try box.standard(create: false)
        try box.write("work/docs/a.txt", "a\n")
        try box.write("b1/docs/a.txt", "b1\n")
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--transfer", "b1/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("micsync:"), "\(r)")
        expectTree(box.snapshot(""), before)
        #expect(!box.exists("b2"))
    }

    @Test("--tree creates folders only, never files, and asks nothing")
    func treeFoldersOnly() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("b1/docs/a.txt", "modified in backup\n", mtime: old)
        try box.write("b1/docs/new.txt", "new in backup\n")
        try box.write("b1/docs/s1/s2/deep.txt", "deep\n")
        try box.folder("b1/docs/empty")
        try box.write("work/docs/a.txt", "work version\n", mtime: older)
        let r = try box.run(["--config", "cfg.json", "--tree", "--from", "b1", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/a.txt": .file("work version\n"),
            "docs/s1/": .folder, "docs/s1/s2/": .folder, "docs/empty/": .folder,
        ], "\(r)")
        #expect(!r.stdout.contains("[Modify/No]"), "--tree never asks about files\n\(r)")
        #expect(!r.stdout.contains("a.txt") && !r.stdout.contains("new.txt"), "files are not listed\n\(r)")
        #expect(r.listed("New").contains("docs/s1/s2/"), "\(r)")
    }

    @Test("--tree updates the attributes of folders that exist")
    func treeUpdatesAttributes() throws {
        let box = try Sandbox()
        try box.standard()
        try box.folder("b1/docs/sub", mode: 0o700, mtime: old)
        try box.folder("work/docs/sub", mode: 0o755, mtime: older)
        let r = try box.run(["--config", "cfg.json", "--tree", "--from", "b1", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(box.mode("work/docs/sub") == 0o700, "\(r)")
        #expect(box.mtime("work/docs/sub") == old, "\(r)")
        #expect(r.listed("Folder attributes").contains("docs/sub/"), "\(r)")
    }

    @Test("--tree: a file where the source has a folder is reported, left alone, exit 1")
    func treeFileInPlaceOfFolder() throws {
        let box = try Sandbox()
        try box.standard()
        try box.write("b1/docs/x/inside.txt", "i\n")
        try box.folder("b1/docs/y")
        try box.write("work/docs/x", "a file, not a folder\n")
        let r = try box.run(["--config", "cfg.json", "--tree", "--from", "b1", "work/docs"], stdin: "")
        #expect(r.status == 1, "\(r)")
        #expect(box.read("work/docs/x") == "a file, not a folder\n", "\(r)")
        #expect(box.snapshot("work")["docs/y/"] == .folder, "the rest is still created\n\(r)")
        #expect(r.stdout.contains("docs/x") || r.stderr.contains("docs/x"), "\(r)")
    }

    @Test("--tree: a link where the source has a folder is reported, left alone, exit 1")
    func treeLinkInPlaceOfFolder() throws {
        let box = try Sandbox()
        try box.standard()
        try box.folder("b1/docs/x/inner")
        try box.folder("work/docs/elsewhere")
        try box.link("work/docs/x", to: "elsewhere")
        let r = try box.run(["--config", "cfg.json", "--tree", "--from", "b1", "work/docs"], stdin: "")
        #expect(r.status == 1, "\(r)")
        expectTree(box.snapshot("work"), ["docs/": .folder, "docs/elsewhere/": .folder, "docs/x": .link("elsewhere")],
                   "\(r)")
        #expect(r.stdout.contains("docs/x") || r.stderr.contains("docs/x"), "\(r)")
    }
}
