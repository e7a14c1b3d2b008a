// Section 6: questions — answers, re-asking, q, end of input.

import Foundation
import Testing

@Suite("6 · questions")
struct QuestionTests {
    /// b1/docs/a.txt is modified in work (source newer); n.txt is new; b1/docs/extra.txt is
    /// only in b1 (a deletion for --work/--transfer with -d).
    func setup(_ box: Sandbox, backups: [String] = ["b1"]) throws {
        try box.standard(backups: backups)
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
    }

    @Test("overwrite question accepts the word or its first letter in any case",
          arguments: ["Modify", "modify", "MODIFY", "m", "M", "mOdIfY"])
    func overwriteAnswers(answer: String) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: answer + "\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "new version\n", "\(r)")
    }

    @Test("`No` by word or letter declines", arguments: ["No", "no", "NO", "n", "N"])
    func declineAnswers(answer: String) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: answer + "\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "old\n", "\(r)")
        #expect(box.read("b1/docs/n.txt") == "brand new\n", "\(r)")
    }

    @Test("delete question accepts Delete/d in any case", arguments: ["Delete", "delete", "DELETE", "d", "D"])
    func deleteAnswers(answer: String) throws {
        let box = try Sandbox()
        try setup(box)
        try box.write("work/docs/extra.txt", "extra\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-m", "-d", "b1/docs"], stdin: answer + "\n")
        #expect(r.status == 0, "\(r)")
        #expect(!box.exists("work/docs/extra.txt") && !box.exists("work/docs/n.txt"), "\(r)")
    }

    @Test("-v question accepts yes/y in any case", arguments: ["yes", "YES", "Yes", "y", "Y"])
    func runAnswers(answer: String) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "-v", "work/docs"],
                            stdin: String(repeating: answer + "\n", count: 5))
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "new version\n", "\(r)")
    }

    @Test("garbage is asked again", arguments: ["maybe\nmod\nx\n\nm\n", "Modifyx\n yes\nM\n"])
    func garbageReasks(stdin: String) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: stdin)
        #expect(r.status == 0, "\(r)")
        let asked = r.stdout.components(separatedBy: "[Modify/No]").count - 1
        #expect(asked == stdin.components(separatedBy: "\n").count - 1, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "new version\n", "\(r)")
    }

    @Test("`q` at a yes/no question cancels: exit 3, destination unchanged", arguments: ["q", "Q"])
    func quitAtYesNo(answer: String) throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: answer + "\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot("b1"), before, "not even new files are copied\n\(r)")
    }

    @Test("`q` at the -v question cancels: exit 3, unchanged")
    func quitAtRunQuestion() throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "-v", "work/docs"], stdin: "q\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }

    @Test("`q` at a location choice cancels: exit 3, nothing changed")
    func quitAtChoice() throws {
        let box = try Sandbox()
        try setup(box, backups: ["b1", "b2"])
        try box.write("b2/docs/a.txt", "b2\n")
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--work", "work/docs"], stdin: "q\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("an out-of-range or garbage choice is asked again")
    func choiceReasks() throws {
        let box = try Sandbox()
        try setup(box, backups: ["b1", "b2"])
        try box.write("b2/docs/a.txt", "b2 version\n", mtime: old)
        let r = try box.run(["--config", "cfg.json", "--work", "-m", "work/docs"], stdin: "7\nzz\n-1\n1\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.components(separatedBy: "[0-1]").count - 1 == 4, "\(r)")
        #expect(box.read("work/docs/a.txt") == "b2 version\n", "\(r)")
    }

    @Test("a choice lists only accessible locations; one left is taken without asking")
    func choiceOnlyAccessible() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2", "b3"], create: false)
        try box.write("work/docs/a.txt", "old\n", mtime: older)
        try box.write("b2/docs/a.txt", "b2 version\n", mtime: old)
        let r = try box.run(["--config", "cfg.json", "--work", "-m", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("[0]"), "\(r)")
        #expect(box.read("work/docs/a.txt") == "b2 version\n", "\(r)")
    }

    @Test("end of input at the overwrite question: exit 3, named, destination unchanged")
    func eofAtOverwrite() throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "")
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("Overwrite these 1 files"), "\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }

    @Test("end of input at the delete question: exit 3, named, destination unchanged")
    func eofAtDelete() throws {
        let box = try Sandbox()
        try setup(box)
        try box.write("work/docs/extra.txt", "extra\n")
        let before = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "m\n")
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("Delete these 2 items"), "\(r)")
        expectTree(box.snapshot("work"), before, "\(r)")
    }

    @Test("end of input at a location choice: exit 3, named, nothing changed")
    func eofAtLocationChoice() throws {
        let box = try Sandbox()
        try setup(box, backups: ["b1", "b2"])
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--work", "work/docs"], stdin: "")
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("BACKUP location"), "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("end of input at a config choice: exit 3, named, nothing changed")
    func eofAtConfigChoice() throws {
        let box = try Sandbox()
        try box.config(#"""
            {"configs":[{"name":"Docs","work":["work"],"backup":["b1"]},
                        {"name":"Other","work":["work/docs"],"backup":["b2"]}]}
            """#)
        try box.write("work/docs/sub/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("b2")
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/sub"], stdin: "")
        #expect(r.status == 3, "\(r)")
        #expect(r.stdout.contains("[0] Docs") && r.stdout.contains("[1] Other"), "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.lowercased().contains("config"), "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("a config choice answered by number picks that config")
    func configChoiceAnswered() throws {
        let box = try Sandbox()
        try box.config(#"""
            {"configs":[{"name":"Docs","work":["work"],"backup":["b1"]},
                        {"name":"Other","work":["work/docs"],"backup":["b2"]}]}
            """#)
        try box.write("work/docs/sub/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("b2")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/sub"], stdin: "1\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2/sub/a.txt") == "a\n", "\(r)")
        #expect(box.snapshot("b1").isEmpty, "\(r)")
    }

    @Test("`q` at the --transfer destinations choice cancels: exit 3, nothing changed")
    func quitAtMultiChoice() throws {
        let box = try Sandbox()
        try setup(box, backups: ["b1", "b2", "b3"])
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--transfer", "b1/docs"], stdin: "q\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("end of input at the second destination: both left as they were (every question comes before any copy)")
    func eofAtSecondDestination() throws {
        let box = try Sandbox()
        try setup(box, backups: ["b1", "b2"])
        try box.write("b2/docs/a.txt", "old b2\n", mtime: older)
        let b1 = box.snapshot("b1"), b2 = box.snapshot("b2")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 3, "\(r)")
        expectTree(box.snapshot("b1"), b1, "\(r)")
        expectTree(box.snapshot("b2"), b2, "\(r)")
        #expect(r.stderr.contains("Overwrite these 1 files in \(box.path("b2"))"), "\(r)")
    }

    @Test("end of input at the -v question: exit 3, named, unchanged")
    func eofAtRunQuestion() throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "-v", "work/docs"], stdin: "")
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("Run this command"), "\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }
}

@Suite("7 · interruption")
struct InterruptTests {
    @Test("Ctrl-C at a question: micsync exits 130 itself with one message, destination unchanged")
    func interruptAtQuestion() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], interruptWhen: "[Modify/No]")
        #expect(r.status == 130 && !r.killedBySignal, "an exit, not death by the signal\n\(r)")
        #expect(r.stderr == "micsync: interrupted (Ctrl-C) at \"Overwrite these 1 files in \(box.path("b1"))? (everything else is copied anyway)\"; nothing more was changed\n",
                "one message\n\(r)")
        expectTree(box.snapshot("b1"), before, "\(r)")
    }

    @Test("Ctrl-C at a choice and at --init's questions: exit 130 with one message, nothing written")
    func interruptAtChoiceAndInit() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2", "b3"])
        try box.write("b1/docs/a.txt", "a\n")
        // --transfer from b1: the destinations b2 and b3 are chosen.
        let choice = try box.run(["--config", "cfg.json", "--transfer", "b1/docs"], interruptWhen: "[0-1]")
        #expect(choice.status == 130 && !choice.killedBySignal, "\(choice)")
        #expect(choice.stderr.hasPrefix("micsync: interrupted (Ctrl-C)") && choice.stderr.split(separator: "\n").count == 1, "\(choice)")
        #expect(!box.exists("b2/docs") && !box.exists("b3/docs"), "\(choice)")
        let initialize = try box.run(["--config", "new.json", "--init"], interruptWhen: "Config name:")
        #expect(initialize.status == 130 && !initialize.killedBySignal, "\(initialize)")
        #expect(initialize.stderr.hasPrefix("micsync: interrupted (Ctrl-C)"), "\(initialize)")
        #expect(!box.exists("new.json"), "\(initialize)")
    }
}
