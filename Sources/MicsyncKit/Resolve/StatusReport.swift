/// `micsync --status [PATH...]`: for each applicable config, every location (accessible or not,
/// free space, the last completed copy each BACKUP received), then each accessible WORK compared
/// with each accessible BACKUP by one rsync dry run. Reads only; changes nothing anywhere.
public struct StatusReport: Sendable {
    let fileSystem: FileSystem
    let runner: ProcessRunner
    let console: Console
    let environment: [String: String]
    /// The SSH connections for remote locations (nil: every location is local).
    public var sessions: SSHSessions?
    /// Names shown for each kind of difference.
    public static let shownNames = 5
    /// The time "ago" and `"stale_after_days"` count from (seconds since 1970).
    public var now = LastCopy.currentTime()

    public init(fileSystem: FileSystem, runner: ProcessRunner, console: Console, environment: [String: String]) {
        self.fileSystem = fileSystem
        self.runner = runner
        self.console = console
        self.environment = environment
    }

    /// How one WORK and one BACKUP differ (location-relative paths).
    public struct Comparison: Equatable, Sendable {
        public var onlyInWork: [String] = []
        public var modified: [String] = []
        public var onlyInBackup: [String] = []
        public var inStep: Bool { onlyInWork.isEmpty && modified.isEmpty && onlyInBackup.isEmpty }
        public init() {}

        /// Sorts one itemized line: creations are only in WORK, deletions only in the BACKUP, and
        /// any other change of a non-folder is a modification (folder attributes do not count).
        public mutating func add(_ line: ItemizedLine, path: String) {
            if line.isDeletion { onlyInBackup.append(path) }
            else if line.isCreation { onlyInWork.append(path) }
            else if !line.isDirectory && line.fileType != "d" { modified.append(path) }
        }
    }

    /// The overall result: 0 every accessible BACKUP in step, 1 any differs, 2 an rsync failed,
    /// 130 interrupted. Throws for PATHs in no location (usage errors).
    public func run(_ configuration: Configuration, paths: [String], checksum: Bool, records: [JournalRecord]) throws -> Int32 {
        var chosen: [(Config, parent: String, names: [String])] = []
        if paths.isEmpty {
            chosen = configuration.configs.map { ($0, "", []) }
        } else {
            let resolver = Resolver(fileSystem: fileSystem, questions: Questions(prompter: NoAnswers(), console: console), console: console)
            let resolved = try resolver.resolvePaths(paths, configuration: configuration)
            for config in configuration.configs {
                guard let origin = config.locations.first(where: { location in resolved.allSatisfy { location.holds($0) } }) else { continue }
                let inOrigin = resolved.map { Paths.relative($0, to: origin.path) }
                if inOrigin.contains("") { chosen.append((config, "", [])); continue }
                var names: [String] = []
                for path in inOrigin where !names.contains(Paths.lastComponent(path)) { names.append(Paths.lastComponent(path)) }
                chosen.append((config, Paths.parent(inOrigin[0]), names))
            }
            guard !chosen.isEmpty else {
                let named = paths.count == 1 ? PathBytes.display(resolved[0]) : "these PATHs"
                throw UsageError("\(named) is in no location of any config in \(PathBytes.display(configuration.file))")
            }
        }

        let list = LocationList(fileSystem: fileSystem, console: console)
        var differs = false
        var failed = false
        var stale = false
        for (index, entry) in chosen.enumerated() {
            let config = entry.0
            if index > 0 { console.line() }
            console.line(console.styled(config.name, .bold))
            for location in config.locations {
                let accessible = fileSystem.isAccessible(location, in: config)
                var text = "  \(location.role.rawValue.padding(6)) \(location.displayName)  " + list.state(of: location, in: config)
                if accessible, let free = fileSystem.on(location).freeSpace(at: location.path) { text += ", " + Report.bytes(free) + " free" }
                if location.role == .backup {
                    let last = LastCopy(of: location, in: config, records: records, now: now)
                    text += last.text(console: console, now: now, staleAfterDays: config.staleAfterDays)
                    stale = stale || last.isStale
                }
                console.line(text)
            }
            let works = config.work.filter { fileSystem.isAccessible($0, in: config) }
            let backups = config.backup.filter { fileSystem.isAccessible($0, in: config) }
            let scope = entry.names.isEmpty ? (entry.parent.isEmpty ? "" : " " + PathBytes.display(entry.parent))
                : " " + entry.names.map { PathBytes.display(Paths.join(entry.parent, $0)) }.joined(separator: ", ")
            if works.isEmpty || backups.isEmpty {
                console.line("  nothing to compare: no accessible " + (works.isEmpty ? "WORK" : "BACKUP") + " location")
                continue
            }
            for work in works {
                for backup in backups {
                    console.line()
                    console.line("  " + work.displayName + " → " + backup.displayName
                        + (scope.isEmpty ? "" : " (" + scope.dropFirst() + ")") + (checksum ? ", contents compared" : "") + ":")
                    if work.isRemote && backup.isRemote {
                        console.line("    " + console.styled("not compared", .yellow) + ": both are remote, and rsync compares two machines only when one of them is this one")
                        continue
                    }
                    var spec = TransferSpec(action: .backup, configName: config.name, source: fileSystem.forCopying(work), destination: fileSystem.forCopying(backup),
                                            parent: entry.parent, names: entry.names)
                    spec.exclude = config.exclude
                    switch compare(spec, checksum: checksum) {
                    case .failure(let message):
                        console.line("    " + console.styled("not compared", .red))
                        console.warning(message)
                        failed = true
                    case .interrupted:
                        return 130
                    case .success(let comparison):
                        if comparison.inStep {
                            console.line("    " + console.styled("in step", .green))
                        } else {
                            differs = true
                            show("only in WORK (not backed up)", comparison.onlyInWork, all: false)
                            show("modified", comparison.modified, all: checksum)
                            show("only in BACKUP", comparison.onlyInBackup, all: false)
                        }
                    }
                }
            }
        }
        console.line()
        if failed {
            console.line("Some locations could not be compared.")
            return 2
        }
        console.line(differs ? console.styled("Some BACKUPs differ from WORK.", .yellow) : console.styled("Every accessible BACKUP is in step with WORK.", .green))
        if stale { console.line(console.styled("Some BACKUPs are stale: no completed copy within their config's \"stale_after_days\".", .red)) }
        return differs || stale ? 1 : 0
    }

    func show(_ label: String, _ names: [String], all: Bool) {
        guard !names.isEmpty else { return }
        let shown = all ? names : Array(names.prefix(Self.shownNames))
        console.line("    \(label) (\(names.count)):")
        for name in shown { console.line("      " + PathBytes.display(name)) }
        if shown.count < names.count { console.line("      … and \(names.count - shown.count) more") }
    }

    enum Outcome { case success(Comparison), failure(String), interrupted }

    /// One dry run of the backup with deletion (WORK → BACKUP), itemized.
    func compare(_ given: TransferSpec, checksum: Bool) -> Outcome {
        var comparison = Comparison()
        var spec = given
        if !spec.isWholeLocation {
            // An item missing from this WORK (given in another location) is only in the BACKUP.
            var present: [String] = []
            let inWork = fileSystem.on(spec.source).stamps(of: spec.names.map { Paths.join(Paths.join(spec.source.path, spec.parent), $0) })
            let inBackup = fileSystem.on(spec.destination).stamps(of: spec.names.map { Paths.join(Paths.join(spec.destination.path, spec.parent), $0) })
            for (index, name) in spec.names.enumerated() {
                if inWork[index] != nil { present.append(name); continue }
                if inBackup[index] != nil { comparison.onlyInBackup.append(Paths.join(spec.parent, name)) }
            }
            if present.isEmpty { return .success(comparison) }
            var trimmed = TransferSpec(action: spec.action, configName: spec.configName, source: spec.source, destination: spec.destination, parent: spec.parent, names: present)
            trimmed.exclude = spec.exclude
            spec = trimmed
        }
        var command = RsyncCommand(spec: spec, existingPrefix: fileSystem.existingPrefix(of: spec))
        if let host = spec.source.host ?? spec.destination.host {
            guard let sessions else { return .failure("\(host.destination) is remote and this run has no SSH connections") }
            command.remoteShell = sessions.rsyncShell(for: host)
            if command.needsNamesList {
                guard let list = ListFile.write(command.namesList, environment: environment) else { return .failure("cannot write a temporary file list") }
                command.remoteNamesList = list
            }
        }
        defer { command.remoteNamesList.map(ListFile.remove) }
        var arguments = command.preview(deleting: true)
        if checksum { arguments.insert("--checksum", at: 1) }
        do {
            let result = try runner.run(arguments, environment: RsyncCommand.environment(from: environment)) { text in
                guard let line = ItemizedLine.parse(text) else { return }
                comparison.add(line, path: command.locationPath(ofPrinted: line.name))
            }
            if result.interrupted { return .interrupted }
            if result.status != 0 {
                let detail = result.errorOutput.split(separator: "\n").first.map(String.init) ?? ""
                return .failure("comparing \(spec.source.displayName) with \(spec.destination.displayName): rsync exited with status \(result.status)" + (detail.isEmpty ? "" : ": " + detail))
            }
        } catch {
            return .failure(error.description)
        }
        return .success(comparison)
    }

}

/// `--status` asks nothing.
struct NoAnswers: Prompter {
    func answer(_ prompt: String) -> String? { nil }
}
