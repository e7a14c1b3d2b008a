import ArgumentParser
import MicsyncKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MicsyncCommand {
    /// Parses, runs, and exits with the status the README lists ("Output and exit status").
    public static func main() {
        Glibc.exit(run(arguments: rawArguments(), environment: environmentVariables()))
    }

    /// argv as lossless strings: a PATH may hold bytes that are not UTF-8 (see `PathBytes`).
    static func rawArguments() -> [String] {
        rawArguments(count: CommandLine.argc, vector: CommandLine.unsafeArgv, commandLineFile: "/proc/self/cmdline")
    }

    /// argv after the program's name. Some preloaded libraries (libfaketime's `LD_PRELOAD`) leave
    /// the count at 0: the kernel's copy of the command line is read then, and an empty one (or
    /// none) gives no arguments, never a trap.
    static func rawArguments(count: Int32, vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             commandLineFile: String) -> [String] {
        guard count > 0, let vector else { return argumentsAfterTheFirst(commandLineFile) }
        var arguments: [String] = []
        for index in 1..<Int(count) {
            guard let pointer = vector[index] else { break }
            arguments.append(PathBytes.string(UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) }))
        }
        return arguments
    }

    /// The NUL-separated words of a `/proc/PID/cmdline` file, without the first.
    static func argumentsAfterTheFirst(_ commandLineFile: String) -> [String] {
        guard let bytes = try? LocalFileSystem().readFile(commandLineFile), !bytes.isEmpty else { return [] }
        let words = (bytes.last == 0 ? bytes.dropLast() : bytes[...]).split(separator: 0, omittingEmptySubsequences: false)
        return words.dropFirst().map { PathBytes.string(Array($0)) }
    }

    static func environmentVariables() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    public static func run(arguments: [String], environment: [String: String]) -> Int32 {
        // Colour is decided before parsing, so that usage errors follow --color too.
        let choice = colorChoice(in: arguments) ?? .auto
        let console = StandardConsole(usesColor: choice.usesColor(isTerminal: StandardConsole.isTerminal(1), noColor: environment["NO_COLOR"]))
        let actions = actionsNamed(in: arguments)
        if Set(actions).count > 1 {
            console.writeError("micsync: give exactly one action; " + actions.map(\.flagName).joined(separator: " and ") + " were both given\n" + Syntax.of(nil) + "\n")
            return 2
        }
        var command: MicsyncCommand
        let (options, paths) = separatingPaths(arguments)
        do {
            // swift-argument-parser 1.8 takes time quadratic in the number of positional
            // arguments (a shell glob over a big folder): it gets the options and the first PATH
            // (so that its checks still see one), and the PATHs are set here.
            command = try parse(options + (paths.isEmpty ? [] : ["--", paths[0]]))
            if paths.count > 1 {
                command.paths = paths
                try command.validate()  // again, with every PATH: "--history takes at most one PATH"
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                console.write(fullMessage(for: error) + "\n")
                return 0
            }
            console.writeError("micsync: " + message(for: error) + "\n" + Syntax.of(arguments: arguments) + "\n")
            return 2
        }
        if command.status { return status(command.paths, checksum: command.checksum, configFile: command.configFile, configName: command.configName, console: console, environment: environment) }
        if command.history { return history(command.paths.first, configFile: command.configFile, console: console, environment: environment) }
        if command.list {
            let (fileSystem, sessions) = runFileSystem(environment)
            defer { sessions.close() }
            do {
                let configuration = try loadConfiguration(command.configFile, environment, fileSystem)
                sessions.expect(configuration.configs.flatMap(\.locations))
                let journal = Journal(path: Journal.defaultPath(environment: environment, home: fileSystem.homeDirectory()))
                var list = LocationList(fileSystem: fileSystem, console: console)
                list.probe = CapabilityProbe(runner: SpawningProcessRunner(), environment: environment, sessions: sessions)
                list.print(configuration, records: journal.records(fileSystem: fileSystem))
                return 0
            } catch {
                return report(error, action: nil, console: console)
            }
        }
        if command.schedules || command.unschedule != nil || command.schedule != nil {
            return scheduling(command, console: console, environment: environment)
        }
        if command.initialize { return initializeConfig(configFile: command.configFile, console: console, environment: environment) }
        if command.mark { return mark(command.paths[0], configFile: command.configFile, console: console, environment: environment) }
        var request = command.request()
        request.options.trashStamp = trashStamp()
        request.options.showProgress = StandardConsole.isTerminal(1) && !command.noProgress
        request.options.asRoot = geteuid() == 0
        return execute(request, console: console, environment: environment)
    }

    /// `--history [PATH]`: without PATH every run; with it, those of the configs holding it.
    static func history(_ path: String?, configFile: String?, console: Console, environment: [String: String]) -> Int32 {
        let fileSystem = LocalFileSystem()
        let journal = Journal(path: Journal.defaultPath(environment: environment, home: fileSystem.homeDirectory()))
        var configs: Set<String>?
        if let path {
            do {
                let configuration = try loadConfiguration(configFile, environment, fileSystem)
                let absolute = Paths.resolvingLinks(Paths.absolute(path, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory()), in: fileSystem)
                let holding = configuration.configs.filter { $0.locations.contains { $0.holds(absolute) } }
                guard !holding.isEmpty else {
                    throw UsageError("\(PathBytes.display(path)) is in no location of any config in \(PathBytes.display(configuration.file))")
                }
                configs = Set(holding.map(\.name))
            } catch {
                return report(error, action: nil, console: console, usage: "usage: " + Syntax.history)
            }
        }
        HistoryReport(console: console).print(journal.records(fileSystem: fileSystem), configs: configs, journal: journal.path)
        return 0
    }

    /// `--status [-c] [PATH...]`: locations and differences between WORK and BACKUP; read-only.
    static func status(_ paths: [String], checksum: Bool, configFile: String?, configName: String?, console: Console, environment: [String: String]) -> Int32 {
        let (fileSystem, sessions) = runFileSystem(environment)
        defer { sessions.close() }
        let journal = Journal(path: Journal.defaultPath(environment: environment, home: fileSystem.homeDirectory()))
        do {
            let configuration = try loadConfiguration(configFile, environment, fileSystem)
            sessions.expect(configuration.configs.flatMap(\.locations))
            var report = StatusReport(fileSystem: fileSystem, runner: SpawningProcessRunner(), console: console, environment: environment)
            report.treeComparison = LocalTreeComparison()
            report.sessions = sessions
            report.probe = CapabilityProbe(runner: SpawningProcessRunner(), environment: environment, sessions: sessions)
            report.asRoot = geteuid() == 0
            return try report.run(configuration, paths: paths, checksum: checksum, records: journal.records(fileSystem: fileSystem), configName: configName)
        } catch {
            let code = report(error, action: nil, console: console, usage: "usage: " + Syntax.status)
            return code == 1 ? 2 : code
        }
    }

    /// `--schedule`, `--schedules`, `--unschedule`: systemd user units in
    /// $XDG_CONFIG_HOME/systemd/user, enabled with systemctl --user when a user manager runs.
    static func scheduling(_ command: MicsyncCommand, console: Console, environment: [String: String]) -> Int32 {
        let fileSystem = LocalFileSystem()
        let units = LocalUnitFolder(path: LocalUnitFolder.defaultPath(environment: environment, home: fileSystem.homeDirectory()))
        let executable = fileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        let scheduler = Scheduler(fileSystem: fileSystem, runner: SpawningProcessRunner(), console: console, units: units,
                                  environment: environment, executable: executable)
        do {
            if command.schedules {
                let journal = Journal(path: Journal.defaultPath(environment: environment, home: fileSystem.homeDirectory()))
                scheduler.list(records: journal.records(fileSystem: fileSystem), now: LastCopy.currentTime())
            } else if let name = command.unschedule {
                try scheduler.unschedule(name)
            } else if let when = command.schedule {
                let configuration = try loadConfiguration(command.configFile, environment, fileSystem)
                try scheduler.schedule(command.request(), when: when, configuration: configuration)
            }
            return 0
        } catch let error as UsageError {
            console.writeError("micsync: " + error.message + "\n")
            return 2
        } catch {
            return report(error, action: command.action?.action, console: console)
        }
    }

    /// `--init`: asks for a config and adds it to the configuration file (created if missing).
    static func initializeConfig(configFile: String?, console: Console, environment: [String: String]) -> Int32 {
        let fileSystem = LocalFileSystem()
        let path = ConfigurationLoader(fileSystem: fileSystem).configurationPath(explicit: configFile, environment: environment["MICSYNC_CONFIG"])
        let prompter = StandardInputPrompter(console: console, echoesAnswers: !StandardConsole.isTerminal(0))
        do {
            try ConfigInitializer(fileSystem: fileSystem, prompter: prompter, console: console).run(path: path)
            return 0
        } catch {
            return report(error, action: nil, console: console)
        }
    }

    static func mark(_ path: String, configFile: String?, console: Console, environment: [String: String]) -> Int32 {
        let fileSystem = LocalFileSystem()
        do {
            let configuration = try loadConfiguration(configFile, environment, fileSystem)
            let location = try Marker(fileSystem: fileSystem).mark(path, in: configuration)
            console.line("Marked \(location.role.rawValue) \(location.displayName) with \(ReservedName.marker)")
            return 0
        } catch {
            return report(error, action: nil, console: console)
        }
    }

    /// `YYYY-MM-DD_HHMMSS` in local time: the trash folder of this run.
    static func trashStamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))_\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
    }

    /// The last valid `--color WHEN` or `--color=WHEN` before `--`.
    static func colorChoice(in arguments: [String]) -> ColorChoice? {
        var choice: ColorChoice?
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--color", index + 1 < arguments.count { choice = ColorChoice(rawValue: arguments[index + 1]) ?? choice }
            if argument.hasPrefix("--color=") { choice = ColorChoice(rawValue: String(argument.dropFirst(8))) ?? choice }
        }
        return choice
    }

    /// Splits argv into options (with their values) and PATHs: after `--` everything is a PATH;
    /// `-` alone and anything not starting with `-` is one, unless it is an option's value.
    static func separatingPaths(_ arguments: [String]) -> (options: [String], paths: [String]) {
        let takesValue: Set<String> = ["--config", "--config-name", "--from", "--to", "--color", "--generate-completion-script",
                                       "--max-delete", "--max-overwrite", "--schedule", "--unschedule", "--parallel"]
        var options: [String] = []
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                paths += arguments[(index + 1)...]
                break
            }
            if argument.hasPrefix("-") && argument != "-" {
                options.append(argument)
                if takesValue.contains(argument) && index + 1 < arguments.count {
                    options.append(arguments[index + 1])
                    index += 1
                }
            } else {
                paths.append(argument)
            }
            index += 1
        }
        return (options, paths)
    }

    /// The message of a parse error, without the usage block ArgumentParser appends.
    static func message(for error: Error) -> String {
        let full = fullMessage(for: error)
        let text = full.hasPrefix("Error: ") ? String(full.dropFirst(7)) : full
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See ") }
            .joined(separator: "\n").trimmingTrailingNewlines()
    }

    static func actionNamed(in arguments: [String]) -> Action? { actionsNamed(in: arguments).first }

    static func actionsNamed(in arguments: [String]) -> [Action] {
        var actions: [Action] = []
        for argument in arguments {
            if argument == "--" { break }
            if argument.hasPrefix("--"), let action = Action(rawValue: String(argument.dropFirst(2))) { actions.append(action) }
        }
        return actions
    }

    /// The local disc, and remote locations through SSH connections opened on first use (the
    /// caller closes them).
    static func runFileSystem(_ environment: [String: String]) -> (RoutingFileSystem, SSHSessions) {
        let sessions = SSHSessions(runner: SpawningProcessRunner(), environment: environment, clock: { monotonicSeconds() })
        return (RoutingFileSystem(local: LocalFileSystem(), sessions: sessions), sessions)
    }

    static func execute(_ request: Request, console: Console, environment: [String: String]) -> Int32 {
        let (fileSystem, sessions) = runFileSystem(environment)
        defer { sessions.close(keepingFolder: request.options.verbose) }
        // Unattended, nothing is read from standard input: a question ends the run (exit 3).
        let prompter: Prompter = request.options.unattended ? UnattendedPrompter(console: console)
            : StandardInputPrompter(console: console, echoesAnswers: !StandardConsole.isTerminal(0))
        let questions = Questions(prompter: prompter, console: console)
        let log = RunLog(journal: Journal(path: Journal.defaultPath(environment: environment, home: fileSystem.homeDirectory())),
                         console: console, action: request.action, unattended: request.options.unattended, environment: environment)
        func told(_ code: Int32) -> Int32 {
            log.notifyIfNeeded(code: code, runner: SpawningProcessRunner(), environment: environment)
            return code
        }
        do {
            let configuration = try loadConfiguration(request.configFile, environment, fileSystem)
            sessions.expect(configuration.configs.flatMap(\.locations))
            let resolution = try Resolver(fileSystem: fileSystem, questions: questions, console: console)
                .resolve(request, in: configuration)
            var engine = Engine(runner: SpawningProcessRunner(), questions: questions, console: console,
                                fileSystem: fileSystem, locking: FlockLocationLocking(), options: request.options, environment: environment,
                                clock: { monotonicSeconds() })
            engine.sessions = sessions
            engine.probe = CapabilityProbe(runner: SpawningProcessRunner(), environment: environment, sessions: sessions)
            engine.treeComparison = LocalTreeComparison()
            engine.onFinished = { spec, totals, outcome in log.finished(spec, totals, status: Int(status(for: outcome))) }
            var outcome: Outcome = resolution.incomplete ? .incomplete : .done
            if resolution.incomplete { log.note("some PATHs are not in the source") }
            if resolution.transfers.isEmpty && outcome != .done { log.stopped("nothing was copied", config: request.configName, status: 1) }
            let config = configuration.configs.first { $0.name == resolution.transfers.first?.configName }
            let limit = request.options.parallel ?? config?.parallel ?? resolution.transfers.count
            var scheduler = DestinationScheduler(engine: engine, console: console, fileSystem: fileSystem, limit: limit,
                                                 showsProgress: request.options.showProgress, clock: { monotonicSeconds() })
            scheduler.wasInterrupted = { SpawningProcessRunner.wasInterrupted }
            scheduler.onDestinationEnded = { spec, result, recorded in
                log.after(spec, outcome: result, status: Int(status(for: result)), recorded: recorded)
            }
            outcome = max(outcome, try scheduler.run(resolution.transfers))
            return told(status(for: outcome))
        } catch let error as CancelledError where request.options.unattended {
            console.writeError("micsync: --unattended, and a question needs an answer: \"\(error.question)\"; "
                + "give --config-name, --from or --to so that none is asked. Nothing more was changed.\n")
            log.stopped("a question needed an answer (\(error.question))", config: request.configName, status: 3)
            return told(3)
        } catch {
            let code = report(error, action: request.action, console: console)
            if code != 0 { log.stopped("\(error)", config: request.configName, status: Int(code)) }
            return told(code)
        }
    }

    /// The configuration file named by --config, else MICSYNC_CONFIG, else ~/.micsync.json.
    static func loadConfiguration(_ configFile: String?, _ environment: [String: String], _ fileSystem: FileSystem) throws(ConfigError) -> Configuration {
        try ConfigurationLoader(fileSystem: fileSystem).load(explicit: configFile, environment: environment["MICSYNC_CONFIG"])
    }

    /// Prints an error once and gives its exit status (the README's "Output and exit status").
    /// `usage`: the usage shown with a usage error, when it is not that of `action`.
    static func report(_ error: Error, action: Action?, console: Console, usage: String? = nil) -> Int32 {
        switch error {
        case let error as ConfigError:
            console.writeError("micsync: " + error.description + "\n")
            return 2
        case let error as UsageError:
            console.writeError("micsync: " + error.message + "\n" + (usage ?? Syntax.of(action)) + "\n")
            return 2
        case let error as PathError:
            console.writeError("micsync: " + error.message + "\n")
            return 2
        case let error as SyncError:
            console.writeError("micsync: " + error.message + "\n")
            return 1
        case let error as CancelledError:
            console.writeError("micsync: " + error.description + "\n")
            return error.interrupted ? 130 : 3
        default:
            console.writeError("micsync: \(error)\n")
            return 1
        }
    }

    static func status(for outcome: Outcome) -> Int32 {
        switch outcome {
        case .done: 0
        case .incomplete, .failed: 1
        case .interrupted: 130
        }
    }
}

func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
