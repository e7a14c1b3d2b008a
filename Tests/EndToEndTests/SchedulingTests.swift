// --schedule, --schedules and --unschedule with the real binary and the real systemd tools
// (systemd-analyze, systemd-escape). systemd is not running where these tests run: the units are
// checked with `systemd-analyze verify` and `calendar`, and the user manager is either absent
// (no D-Bus session, a runtime folder of the sandbox) or a stub `systemctl` that records its
// arguments. Nothing is written outside the sandbox (XDG_CONFIG_HOME, XDG_STATE_HOME there).

import Foundation
import Testing

@Suite("scheduling")
struct SchedulingTests {
    func setUp() throws -> (Sandbox, [String: String?]) {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/a.txt", "a\n")
        return (box, try sandboxedEnvironment(box))
    }

    /// Every file under a folder of the sandbox, relative to it.
    func files(_ box: Sandbox, _ folder: String) -> [String] {
        box.snapshot(folder).keys.sorted()
    }

    @Test("--schedule daily without a user manager writes a oneshot service and a Persistent timer that systemd verifies, prints what to run, and changes nothing else")
    func dailyWithoutUserManager() throws {
        let (box, env) = try setUp()
        let r = try box.run(["--config", "cfg.json", "--schedule", "daily", "--backup", "-m", "work"], env: env)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("No systemd user manager is running here"), "\(r)")
        #expect(r.stdout.contains("    systemctl --user daemon-reload\n    systemctl --user enable --now micsync-backup-docs.timer\n"), "\(r)")
        #expect(files(box, "xdg") == ["systemd/", "systemd/user/", "systemd/user/micsync-backup-docs.service", "systemd/user/micsync-backup-docs.timer"], "\(r)")
        #expect(!box.exists("state") && box.snapshot("b1").isEmpty, "no run, no history\n\(r)")
        let units = box.path("xdg/systemd/user/")
        let service = box.read("xdg/systemd/user/micsync-backup-docs.service") ?? ""
        let binary = URL(fileURLWithPath: Binary.path).resolvingSymlinksInPath().path
        #expect(service.contains("\nType=oneshot\n"), "\(service)")
        #expect(service.contains("\nExecStart=\(binary) --unattended --config \(box.path("cfg.json")) --config-name Docs --backup -m -- \(box.path("work"))\n"), "\(service)")
        let timer = box.read("xdg/systemd/user/micsync-backup-docs.timer") ?? ""
        #expect(timer.contains("\nOnCalendar=daily\nPersistent=true\n") && timer.contains("\nWantedBy=timers.target\n"), "\(timer)")
        let verify = try box.shell("systemd-analyze verify '\(units)micsync-backup-docs.service' '\(units)micsync-backup-docs.timer' 2>&1")
        #expect(verify.status == 0, "\(verify)")
        let calendar = try box.shell("systemd-analyze calendar \"$(sed -n 's/^OnCalendar=//p' '\(units)micsync-backup-docs.timer')\"")
        #expect(calendar.status == 0 && calendar.stdout.contains("Normalized form: *-*-* 00:00:00"), "\(calendar)")

        // The command the service runs does the backup, and --schedules then says when it ran.
        let command = try #require(r.lines.first { $0.hasPrefix("  runs: ") }).dropFirst("  runs: ".count)
        let ran = try box.shell("export XDG_STATE_HOME='\(box.path("state"))' MICSYNC_SCHEDULE=micsync-backup-docs PATH='\(box.path("stubs"))':\"$PATH\"; \(command)")
        #expect(ran.status == 0 && box.read("b1/a.txt") == "a\n", "\(ran)")
        let listed = try box.run(["--schedules"], env: env)
        #expect(listed.stdout.contains("micsync-backup-docs  not enabled\n  backup of Docs, daily\n"), "\(listed)")
        #expect(listed.stdout.contains("last ran ") && listed.stdout.contains("(just now): done"), "\(listed)")
    }

    @Test("a calendar systemd does not understand is refused before anything is written (exit 2)")
    func badCalendar() throws {
        let (box, env) = try setUp()
        let r = try box.run(["--config", "cfg.json", "--schedule", "every full moon", "--backup", "work"], env: env)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("\"every full moon\" is not a calendar systemd understands"), "\(r)")
        #expect(!box.exists("xdg"), "\(r)")
        let dry = try box.run(["--config", "cfg.json", "--schedule", "daily", "--backup", "-n", "work"], env: env)
        #expect(dry.status == 2 && !box.exists("xdg"), "\(dry)")
    }

    @Test("with a user manager (a stub systemctl) the timer is enabled and started with systemctl --user")
    func enabledWithUserManager() throws {
        let (box, _) = try setUp()
        let env = try sandboxedEnvironment(box, extraStubs: ["systemctl"])
        let r = try box.run(["--config", "cfg.json", "--schedule", "Mon..Fri 18:00", "--backup", "work"], env: env)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Enabled with systemctl --user."), "\(r)")
        #expect(box.read("systemctl.log") == "--user\nshow-environment\n--\n--user\ndaemon-reload\n--\n--user\nenable\n--now\nmicsync-backup-docs.timer\n--\n", "\(r)")
        let unscheduled = try box.run(["--unschedule", "micsync-backup-docs"], env: env)
        #expect(unscheduled.status == 0, "\(unscheduled)")
        #expect(box.read("systemctl.log")?.contains("--user\ndisable\n--now\nmicsync-backup-docs.timer\nmicsync-backup-docs.service\n--\n") == true)
        #expect(files(box, "xdg/systemd/user") == [], "\(unscheduled)")
    }

    @Test("--schedule mount ties the service to the BACKUP drive's .mount unit; --unschedule removes it and its enabling link")
    func onMount() throws {
        let (box, env) = try setUp()
        // /dev/shm is a real mount point that needs no root; the BACKUP lives there for this test.
        let drive = "/dev/shm/micsync-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: drive + "/docs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: drive) }
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","\#(drive)/docs"]}]}"#)
        let several = try box.run(["--config", "cfg.json", "--schedule", "mount", "--backup", "work"], env: env)
        #expect(several.status == 2 && several.stderr.contains("has several BACKUPs: name the one on the drive with --to"), "\(several)")
        let r = try box.run(["--config", "cfg.json", "--schedule", "mount", "--backup", "--to", drive + "/docs", "work"], env: env)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("systemctl --user enable micsync-backup-docs-mount.service"), "\(r)")
        let service = box.read("xdg/systemd/user/micsync-backup-docs-mount.service") ?? ""
        #expect(service.contains("\nRequires=dev-shm.mount\nAfter=dev-shm.mount\n"), "\(service)")
        #expect(service.contains("\n[Install]\nWantedBy=dev-shm.mount\n"), "\(service)")
        #expect(service.contains(" --backup --to \(drive)/docs -- \(box.path("work"))\n"), "\(service)")
        #expect(!box.exists("xdg/systemd/user/micsync-backup-docs-mount.timer"))
        let local = try box.run(["--config", "cfg.json", "--schedule", "mount", "--backup", "--to", "b1", "work"], env: env)
        #expect(local.status == 2 && local.stderr.contains("is not on a drive of its own"), "\(local)")

        // As `systemctl --user enable` would have done it:
        try box.folder("xdg/systemd/user/dev-shm.mount.wants")
        try box.link("xdg/systemd/user/dev-shm.mount.wants/micsync-backup-docs-mount.service", to: "../micsync-backup-docs-mount.service")
        #expect(try box.run(["--schedules"], env: env).stdout.contains("micsync-backup-docs-mount  enabled\n  backup of Docs, when /dev/shm is mounted\n"))
        let removed = try box.run(["--unschedule", "micsync-backup-docs-mount"], env: env)
        #expect(removed.status == 0 && removed.stdout.contains("nothing to stop"), "\(removed)")
        #expect(files(box, "xdg/systemd/user") == ["dev-shm.mount.wants/"], "\(removed)")
        #expect(try box.run(["--schedules"], env: env).stdout.contains("Nothing is scheduled"))
        #expect(try box.run(["--unschedule", "micsync-backup-docs-mount"], env: env).status == 2)
    }
}

@Suite("stale backups")
struct StaleTests {
    @Test("--status and --list say how long ago each BACKUP last received a completed copy and flag those older than stale_after_days (status exit 1)")
    func staleFlags() throws {
        let box = try Sandbox()
        for folder in ["work", "b1", "b2"] { try box.folder(folder) }
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","b2"],"stale_after_days":7}]}"#)
        let now = Int(Date().timeIntervalSince1970)
        func record(_ destination: String, _ age: Int, status: Int = 0) -> String {
            #"{"time":\#(now - age),"action":"backup","config":"Docs","source":"\#(box.path("work"))","destination":"\#(box.path(destination))","copied":1,"overwritten":0,"deleted":0,"bytes":1,"status":\#(status)}"#
        }
        try box.write("state/micsync/history.jsonl", [record("b1", 10 * 86_400), record("b1", 86_400, status: 1), record("b2", 3 * 3_600)].joined(separator: "\n") + "\n")
        let env = try sandboxedEnvironment(box)
        let status = try box.run(["--config", "cfg.json", "--status"], env: env)
        #expect(status.status == 1, "\(status)")
        let b1 = status.lines.first { $0.contains(box.path("b1") + "  ") } ?? ""
        let b2 = status.lines.first { $0.contains(box.path("b2") + "  ") } ?? ""
        #expect(b1.contains("(10 days ago)  STALE (none completed in the last 7 days)"), "\(status)")
        #expect(b2.contains("(3 hours ago)") && !b2.contains("STALE"), "\(status)")
        #expect(status.stdout.contains("Every BACKUP is in step with WORK.") && status.stdout.contains("Some BACKUPs are stale"), "\(status)")
        let list = try box.run(["--config", "cfg.json", "--list"], env: env)
        #expect(list.status == 0, "\(list)")
        #expect(list.lines.contains { $0.contains(box.path("b1")) && $0.contains("(10 days ago)  STALE") }, "\(list)")
        #expect(list.lines.contains { $0.contains(box.path("b2")) && $0.contains("(3 hours ago)") && !$0.contains("STALE") }, "\(list)")

        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","b2"]}]}"#)
        let relaxed = try box.run(["--config", "cfg.json", "--status"], env: env)
        #expect(relaxed.status == 0 && !relaxed.stdout.contains("STALE") && relaxed.stdout.contains("(10 days ago)"), "without the key nothing is stale\n\(relaxed)")
    }
}
