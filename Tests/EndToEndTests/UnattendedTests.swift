// Runs with nobody to answer (--unattended), limits on what a run may overwrite or delete, and
// the notification of a failed or incomplete unattended run.

import Foundation
import Testing

/// An environment that keeps a test away from the real desktop, journal, user manager and home:
/// stubs of notify-send, logger and systemd-cat first in PATH record their arguments (one
/// argument a line, a line `--` after each call) in the sandbox; the history and the units go
/// to the sandbox; no D-Bus session is reachable.
func sandboxedEnvironment(_ box: Sandbox, extraStubs: [String] = []) throws -> [String: String?] {
    try box.folder("stubs")
    for program in ["notify-send", "logger", "systemd-cat"] + extraStubs {
        try box.write("stubs/" + program, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '\(box.path(program + ".log"))'\necho -- >> '\(box.path(program + ".log"))'\nexit 0\n", mode: 0o755)
    }
    return ["PATH": box.path("stubs") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "XDG_STATE_HOME": box.path("state"), "XDG_CONFIG_HOME": box.path("xdg"), "XDG_RUNTIME_DIR": box.path("run"),
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + box.path("no-bus"), "MICSYNC_SCHEDULE": nil]
}

@Suite("unattended runs and limits")
struct UnattendedTests {
    /// WORK `work` and BACKUP `b1` holding the same 20 files f01…f20 (20 items in each).
    func twenty() throws -> Sandbox {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for index in 1...20 {
            let name = String(format: "f%02d", index)
            try box.write("work/" + name, name + "\n", mtime: 1_700_000_000)
            try box.write("b1/" + name, name + "\n", mtime: 1_700_000_000)
        }
        return box
    }

    func modify(_ box: Sandbox, _ count: Int) throws {
        for index in 1...count { try box.write(String(format: "work/f%02d", index), "changed\n", mtime: 1_800_000_000) }
    }

    @Test("unattended, no flags: new items copied, modified and deletions left and listed, exit 1, a notification and a journal line")
    func leavesWhatNobodyAllowed() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        try modify(box, 2)
        try box.write("work/new.txt", "new\n")
        let backup = try box.run(["--config", "cfg.json", "--unattended", "--backup", "work"], stdin: "m\nm\n", env: env)
        #expect(backup.status == 1, "\(backup)")
        #expect(box.read("b1/new.txt") == "new\n", "new items are always copied\n\(backup)")
        #expect(box.read("b1/f01") == "f01\n" && box.read("b1/f02") == "f02\n", "modified left\n\(backup)")
        #expect(backup.listed("Modified") == ["f01", "f02"], "\(backup)")
        #expect(!backup.stdout.contains("[Modify/No]"), "nothing asked, the piped answers not read\n\(backup)")
        #expect(backup.stderr.contains("2 modified items in \(box.path("b1")) left as they were: nobody to answer (--unattended)"), "\(backup)")
        let notified = box.read("notify-send.log") ?? ""
        #expect(notified.contains("micsync: backup incomplete") && notified.contains(box.path("b1") + " incomplete"), "\(notified)")
        #expect(notified.contains("--urgency=critical"), "\(notified)")
        let logged = box.read("logger.log") ?? ""
        #expect(logged.contains("--tag\nmicsync\n") && logged.contains("micsync: backup incomplete: "), "\(logged)")

        // Deletions: -d asks, so nobody answers and nothing is deleted.
        try box.write("work/extra.txt", "only here\n")
        try box.write("b1/fromb1.txt", "b\n")
        let restore = try box.run(["--config", "cfg.json", "--unattended", "--work", "-d", "--from", "b1", "work"], env: env)
        #expect(restore.status == 1, "\(restore)")
        #expect(box.read("work/extra.txt") == "only here\n" && box.read("work/fromb1.txt") == "b\n", "\(restore)")
        #expect(restore.listed("Delete") == ["extra.txt"], "\(restore)")
        #expect(restore.stderr.contains("1 items in \(box.path("work")) not deleted: nobody to answer (--unattended)"), "\(restore)")
    }

    @Test("unattended with nothing left: exit 0, no notification; the run is in --history marked unattended")
    func completeRunIsQuiet() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        try box.write("work/new.txt", "new\n")
        let r = try box.run(["--config", "cfg.json", "--unattended", "--backup", "work"], env: env)
        #expect(r.status == 0, "\(r)")
        #expect(!box.exists("notify-send.log") && !box.exists("logger.log"), "\(r)")
        let history = try box.run(["--history"], env: env)
        #expect(history.stdout.contains("done  (unattended)"), "\(history)")
        var scheduled = env
        scheduled["MICSYNC_SCHEDULE"] = "micsync-backup-docs"
        try box.write("work/new2.txt", "new\n")
        #expect(try box.run(["--config", "cfg.json", "--unattended", "--backup", "work"], env: scheduled).status == 0)
        #expect(try box.run(["--history"], env: env).lines.first?.contains("(scheduled: micsync-backup-docs)") == true)
    }

    @Test("an unattended run that copies nothing (its drive not plugged in) is in --history and is notified")
    func stoppedRunIsRecorded() throws {
        let box = try Sandbox()
        try box.folder("work")
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["unplugged"]}]}"#)
        let env = try sandboxedEnvironment(box)
        let r = try box.run(["--config", "cfg.json", "--unattended", "--backup", "work"], env: env)
        #expect(r.status == 1, "\(r)")
        #expect(box.read("notify-send.log")?.contains("no accessible BACKUP location in config \"Docs\"") == true, "\(r)")
        let history = try box.run(["--history"], env: env)
        #expect(history.lines.first?.contains("stopped before any copy") == true && history.lines.first?.contains("(unattended)") == true, "\(history)")
        #expect(!box.exists("unplugged"))
    }

    @Test("--max-delete as a count: just under is done, just over deletes nothing (new items still copied), exit 1 with the counts")
    func maxDeleteCount() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        for name in ["x1", "x2", "x3"] { try box.write("work/" + name, "x\n") }
        let under = try box.run(["--config", "cfg.json", "--work", "-D", "--max-delete", "3", "--from", "b1", "work"], env: env)
        #expect(under.status == 0, "\(under)")
        #expect(!box.exists("work/x1") && !box.exists("work/x3"), "\(under)")
        for name in ["x1", "x2", "x3", "x4"] { try box.write("work/" + name, "x\n") }
        try box.write("b1/n1", "new\n")
        // -n shows what the limit would leave out, and exits 1 as the real run would.
        let preview = try box.run(["--config", "cfg.json", "--work", "-D", "--max-delete", "3", "-n", "--from", "b1", "work"], env: env)
        #expect(preview.status == 1 && preview.stderr.contains("are more than --max-delete (3 items)"), "\(preview)")
        #expect(["x1", "x2", "x3", "x4"].allSatisfy { box.exists("work/" + $0) } && !box.exists("work/n1"), "\(preview)")
        let over = try box.run(["--config", "cfg.json", "--work", "-D", "--max-delete", "3", "--from", "b1", "work"], env: env)
        #expect(over.status == 1, "\(over)")
        #expect(["x1", "x2", "x3", "x4"].allSatisfy { box.exists("work/" + $0) }, "\(over)")
        #expect(box.read("work/n1") == "new\n", "\(over)")
        #expect(over.stderr.contains("4 items to delete in \(box.path("work")) are more than --max-delete (3 items): nothing deleted there; new items are still copied"), "\(over)")
        #expect(!box.exists("notify-send.log"), "an attended run is not notified")
    }

    @Test("--max-delete as a percentage of the items there: 15% of 20 allows 3, 14% does not")
    func maxDeletePercent() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        // WORK holds 17 of the files and 3 of its own: 20 items, 3 to delete.
        for name in ["f18", "f19", "f20"] { try FileManager.default.removeItem(atPath: box.path("work/" + name)) }
        for name in ["f18", "f19", "f20"] { try FileManager.default.removeItem(atPath: box.path("b1/" + name)) }
        for name in ["x1", "x2", "x3"] { try box.write("work/" + name, "x\n") }
        let over = try box.run(["--config", "cfg.json", "--work", "-D", "--max-delete", "14%", "--from", "b1", "work"], env: env)
        #expect(over.status == 1, "\(over)")
        #expect(box.exists("work/x1"), "\(over)")
        #expect(over.stderr.contains("(14% of 20 items)"), "\(over)")
        let under = try box.run(["--config", "cfg.json", "--work", "-D", "--max-delete", "15%", "--from", "b1", "work"], env: env)
        #expect(under.status == 0, "\(under)")
        #expect(!box.exists("work/x1") && !box.exists("work/x2") && !box.exists("work/x3"), "\(under)")
    }

    @Test("--max-overwrite with -m, as a percentage and as a count; an attended run over it asks nothing")
    func maxOverwrite() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        try modify(box, 3)
        let over = try box.run(["--config", "cfg.json", "--backup", "-m", "--max-overwrite", "10%", "work"], env: env)
        #expect(over.status == 1, "\(over)")
        #expect(box.read("b1/f01") == "f01\n", "\(over)")
        #expect(over.stderr.contains("3 modified items in \(box.path("b1")) are more than --max-overwrite (10% of 20 items)"), "\(over)")
        let prompted = try box.run(["--config", "cfg.json", "--backup", "--max-overwrite", "2", "work"], stdin: "m\n", env: env)
        #expect(prompted.status == 1 && !prompted.stdout.contains("[Modify/No]"), "past a limit nothing is asked\n\(prompted)")
        let under = try box.run(["--config", "cfg.json", "--backup", "-m", "--max-overwrite", "3", "work"], env: env)
        #expect(under.status == 0, "\(under)")
        #expect(box.read("b1/f03") == "changed\n", "\(under)")
    }

    @Test("a percentage limit counts the items of a remote BACKUP on its host (a name with a newline counts once)")
    func percentOverSSH() throws {
        let server = try SSHServer.shared()
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        try FileManager.default.moveItem(atPath: box.path("b1"), toPath: box.path("rb"))
        try FileManager.default.removeItem(atPath: box.path("rb/f20"))
        try FileManager.default.removeItem(atPath: box.path("work/f20"))
        try box.write("work/two\nlines", "n\n", mtime: 1_700_000_000)
        try box.write("rb/two\nlines", "n\n", mtime: 1_700_000_000)
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["\#(server.url(box.path("rb")))"],"ssh":\#(server.sshOptionsJSON)}]}"#)
        try modify(box, 3)
        let over = try box.run(["--config", "cfg.json", "--backup", "-m", "--max-overwrite", "14%", "work"], env: env)
        #expect(over.status == 1 && box.read("rb/f01") == "f01\n", "\(over)")
        #expect(over.stderr.contains("(14% of 20 items)"), "\(over)")
        let under = try box.run(["--config", "cfg.json", "--backup", "-m", "--max-overwrite", "15%", "work"], env: env)
        #expect(under.status == 0 && box.read("rb/f01") == "changed\n", "\(under)")
    }

    @Test("unattended -m/-D get the default limit of 10%; the config's max_delete and unattended_overwrite speak for the run")
    func defaultLimitAndConfigKeys() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        try modify(box, 3)
        let over = try box.run(["--config", "cfg.json", "--unattended", "--backup", "-m", "work"], env: env)
        #expect(over.status == 1, "\(over)")
        #expect(box.read("b1/f01") == "f01\n", "3 of 20 is more than 10%\n\(over)")
        #expect(over.stderr.contains("the default limit of unattended runs"), "\(over)")
        // Interactive -m has no default limit.
        try box.write("work/f04", "changed\n", mtime: 1_800_000_000)
        #expect(try box.run(["--config", "cfg.json", "--backup", "-m", "work"], env: env).status == 0)
        #expect(box.read("b1/f04") == "changed\n")

        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"max_overwrite":"50%","max_delete":1,"unattended_overwrite":true}]}"#)
        try modify(box, 5)
        for index in 1...5 { try box.write(String(format: "work/f%02d", index), "again\n", mtime: 1_900_000_000) }
        let keys = try box.run(["--config", "cfg.json", "--unattended", "--backup", "work"], env: env)
        #expect(keys.status == 0, "\(keys)")
        #expect(box.read("b1/f05") == "again\n", "\(keys)")
        try box.write("work/x1", "x\n")
        try box.write("work/x2", "x\n")
        let deletes = try box.run(["--config", "cfg.json", "--unattended", "--work", "-D", "--from", "b1", "work"], env: env)
        #expect(deletes.status == 1 && box.exists("work/x1"), "max_delete 1\n\(deletes)")
        #expect(deletes.stderr.contains("the config's \"max_delete\" (1 item)"), "\(deletes)")
        let bad = try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"max_delete":"lots"}]}"#)
        let refused = try box.run(["--config", bad, "--list"], env: env)
        #expect(refused.status == 2 && refused.stderr.contains("\"max_delete\" must be a whole number of items"), "\(refused)")
    }

    @Test("--unattended refuses -v, and the limits refuse a bad value or an action that cannot use them")
    func usage() throws {
        let box = try twenty()
        let env = try sandboxedEnvironment(box)
        for arguments in [["--unattended", "-v", "--backup", "work"], ["--backup", "--max-overwrite", "ten", "work"],
                          ["--backup", "--max-delete", "1", "work"], ["--status", "--unattended"], ["--tree", "--max-overwrite", "1", "work"]] {
            let r = try box.run(["--config", "cfg.json"] + arguments, env: env)
            #expect(r.status == 2, "\(arguments)\n\(r)")
        }
    }
}

@Suite("unattended runs and folders replaced by files")
struct UnattendedFolderReplacementTests {
    @Test("unattended -m never deletes what a folder replaced by a file holds without -D, and the delete limit counts it")
    func folderReplacedByAFileIsNotAWayAroundTheLimits() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for index in 1...50 { try box.write("b1/e/f\(index)", "kept\n") }
        for index in 1...9 { try box.write("work/w\(index)", "w\n"); try box.write("b1/w\(index)", "w\n") }
        try box.write("work/e", "now a file\n")
        let env = try sandboxedEnvironment(box)
        let run = try box.run(["--config", "cfg.json", "--unattended", "--backup", "-m", "work"], env: env)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("replace folders holding 50 items"), "\(run)")
        #expect((1...50).allSatisfy { box.read("b1/e/f\($0)") == "kept\n" }, "\(run)")
        // Attended, the question lists what the folder holds and the answer decides.
        let asked = try box.run(["--config", "cfg.json", "--backup", "work"], stdin: "m\n")
        #expect(asked.status == 0 && asked.stdout.contains("replaces a folder and the 50 items in it"), "\(asked)")
        #expect(box.read("b1/e") == "now a file\n", "\(asked)")
    }
}
