// Status: `--status [-c] [PATH...]` shows the locations and how each BACKUP differs from WORK,
// and changes nothing anywhere.

import Foundation
import Testing

@Suite("status")
struct StatusTests {
    @Test("a BACKUP in step with WORK: exit 0, says so")
    func inStep() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for root in ["work", "b1"] {
            try box.write(root + "/docs/a.txt", "a\n", mtime: 1_600_000_000)
            try box.folder(root + "/docs", mtime: 1_600_000_000)
        }
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("in step"), "\(r)")
        #expect(r.stdout.contains("accessible") && r.stdout.contains("free"), "\(r)")
    }

    @Test("only in WORK, modified, only in BACKUP: exit 1 with counts and names; nothing changes")
    func kindsOfDifference() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/same.txt", "s\n", mtime: 1_600_000_000)
        try box.write("b1/same.txt", "s\n", mtime: 1_600_000_000)
        try box.write("work/new.txt", "n\n")
        try box.write("work/changed.txt", "new content\n", mtime: 1_600_000_100)
        try box.write("b1/changed.txt", "old\n", mtime: 1_600_000_000)
        try box.write("b1/gone.txt", "g\n")
        let before = box.snapshot("")
        let times = ["work/changed.txt", "b1/changed.txt", "b1/gone.txt"].map(box.mtime)
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 1, "\(r)")
        #expect(r.count("    only in WORK (not backed up)") == 1 && names(r, "only in WORK (not backed up)") == ["new.txt"], "\(r)")
        #expect(r.count("    modified") == 1 && names(r, "modified") == ["changed.txt"], "\(r)")
        #expect(r.count("    only in BACKUP") == 1 && names(r, "only in BACKUP") == ["gone.txt"], "\(r)")
        #expect(!r.stdout.contains("same.txt"), "\(r)")
        #expect(differences(box.snapshot(""), before).isEmpty, "status changed something: \(differences(box.snapshot(""), before))")
        #expect(["work/changed.txt", "b1/changed.txt", "b1/gone.txt"].map(box.mtime) == times)
    }

    @Test("more than five differences: the first five names and how many more")
    func firstFiveNames() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for index in 1...7 { try box.write("work/f\(index).txt", "x\n") }
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("only in WORK (not backed up) (7):"), "\(r)")
        #expect(r.stdout.contains("… and 2 more"), "\(r)")
    }

    @Test("the config's exclude patterns apply")
    func excludes() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"exclude":["*.tmp"]}]}"#)
        try box.folder("work")
        try box.folder("b1")
        try box.write("work/scratch.tmp", "t\n")
        try box.write("b1/old.tmp", "t\n")
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 0, "\(r)")
    }

    @Test("same size and time, different bytes: seen only with -c, which names the file")
    func corruption() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/photo.raw", "good bytes\n", mtime: 1_600_000_000)
        try box.write("b1/photo.raw", "bad! bytes\n", mtime: 1_600_000_000)
        try box.setTime("work", 1_600_000_000)
        try box.setTime("b1", 1_600_000_000)
        let before = box.snapshot("")
        let plain = try box.run(["--config", "cfg.json", "--status"])
        #expect(plain.status == 0, "\(plain)")
        let checked = try box.run(["--config", "cfg.json", "--status", "-c"])
        #expect(checked.status == 1, "\(checked)")
        #expect(names(checked, "modified") == ["photo.raw"], "\(checked)")
        let long = try box.run(["--config", "cfg.json", "--checksum", "--status"])
        #expect(long.status == 1, "\(long)")
        #expect(differences(box.snapshot(""), before).isEmpty)
    }

    @Test("-c goes with --status and the actions that copy files; with --tree or --list it is a usage error")
    func checksumWhere() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/d/a.txt", "a\n")
        for arguments in [["--tree", "-c", "work/d"], ["--list", "-c"], ["--history", "-c"]] {
            let r = try box.run(["--config", "cfg.json"] + arguments)
            #expect(r.status == 2 && r.stderr.contains("-c"), "\(r)")
        }
        #expect(!box.exists("b1/d"))
    }

    @Test("a missing BACKUP is shown as missing; the accessible one is still compared")
    func missingBackup() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"], create: false)
        try box.folder("work")
        try box.folder("b1")
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 4, "in step only where compared\n\(r)")
        #expect(r.lines.contains { $0.contains(box.path("b2")) && $0.contains("missing") }, "\(r)")
        let closing = r.lines.last { !$0.isEmpty } ?? ""
        #expect(closing.contains("not every location was compared") && closing.contains("BACKUP " + box.path("b2")), "\(r)")
        #expect(!box.exists("b2"))
        try box.folder("b2")
        let all = try box.run(["--config", "cfg.json", "--status"])
        #expect(all.status == 0 && all.lines.contains("Every BACKUP is in step with WORK."), "\(all)")
    }

    @Test("a missing WORK: nothing compared, so not \"in step\" (exit 4)")
    func missingWork() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"], create: false)
        try box.folder("b1")
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 4, "\(r)")
        #expect(r.stdout.contains("WORK " + box.path("work")), "\(r)")
    }

    @Test("a file in WORK where the BACKUP has a folder (and the other way round) is one modification each")
    func changeOfTypeIsOneModification() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/f", "a file\n")
        try box.write("b1/f/inside.txt", "in a folder\n")
        try box.write("work/g/inside.txt", "in a folder\n")
        try box.write("b1/g", "a file\n")
        let r = try box.run(["--config", "cfg.json", "--status"])
        #expect(r.status == 1, "\(r)")
        #expect(names(r, "modified") == ["f", "g"], "\(r)")
        #expect(r.count("    only in WORK (not backed up)") == nil && r.count("    only in BACKUP") == nil, "\(r)")
    }

    @Test("--config-name narrows --status to that config; an unknown name is a usage error")
    func configNameNarrows() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"]},{"name":"Pics","work":["pics"],"backup":["bp"]}]}"#)
        for folder in ["work", "b1", "pics", "bp"] { try box.folder(folder) }
        try box.write("pics/new.jpg", "p\n")
        let docs = try box.run(["--config", "cfg.json", "--status", "--config-name", "Docs"])
        #expect(docs.status == 0, "\(docs)")
        #expect(docs.stdout.contains("Docs") && !docs.stdout.contains("Pics") && !docs.stdout.contains("new.jpg"), "\(docs)")
        let pics = try box.run(["--config", "cfg.json", "--status", "--config-name", "Pics"])
        #expect(pics.status == 1 && pics.stdout.contains("new.jpg") && !pics.stdout.contains("Docs"), "\(pics)")
        let unknown = try box.run(["--config", "cfg.json", "--status", "--config-name", "Music"])
        #expect(unknown.status == 2 && unknown.stderr.contains("Music"), "\(unknown)")
        let outside = try box.run(["--config", "cfg.json", "--status", "--config-name", "Docs", "pics"])
        #expect(outside.status == 2 && outside.stderr.contains("config Docs"), "\(outside)")
    }

    @Test("the last completed copy of each BACKUP, from the history")
    func lastCopy() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"])
        try box.write("work/a.txt", "a\n")
        let state = ["XDG_STATE_HOME": box.path("state")]
        #expect(try box.run(["--config", "cfg.json", "--backup", "--to", "b1", "work"], env: state).status == 0)
        let r = try box.run(["--config", "cfg.json", "--status"], env: state)
        #expect(r.status == 1, "b2 lacks a.txt\n\(r)")
        let b1 = r.lines.first { $0.contains("BACKUP") && $0.contains(box.path("b1")) } ?? ""
        let b2 = r.lines.first { $0.contains("BACKUP") && $0.contains(box.path("b2")) } ?? ""
        #expect(b1.contains("last completed copy 20"), "\(r)")
        #expect(b2.contains("no completed copy recorded"), "\(r)")
    }

    @Test("PATHs: only those items are compared")
    func paths() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n", mtime: 1_600_000_000)
        try box.write("b1/docs/a.txt", "a\n", mtime: 1_600_000_000)
        try box.write("work/other/new.txt", "n\n")
        let docs = try box.run(["--config", "cfg.json", "--status", "work/docs"])
        #expect(docs.status == 0, "\(docs)")
        let inBackup = try box.run(["--config", "cfg.json", "--status", "b1/docs/a.txt"])
        #expect(inBackup.status == 0, "a PATH given in the BACKUP names the same item\n\(inBackup)")
        let whole = try box.run(["--config", "cfg.json", "--status"])
        #expect(whole.status == 1 && whole.stdout.contains("other/new.txt"), "\(whole)")
    }

    @Test("a PATH in no location: exit 2")
    func pathOutside() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.folder("elsewhere")
        let r = try box.run(["--config", "cfg.json", "--status", "elsewhere"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("is in no location"), "\(r)")
        #expect(r.stderr.contains("usage: micsync --status [-c] [PATH...]\n"), "the usage of --status\n\(r)")
        #expect(!r.stderr.contains("--backup") && r.stderr.split(separator: "\n").count == 2, "only that usage line\n\(r)")
    }

    /// The names listed under a difference heading `    label (N):`.
    func names(_ r: RunResult, _ label: String) -> [String] {
        guard let start = r.lines.firstIndex(where: { $0.hasPrefix("    " + label + " (") && $0.hasSuffix("):") }) else { return [] }
        return r.lines[(start + 1)...].prefix { $0.hasPrefix("      ") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

@Suite("-c with the actions that copy")
struct ChecksumSyncTests {
    /// work/photo.raw and b1/photo.raw: same size and time, different bytes (a silently damaged copy).
    func damaged(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("work/photo.raw", "good bytes\n", mtime: 1_600_000_000)
        try box.write("b1/photo.raw", "bad! bytes\n", mtime: 1_600_000_000)
        try box.setTime("work", 1_600_000_000)
        try box.setTime("b1", 1_600_000_000)
    }

    @Test("--backup -c lists a file whose contents differ at the same size and time as modified, marked, and replaces it when accepted")
    func backupRepairsDamage() throws {
        let box = try Sandbox()
        try damaged(box)
        let plain = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(plain.status == 0 && plain.stdout.contains("Nothing to do"), "size and time alone see nothing\n\(plain)")
        let dry = try box.run(["--config", "cfg.json", "--backup", "-c", "-n", "work"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.listed("Modified") == ["photo.raw  content differs (same size and time)"], "\(dry)")
        let declined = try box.run(["--config", "cfg.json", "--backup", "-c", "work"], stdin: "n\n")
        #expect(declined.status == 0 && box.read("b1/photo.raw") == "bad! bytes\n", "declined: left as it was\n\(declined)")
        let accepted = try box.run(["--config", "cfg.json", "--backup", "--checksum", "work"], stdin: "m\n")
        #expect(accepted.status == 0, "\(accepted)")
        #expect(box.read("b1/photo.raw") == "good bytes\n", "replaced\n\(accepted)")
        #expect(accepted.stdout.contains("1 overwritten"), "\(accepted)")
        let status = try box.run(["--config", "cfg.json", "--status", "-c"])
        #expect(status.status == 0, "in step by contents now\n\(status)")
    }

    @Test("--work -c -m repairs a damaged WORK file from the BACKUP")
    func workRepairs() throws {
        let box = try Sandbox()
        try damaged(box)
        try box.write("b1/photo.raw", "good bytes\n", mtime: 1_600_000_000)
        try box.write("work/photo.raw", "bad! bytes\n", mtime: 1_600_000_000)
        try box.setTime("work", 1_600_000_000)
        try box.setTime("b1", 1_600_000_000)
        let r = try box.run(["--config", "cfg.json", "--work", "-c", "-m", "b1/photo.raw"])
        #expect(r.status == 0 && box.read("work/photo.raw") == "good bytes\n", "\(r)")
    }
}
