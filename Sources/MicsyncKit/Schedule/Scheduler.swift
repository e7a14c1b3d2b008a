/// `--schedule`, `--schedules` and `--unschedule`: systemd user units for runs that happen by
/// themselves. Every systemd program runs through the runner (systemd-analyze to check a
/// calendar before anything is written, systemd-escape for a drive's mount unit, systemctl
/// --user to enable), and the unit files go through a `UnitFolder`: both are seams.
public struct Scheduler: Sendable {
    let fileSystem: FileSystem
    let runner: ProcessRunner
    let console: Console
    let units: UnitFolder
    let environment: [String: String]
    /// The micsync binary the units run (absolute).
    let executable: String

    public init(fileSystem: FileSystem, runner: ProcessRunner, console: Console, units: UnitFolder,
                environment: [String: String], executable: String) {
        self.fileSystem = fileSystem
        self.runner = runner
        self.console = console
        self.units = units
        self.environment = environment
        self.executable = executable
    }

    /// The word that ties a schedule to the BACKUP's drive instead of a calendar.
    public static let onMount = "mount"

    /// Checks everything, writes the units, and enables them (or says how).
    public func schedule(_ request: Request, when: String, configuration: Configuration) throws {
        if when != Self.onMount { try checkCalendar(when) }
        let planned = try plan(request, when: when, configuration: configuration)
        for name in [planned.serviceName, planned.timerName] where units.read(name) != nil {
            throw UsageError("\(planned.name) is already scheduled (\(PathBytes.display(Paths.join(units.path, name)))): "
                + "micsync --unschedule \(planned.name) first to replace it")
        }
        do {
            try units.create(planned.serviceName, text: planned.service)
            if let timer = planned.timer {
                do { try units.create(planned.timerName, text: timer) } catch {
                    try? units.remove(planned.serviceName)
                    throw error
                }
            }
        } catch let error as FileError {
            throw SyncError("cannot write the units to \(PathBytes.display(units.path)): \(error.reason)")
        }
        console.line("Scheduled \(planned.name): \(planned.summary), \(planned.when).")
        console.line("  wrote " + ([planned.serviceName] + (planned.timer == nil ? [] : [planned.timerName]))
            .map { PathBytes.display(Paths.join(units.path, $0)) }.joined(separator: " and "))
        console.line("  runs: " + planned.command.map(ShellQuote.quote).joined(separator: " "))
        let enabling = [["daemon-reload"], ["enable"] + (planned.timer == nil ? [] : ["--now"]) + [planned.enabledUnit]]
        try enableOrExplain(enabling, done: "Enabled with systemctl --user.")
    }

    /// The units for a request, with nothing written: the config, the PATHs, and for a drive
    /// its BACKUP and mount unit, all checked.
    func plan(_ request: Request, when: String, configuration: Configuration) throws -> ScheduleUnits {
        let resolver = Resolver(fileSystem: fileSystem, questions: Questions(prompter: UnattendedPrompter(console: console), console: console), console: console)
        let paths = try resolver.resolvePaths(request.paths, configuration: configuration)
        var holding = configuration.configs.filter { config in paths.allSatisfy { path in config.locations.contains { $0.holds(path) } } }
        if let name = request.configName { holding = holding.filter { $0.name == name } }
        guard let config = holding.first else {
            throw UsageError("the PATHs are in no location of " + (request.configName.map { "config \"\($0)\" in " } ?? "any config in ") + PathBytes.display(configuration.file))
        }
        if holding.count > 1 {
            throw UsageError("several configs hold the PATHs (" + holding.map(\.name).joined(separator: ", ") + "): name one with --config-name")
        }
        var from = request.from.map(absoluteLocation)
        var to = request.to.map(absoluteLocation)
        var trigger = ScheduleTrigger.calendar(when)
        if when == Self.onMount {
            let (drive, mountUnit, mountPoint) = try driveOf(config, action: request.action, from: from, to: to)
            trigger = .mount(unit: mountUnit, mountPoint: mountPoint)
            if request.action.destinationRole == .backup {
                if to.isEmpty { to = [drive.address] }
            } else if from == nil {
                from = drive.address
            }
            if !config.requireMarker {
                console.line("Tip: with \"require_marker\": true in config \"\(config.name)\" (and micsync --mark on the drive) only the drive that holds the marker is written to.")
            }
        }
        let names = paths.contains { path in config.locations.contains { $0.path == path } } ? [] : paths.map(Paths.lastComponent)
        let name = ScheduleUnits.name(action: request.action, config: config.name, names: names, onMount: when == Self.onMount)
        var command = [executable, "--unattended", "--config", configuration.file, "--config-name", config.name, request.action.flagName]
        command += flags(request.options)
        command += (from.map { ["--from", $0] } ?? []) + to.flatMap { ["--to", $0] }
        command += ["--"] + paths
        var variables: [(String, String)] = []
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { variables.append(("XDG_STATE_HOME", state)) }
        return ScheduleUnits(name: name, trigger: trigger, command: command, environment: variables,
                             summary: "\(request.action.rawValue) of \(config.name)")
    }

    /// The options of a run that a scheduled run repeats.
    func flags(_ options: SyncOptions) -> [String] {
        var flags: [String] = []
        if options.overwriteWithoutAsking { flags.append("-m") }
        switch options.deletion {
        case .never: break
        case .ask: flags.append("-d")
        case .withoutAsking: flags.append("-D")
        }
        if options.keep { flags.append("-k") }
        if options.filesOnly { flags.append("-s") }
        if options.waitForLock { flags.append("--wait") }
        if options.allowEmptySource { flags.append("--allow-empty-source") }
        if let limit = options.maxDelete { flags += ["--max-delete", limit.description] }
        if let limit = options.maxOverwrite { flags += ["--max-overwrite", limit.description] }
        return flags
    }

    /// A local --from/--to made absolute (the unit runs in another folder); a remote one as given.
    func absoluteLocation(_ written: String) -> String {
        RemoteAddress.isRemote(written) ? written : Paths.absolute(written, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory())
    }

    /// `systemd-analyze calendar`: the calendar is refused before anything is written.
    func checkCalendar(_ calendar: String) throws {
        guard !calendar.contains(where: \.isNewline) else { throw UsageError("a calendar is one line, not \(PathBytes.display(calendar))") }
        let result = try systemd(["systemd-analyze", "calendar", calendar], purpose: "to check the calendar")
        guard result.status == 0 else {
            let reason = result.errorOutput.split(separator: "\n").first.map(String.init) ?? "exit status \(result.status)"
            throw UsageError("\"\(PathBytes.display(calendar))\" is not a calendar systemd understands (\(reason)); "
                + "for example daily, weekly, \"Mon..Fri 18:00\", \"*-*-* 12:30\", or mount for when the BACKUP's drive is mounted")
        }
    }

    /// Runs a systemd program; a usage error (nothing changed) when it cannot be started.
    func systemd(_ arguments: [String], purpose: String, output: ((String) -> Void)? = nil) throws -> ProcessResult {
        do {
            return try runner.run(arguments, environment: environment, timeLimit: 30) { output?($0) }
        } catch {
            throw UsageError("cannot run \(arguments[0]) \(purpose): \(error.reason) (is systemd installed?)")
        }
    }
}
