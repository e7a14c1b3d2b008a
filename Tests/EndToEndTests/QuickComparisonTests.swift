// The preview's quick comparison, with real rsync: an unchanged tree is in step without any rsync
// run (a shim `rsync` first in PATH notes every call), and a tree whose only difference is one
// rsync sees (an attribute, an ACL, a folder's time, an extra item to delete) still gets rsync's
// dry run, its listing and its copy. Needs root (owners kept), setfattr and setfacl.

import Foundation
import Testing

@Suite("the quick comparison of unchanged trees")
struct QuickComparisonEndToEndTests {
    /// The standard sandbox with a WORK tree of files, a link, an attribute, an ACL and a name
    /// that is not UTF-8, copied to b1 by a first run; and a shim `rsync` that notes each call.
    func copiedTree() throws -> (Sandbox, [String: String?]) {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/notes.txt", "notes\n")
        try box.write("work/docs/sub/deep.txt", "deep\n")
        try box.writeBytes(Array("work/caf".utf8) + [0xE9], Array("x".utf8))
        try box.link("work/docs/link", to: "notes.txt")
        let setup = try box.shell("setfattr -n user.note -v hello work/docs/notes.txt && setfacl -m u:4321:r work/docs/notes.txt")
        #expect(setup.status == 0, "\(setup)")
        let first = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(first.status == 0, "\(first)")
        let rsync = ["/usr/bin/rsync", "/bin/rsync"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "rsync"
        try box.write("shim/rsync", """
            #!/bin/bash
            printf '%s\\n' "$*" >> \(box.path("shim/log"))
            exec \(rsync) "$@"
            """, mode: 0o755)
        return (box, ["PATH": box.path("shim") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                      "XDG_STATE_HOME": box.path("state")])
    }

    /// The rsync runs since the last call (the drive probe's `rsync --version` left out).
    func rsyncRuns(_ box: Sandbox) throws -> [String] {
        let log = box.read("shim/log") ?? ""
        try? FileManager.default.removeItem(atPath: box.path("shim/log"))
        return log.split(separator: "\n").map(String.init).filter { $0 != "--version" }
    }

    @Test("an unchanged tree is in step without an rsync run: --backup, -n, --work -d, and -v says why")
    func unchangedNeedsNoRsync() throws {
        let (box, shim) = try copiedTree()
        let history = { box.read("state/micsync/history.jsonl")?.split(separator: "\n").count ?? 0 }
        let before = history()
        let backup = try box.run(["--config", "cfg.json", "--backup", "work"], env: shim)
        #expect(backup.status == 0 && backup.stdout.contains("Nothing to do: the destination is in step."), "\(backup)")
        #expect(try rsyncRuns(box).isEmpty)
        #expect(history() == before + 1, "recorded as in step")
        let dryRun = try box.run(["--config", "cfg.json", "--backup", "-n", "work"], env: shim)
        #expect(dryRun.status == 0 && dryRun.stdout.contains("Nothing to do"), "\(dryRun)")
        let work = try box.run(["--config", "cfg.json", "--work", "-d", "--from", "b1", "work"], env: shim)
        #expect(work.status == 0 && work.stdout.contains("Nothing to do"), "\(work)")
        let tree = try box.run(["--config", "cfg.json", "--tree", "--from", "b1", "work"], env: shim)
        #expect(tree.status == 0 && tree.stdout.contains("Nothing to do"), "\(tree)")
        #expect(try rsyncRuns(box).isEmpty)
        let verbose = try box.run(["--config", "cfg.json", "--backup", "-v", "work"], env: shim)
        #expect(verbose.stdout.contains("(both trees were compared directly and nothing differs: no rsync run needed)"), "\(verbose)")
        #expect(!verbose.stdout.contains("--dry-run"), "\(verbose)")
        #expect(try rsyncRuns(box).isEmpty)
    }

    /// Each change alone (the folders' times put back): rsync's dry run runs, lists it, and the
    /// copy makes the trees identical again, after which no rsync run is needed.
    @Test("a change of only an attribute, an ACL or a folder's time still gets rsync's preview and copy", arguments: [
        ("setfattr -n user.note -v other work/docs/notes.txt", "Modified", "docs/notes.txt"),
        ("setfacl -m u:4322:r work/docs/notes.txt", "Modified", "docs/notes.txt"),
        ("touch -d '2021-05-06 07:08:09' work/docs/sub", "Folder attributes", "docs/sub/"),
    ])
    func onlyRsyncsDifferences(change: String, heading: String, listed: String) throws {
        let (box, shim) = try copiedTree()
        let made = try box.shell(change + " && touch -r b1/docs work/docs")
        #expect(made.status == 0, "\(made)")
        let copy = try box.run(["--config", "cfg.json", "--backup", "work"], stdin: "m\n", env: shim)
        #expect(copy.status == 0 && copy.listed(heading).contains(listed), "\(copy)")
        let runs = try rsyncRuns(box)
        #expect(runs.first?.contains("--dry-run") == true && runs.count >= 2, "the dry run, then the copy: \(runs)")
        let again = try box.run(["--config", "cfg.json", "--backup", "work"], env: shim)
        #expect(again.stdout.contains("Nothing to do"), "\(again)")
        #expect(try rsyncRuns(box).isEmpty, "identical again")
    }

    @Test("an item only the destination has is listed for deletion by rsync's preview; without -d it is left alone unseen")
    func destinationOnlyItems() throws {
        let (box, shim) = try copiedTree()
        try box.write("work/docs/extra.txt", "extra\n")
        #expect(try box.shell("touch -r b1/docs work/docs").status == 0)
        let without = try box.run(["--config", "cfg.json", "--work", "--from", "b1", "work"], env: shim)
        #expect(without.stdout.contains("Nothing to do"), "\(without)")
        #expect(try rsyncRuns(box).isEmpty)
        let deleting = try box.run(["--config", "cfg.json", "--work", "-d", "--from", "b1", "work"], stdin: "d\n", env: shim)
        #expect(deleting.status == 0 && deleting.listed("Delete") == ["docs/extra.txt"], "\(deleting)")
        #expect(!box.exists("work/docs/extra.txt"))
        #expect(try rsyncRuns(box).first?.contains("--dry-run") == true)
    }

    @Test("a time differing only in nanoseconds is no difference, to rsync as to the comparison")
    func nanosecondsAreNoDifference() throws {
        let (box, shim) = try copiedTree()
        #expect(try box.shell("touch -d '2020-01-02 03:04:05.25' work/docs/notes.txt && touch -d '2020-01-02 03:04:05.75' b1/docs/notes.txt").status == 0)
        let rsync = try box.shell("rsync -aHAXS --numeric-ids --dry-run --out-format='%i %n' work/ b1/")
        #expect(rsync.status == 0 && rsync.stdout.isEmpty, "rsync's own dry run lists nothing: \(rsync)")
        let run = try box.run(["--config", "cfg.json", "--backup", "work"], env: shim)
        #expect(run.stdout.contains("Nothing to do"), "\(run)")
        #expect(try rsyncRuns(box).isEmpty)
    }

    @Test("--status: a BACKUP in step is known without an rsync run; an attribute-only difference still shows, found by rsync")
    func statusUsesTheComparison() throws {
        let (box, shim) = try copiedTree()
        let inStep = try box.run(["--config", "cfg.json", "--status"], env: shim)
        #expect(inStep.status == 0 && inStep.stdout.contains("Every BACKUP is in step with WORK."), "\(inStep)")
        #expect(try rsyncRuns(box).isEmpty)
        #expect(try box.shell("setfattr -n user.note -v other work/docs/notes.txt").status == 0)
        let differs = try box.run(["--config", "cfg.json", "--status"], env: shim)
        #expect(differs.status == 1 && differs.stdout.contains("docs/notes.txt"), "\(differs)")
        #expect(try rsyncRuns(box).first?.contains("--dry-run") == true)
    }
}
