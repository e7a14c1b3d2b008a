// Regression tests for problems found by review: each failed before its fix.

import Foundation
import Testing

@Suite("5 · exactly what was shown: review regressions")
struct ReviewRegressionTests {
    @Test("a link in place of a missing parent folder is a change of type, asked about, never replaced silently")
    func linkedParentIsAsked() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/a/b/f", "s\n")
        try box.folder("elsewhere")
        try box.link("b1/a", to: "../elsewhere")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/a/b"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified").contains { $0.hasPrefix("a/") && $0.contains("replaces a link") }, "\(r)")
        #expect(box.snapshot("b1")["a"] == .link("../elsewhere"), "declined: the link stays\n\(r)")
        #expect(box.snapshot("elsewhere").isEmpty, "nothing written through the link\n\(r)")
    }

    @Test("-v: every command is asked about before the first runs; end of input leaves the destination as it was")
    func verboseAsksAllFirst() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/d/new", "n\n")
        try box.write("work/d/extra", "old\n")
        let before = box.snapshot("work")
        // Delete: yes; first command: yes; then input ends at the second command's question.
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "-v", "work/d"], stdin: "d\ny\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot("work"), before, "\(r)")
    }

    @Test("a declined change of type on a name with a backslash stays out of the --tree run")
    func backslashNameRefusedInTree() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.folder("b1/t/a\\b/sub")
        try box.folder("b1/t/newdir")
        try box.write("work/t/a\\b", "f\n")
        let r = try box.run(["--config", "cfg.json", "--tree", "work/t"])
        #expect(r.status == 1, "the refused folder makes the run incomplete\n\(r)")
        #expect(!r.stderr.contains("Not a directory"), "rsync never tried to write into the file\n\(r)")
        #expect(box.snapshot("work")["t/newdir/"] == .folder, "\(r)")
        #expect(box.read("work/t/a\\b") == "f\n", "\(r)")
    }

    @Test("accepted changes of type are counted as overwritten, their folders' contents not as deleted")
    func typeChangeCounts() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/p/A/in", "in\n")
        try box.write("work/p/A", "f\n")
        try box.write("b1/p/Bf", "s\n")
        try box.write("work/p/Bf/z/deep", "z\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "work/p/A", "work/p/Bf"], stdin: "m\nn\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("1 copied, 2 overwritten, 0 deleted"), "\(r)")
        expectTree(box.snapshot("work/p"), box.snapshot("b1/p"), "\(r)")
    }

    @Test("-m: a change of type is listed as modified, and --backup reports no deletion")
    func overwriteWithoutAskingListsTypeChanges() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/d/x", "a\n")
        try box.write("b1/d/x/y/f1", "1\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "work/d"])
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified").contains { $0.hasPrefix("d/x") && $0.contains("replaces a folder") }, "\(r)")
        #expect(r.count("Delete") == nil, "\(r)")
        #expect(r.stdout.contains("0 copied, 1 overwritten, 0 deleted"), "\(r)")
        #expect(box.read("b1/d/x") == "a\n", "\(r)")
    }

    @Test("the same --to twice with --work is a usage error")
    func secondToEvenIfEqual() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["w1","w2"],"backup":["b1"]}]}"#)
        try box.folder("w1/d")
        try box.folder("w2")
        try box.folder("b1/d")
        let r = try box.run(["--config", "cfg.json", "--work", "--to", "w2", "--to", "w2/", "b1/d"])
        #expect(r.status == 2, "\(r)")
    }

    @Test("a file in the source where the PATH's folder should be: the PATH is left out, exit 1")
    func sourceBlockedByFile() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/a", "f\n")
        try box.folder("work/a/b")
        let r = try box.run(["--config", "cfg.json", "--work", "work/a/b"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("not in the source"), "\(r)")
        #expect(box.snapshot("work")["a/b/"] == .folder, "\(r)")
    }

    @Test("after accepted deletions the folders deleted from have the source folders' times")
    func folderTimesAfterDeletions() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/sub/keep.txt", "k\n")
        try box.write("work/docs/sub/keep.txt", "k\n")
        try box.write("work/docs/sub/gone.txt", "g\n")
        try box.write("work/docs/gone.txt", "g\n")
        try box.setTime("b1/docs/sub", 1_300_000_000)
        try box.setTime("b1/docs", 1_200_000_000)
        try box.setTime("work/docs/sub", 1_300_000_000)
        try box.setTime("work/docs", 1_200_000_000)
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "work/docs"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        #expect(!box.exists("work/docs/sub/gone.txt") && !box.exists("work/docs/gone.txt"), "\(r)")
        #expect(box.mtime("work/docs/sub") == 1_300_000_000, "\(r)")
        #expect(box.mtime("work/docs") == 1_200_000_000, "\(r)")
    }
}
