// History: every finished copy is recorded in the user's state folder; --history shows them.

import Foundation
import Testing

@Suite("history")
struct HistoryTests {
    @Test("each destination a run finishes is recorded in $XDG_STATE_HOME/micsync/, never in a location; --history lists newest first")
    func recordsAndLists() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","b2"]},{"name":"Pics","work":["pics"],"backup":["bp"]}]}"#)
        for folder in ["work", "b1", "b2", "pics", "bp"] { try box.folder(folder) }
        try box.write("work/docs/a.txt", "a\n")
        try box.write("pics/p.jpg", "p\n")
        let state = ["XDG_STATE_HOME": box.path("state")]
        #expect(try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: state).status == 0)
        #expect(try box.run(["--config", "cfg.json", "--backup", "pics"], env: state).status == 0)
        #expect(try box.run(["--config", "cfg.json", "--backup", "-n", "work/docs"], env: state).status == 0, "a dry run is not recorded")
        let lines = box.read("state/micsync/history.jsonl")?.split(separator: "\n") ?? []
        #expect(lines.count == 3, "two BACKUPs of Docs and one of Pics\n\(lines)")
        #expect(!box.exists("b1/.local") && !box.exists("work/.local"))
        let all = try box.run(["--config", "cfg.json", "--history"], env: state)
        #expect(all.status == 0, "\(all)")
        let shown = all.lines.filter { !$0.isEmpty }
        #expect(shown.count == 3 && shown[0].contains("Pics"), "newest first\n\(all)")
        #expect(shown.allSatisfy { $0.contains("done") }, "\(all)")
        let docs = try box.run(["--config", "cfg.json", "--history", "work/docs"], env: state)
        let docsLines = docs.lines.filter { !$0.isEmpty }
        #expect(docsLines.count == 2 && docsLines.allSatisfy { $0.contains("  Docs  ") }, "\(docs)")
        #expect(!docs.stdout.contains("Pics"), "\(docs)")
    }

    @Test("a history that cannot be written is a warning; the copy still succeeds")
    func unwritableHistory() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        try box.write("state", "a file where the state folder should be\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: ["XDG_STATE_HOME": box.path("state")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("cannot write the history"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("--history PATH errors show only the usage of --history")
    func usageOfHistoryOnly() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.folder("elsewhere")
        for arguments in [["--history", "elsewhere"], ["--history", "work", "b1"]] {
            let r = try box.run(["--config", "cfg.json"] + arguments)
            #expect(r.status == 2, "\(r)")
            #expect(r.stderr.hasPrefix("micsync: ") && r.stderr.hasSuffix("\nusage: micsync --history [PATH]\n"), "\(r)")
            #expect(!r.stderr.contains("--backup") && r.stderr.split(separator: "\n").count == 2, "only that usage line\n\(r)")
        }
    }

    @Test("declined overwrites or deletions are recorded as not in step: --history says so, --status finds no completed copy")
    func declinedIsNotComplete() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let state = ["XDG_STATE_HOME": box.path("state")]
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n", env: state)
        #expect(r.status == 0 && box.read("b1/docs/a.txt") == "old\n", "\(r)")
        let history = try box.run(["--config", "cfg.json", "--history"], env: state)
        let line = history.lines.first { !$0.isEmpty } ?? ""
        #expect(line.contains("not in step: 1 declined") && !line.hasSuffix("done"), "\(history)")
        let status = try box.run(["--config", "cfg.json", "--status"], env: state)
        let b1 = status.lines.first { $0.contains("BACKUP") && $0.contains(box.path("b1")) } ?? ""
        #expect(b1.contains("no completed copy recorded"), "\(status)")
        let accepted = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n", env: state)
        #expect(accepted.status == 0, "\(accepted)")
        let after = try box.run(["--config", "cfg.json", "--history"], env: state)
        #expect((after.lines.first { !$0.isEmpty } ?? "").hasSuffix("done"), "\(after)")
        let now = try box.run(["--config", "cfg.json", "--status"], env: state)
        #expect(now.lines.contains { $0.contains(box.path("b1")) && $0.contains("last completed copy 20") }, "\(now)")
    }
}
