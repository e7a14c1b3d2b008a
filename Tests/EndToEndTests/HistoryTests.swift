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
}
