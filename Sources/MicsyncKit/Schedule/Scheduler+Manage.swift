/// The drive of a plug-in schedule, the user manager, `--schedules` and `--unschedule`.
extension Scheduler {
    /// The BACKUP a plug-in schedule is tied to (--to, else --from, else the config's only
    /// one), its mount unit and mount point. The drive must be mounted now, so that its mount
    /// point can be found.
    func driveOf(_ config: Config, action: Action, from: String?, to: [String]) throws -> (Location, unit: String, mountPoint: String) {
        func matching(_ written: String) -> Location? { config.backup.first { $0.address == written || $0.path == written } }
        let named = to.first ?? (action.sourceRole == .backup ? from : nil)
        let drive: Location
        if let named {
            guard let found = matching(named) else {
                throw UsageError("\(PathBytes.display(named)) is not a BACKUP of config \"\(config.name)\": --schedule mount needs the BACKUP on the drive")
            }
            drive = found
        } else {
            guard config.backup.count == 1 else {
                throw UsageError("config \"\(config.name)\" has several BACKUPs: name the one on the drive with --to")
            }
            drive = config.backup[0]
        }
        guard !drive.isRemote else {
            throw UsageError("\(drive.displayName) is on another machine: no drive of this one is mounted for it (use a calendar instead)")
        }
        guard fileSystem.isDirectory(drive.path), let real = fileSystem.realPath(drive.path) else {
            throw UsageError("\(drive.displayName) is not accessible: plug the drive in (and mount it) once, so that its mount point can be found")
        }
        let table = PathBytes.string((try? fileSystem.readFile("/proc/self/mountinfo")) ?? [])
        let mountPoint = MountTable.entry(holding: real, in: MountTable.parse(table))?.mountPoint
        guard let mountPoint, mountPoint != "/" else {
            throw UsageError("\(drive.displayName) is not on a drive of its own (it is on the file system mounted at /): --schedule mount needs a drive that is plugged in and mounted")
        }
        var escaped = ""
        let result = try systemd(["systemd-escape", "--path", "--suffix=mount", "--", mountPoint], purpose: "to name the drive's mount unit") { escaped += $0 }
        guard result.status == 0, escaped.hasSuffix(".mount") else {
            throw UsageError("systemd-escape could not name the mount unit of \(PathBytes.display(mountPoint)) (exit status \(result.status))")
        }
        return (drive, escaped, mountPoint)
    }

    /// Whether a systemd user manager answers (`systemctl --user show-environment`).
    func userManagerRuns() -> Bool {
        (try? runner.run(["systemctl", "--user", "show-environment"], environment: environment, timeLimit: 10) { _ in })?.status == 0
    }

    /// Runs `systemctl --user` with each argument list when a user manager runs; otherwise
    /// prints exactly those commands.
    func enableOrExplain(_ commands: [[String]], done: String) throws {
        let lines = commands.map { "systemctl --user " + $0.map(ShellQuote.quote).joined(separator: " ") }
        guard userManagerRuns() else {
            console.line("No systemd user manager is running here (systemctl --user cannot reach one), so nothing was enabled or started. "
                + "In a session that has one, run:")
            for line in lines { console.line("    " + line) }
            return
        }
        for (command, line) in zip(commands, lines) {
            let result = try systemd(["systemctl", "--user"] + command, purpose: "")
            guard result.status == 0 else {
                throw SyncError("\(line) failed (exit status \(result.status)): " + result.errorOutput.trimmingSpaces())
            }
        }
        console.line(done)
    }

    /// `--schedules`: each scheduled run, whether it is enabled, and when it last ran (from the history).
    public func list(records: [JournalRecord], now: Int) {
        let services = units.names().filter { $0.hasPrefix(ScheduleUnits.prefix) && $0.hasSuffix(".service") }
        guard !services.isEmpty else {
            console.line("Nothing is scheduled (no micsync units in \(PathBytes.display(units.path))).")
            return
        }
        for (index, service) in services.enumerated() {
            let name = String(service.dropLast(".service".count))
            let hasTimer = units.read(name + ".timer") != nil
            let enabled = !units.wanting(hasTimer ? name + ".timer" : service).isEmpty
            let described = units.read(service).flatMap(ScheduleUnits.described(service:))
            if index > 0 { console.line() }
            console.line(console.styled(name, .bold) + "  " + (enabled ? console.styled("enabled", .green) : console.styled("not enabled", .yellow)))
            console.line("  " + (described?.description ?? "(not written by micsync: no description)"))
            if let command = described?.command { console.line("  runs: " + command) }
            let runs = records.filter { $0.schedule == name }
            if let last = runs.max(by: { $0.time < $1.time }) {
                let failed = last.status != 0
                console.line("  last ran " + HistoryReport.localTime(last.time) + " (" + LastCopy.ago(now - last.time) + "): "
                    + (failed ? console.styled("incomplete", .yellow) : console.styled("done", .green)))
            } else {
                console.line("  " + console.styled("has not run yet", .yellow) + " (no run recorded in the history)")
            }
        }
    }

    /// `--unschedule NAME`: stops and disables it where a user manager runs, and removes its
    /// units and the links that enabled them.
    public func unschedule(_ given: String) throws {
        var name = given
        for suffix in [".service", ".timer"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        guard name.hasPrefix(ScheduleUnits.prefix), !name.contains("/") else {
            throw UsageError("\(PathBytes.display(given)) is not a micsync schedule: their names start with \(ScheduleUnits.prefix) (micsync --schedules lists them)")
        }
        let files = [name + ".timer", name + ".service"].filter { units.read($0) != nil }
        guard !files.isEmpty else {
            throw UsageError("nothing is scheduled as \(PathBytes.display(name)) in \(PathBytes.display(units.path)) (micsync --schedules lists what is)")
        }
        let running = userManagerRuns()
        if running {
            _ = try systemd(["systemctl", "--user", "disable", "--now"] + files, purpose: "to disable the units")
        }
        for file in files {
            do { try units.remove(file) } catch {
                throw SyncError("cannot remove \(PathBytes.display(error.path)): \(error.reason)")
            }
        }
        if running { _ = try systemd(["systemctl", "--user", "daemon-reload"], purpose: "") }
        console.line("Unscheduled \(name): removed " + files.map { PathBytes.display(Paths.join(units.path, $0)) }.joined(separator: " and ")
            + (running ? "; stopped and disabled with systemctl --user." : "; no systemd user manager is running here, so there was nothing to stop."))
    }
}
