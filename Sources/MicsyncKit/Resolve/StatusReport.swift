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
    /// What each location's drive can store (nil: everything).
    public var probe: DriveProbing?
    /// micsync runs as root: owners are compared, by number.
    public var asRoot = false
    /// Compares two local trees directly, so that a BACKUP in step needs no rsync run (nil: every
    /// comparison is rsync's dry run); see `QuickComparison`.
    public var treeComparison: TreeComparing?
    /// Where the names list of a remote source is written.
    public var lists: TemporaryLists
    /// Names shown for each kind of difference.
    public static let shownNames = 5
    /// The time "ago" and `"stale_after_days"` count from (seconds since 1970).
    public var now = LastCopy.currentTime()

    public init(fileSystem: FileSystem, runner: ProcessRunner, console: Console, environment: [String: String]) {
        self.fileSystem = fileSystem
        self.runner = runner
        self.console = console
        self.environment = environment
        self.lists = TemporaryListFiles(environment: environment)
    }

    /// How one WORK and one BACKUP differ (location-relative paths).
    public struct Comparison: Equatable, Sendable {
        public var onlyInWork: [String] = []
        /// Items only in WORK beyond those named in `onlyInWork` (counted, not held).
        public var moreOnlyInWork = 0
        public var modified: [String] = []
        public var onlyInBackup: [String] = []
        /// Items the BACKUP's drive cannot store, with the reason: not backed up.
        public var cannotBeStored: [String] = []
        public var inStep: Bool { onlyInWork.isEmpty && modified.isEmpty && onlyInBackup.isEmpty && cannotBeStored.isEmpty }
        public init() {}

        /// Sorted as a backup's preview sorts them: new items are only in WORK, deletions only in
        /// the BACKUP, and a changed non-folder is a modification (folder attributes do not
        /// count). A change of type (a file in WORK where the BACKUP has a folder, or the other
        /// way round) is one modification, which takes what is inside the folder with it.
        public init(_ preview: Preview) {
            let replacingFolders = preview.modified.filter { $0.isDirectory && $0.replaces != nil }.map(\.path)
            onlyInWork = preview.new.filter { change in !replacingFolders.contains { change.path.hasPrefix($0 + "/") } }.map(\.path)
            moreOnlyInWork = preview.newBeyondHeld
            modified = preview.modified.map(\.path)
                + preview.caseRenames.map { ($0.renamedFrom ?? "") + " (named " + $0.path + " in WORK)" }
            onlyInBackup = preview.deletions.map(\.path)
            cannotBeStored = preview.unstorable.map { $0.path + " (" + ($0.refusal ?? "cannot be stored") + ")" }
        }
    }

    /// The overall result: 0 every location compared and every BACKUP in step, 1 any differs,
    /// 4 in step where compared while a location could not be compared (missing, unreachable),
    /// 2 an rsync failed, 130 interrupted. Throws for PATHs in no location and an unknown
    /// `configName` (usage errors).
    public func run(_ configuration: Configuration, paths: [String], checksum: Bool, records: [JournalRecord],
                    configName: String? = nil) throws -> Int32 {
        var tally = Tally()
        for (index, entry) in try chosen(configuration, paths: paths, configName: configName).enumerated() {
            if index > 0 { console.line() }
            console.line(console.styled(entry.config.name, .bold))
            listLocations(of: entry.config, records: records, tally: &tally)
            if !compareLocations(of: entry, checksum: checksum, tally: &tally) { return 130 }
        }
        return verdict(tally)
    }

    /// What the comparisons found, for the verdict.
    struct Tally {
        var differs = false
        var failed = false
        /// Locations (and pairs) that could not be compared: "in step" is then only where compared.
        var notCompared: [String] = []
        /// A BACKUP's last completed copy is older than its config's `"stale_after_days"`.
        var stale = false
    }

    /// A config and the items of it to compare (none: the whole locations).
    struct Chosen {
        var config: Config
        var parent: String
        var names: [String]
    }

    /// The configs to report: every one (or the named one), or those holding the PATHs.
    func chosen(_ configuration: Configuration, paths: [String], configName: String?) throws -> [Chosen] {
        var configuration = configuration
        if let configName {
            guard let named = configuration.configs.first(where: { $0.name == configName }) else {
                throw UsageError("--config-name \(configName): no config has that name in \(PathBytes.display(configuration.file))")
            }
            configuration = Configuration(file: configuration.file, configs: [named])
        }
        if paths.isEmpty { return configuration.configs.map { Chosen(config: $0, parent: "", names: []) } }
        let resolver = Resolver(fileSystem: fileSystem, questions: Questions(prompter: NoAnswers(), console: console), console: console)
        let resolved = try resolver.resolvePaths(paths, configuration: configuration)
        var chosen: [Chosen] = []
        for config in configuration.configs {
            guard let origin = config.locations.first(where: { location in resolved.allSatisfy { location.holds($0) } }) else { continue }
            let inOrigin = resolved.map { Paths.relative($0, to: origin.path) }
            if inOrigin.contains("") { chosen.append(Chosen(config: config, parent: "", names: [])); continue }
            var names: [String] = []
            for path in inOrigin where !names.contains(Paths.lastComponent(path)) { names.append(Paths.lastComponent(path)) }
            chosen.append(Chosen(config: config, parent: Paths.parent(inOrigin[0]), names: names))
        }
        guard !chosen.isEmpty else {
            let named = paths.count == 1 ? PathBytes.display(resolved[0]) : "these PATHs"
            throw UsageError("\(named) is in no location of " + (configName.map { "config \($0)" } ?? "any config") + " in \(PathBytes.display(configuration.file))")
        }
        return chosen
    }

    /// Each location: accessible or not, free space, and a BACKUP's last completed copy.
    func listLocations(of config: Config, records: [JournalRecord], tally: inout Tally) {
        let list = LocationList(fileSystem: fileSystem, console: console)
        for location in config.locations {
            let accessible = fileSystem.isAccessible(location, in: config)
            var text = "  \(location.role.rawValue.padding(6)) \(location.displayName)  " + list.state(of: location, in: config)
            if accessible, let free = fileSystem.on(location).freeSpace(at: location.path) { text += ", " + Report.bytes(free) + " free" }
            if location.role == .backup {
                let last = LastCopy(of: location, in: config, records: records, now: now)
                text += last.text(console: console, now: now, staleAfterDays: config.staleAfterDays)
                tally.stale = tally.stale || last.isStale
            }
            console.line(text)
            if !accessible { tally.notCompared.append(location.role.rawValue + " " + location.displayName) }
        }
    }

    /// Each accessible WORK against each accessible BACKUP; false when interrupted.
    func compareLocations(of entry: Chosen, checksum: Bool, tally: inout Tally) -> Bool {
        let config = entry.config
        let works = config.work.filter { fileSystem.isAccessible($0, in: config) }
        let backups = config.backup.filter { fileSystem.isAccessible($0, in: config) }
        let scope = entry.names.isEmpty ? (entry.parent.isEmpty ? "" : " " + PathBytes.display(entry.parent))
            : " " + entry.names.map { PathBytes.display(Paths.join(entry.parent, $0)) }.joined(separator: ", ")
        if works.isEmpty || backups.isEmpty {
            console.line("  nothing to compare: no accessible " + (works.isEmpty ? "WORK" : "BACKUP") + " location")
            return true
        }
        for work in works {
            for backup in backups {
                console.line()
                console.line("  " + work.displayName + " → " + backup.displayName
                    + (scope.isEmpty ? "" : " (" + scope.dropFirst() + ")") + (checksum ? ", contents compared" : "") + ":")
                if work.isRemote && backup.isRemote {
                    console.line("    " + console.styled("not compared", .yellow) + ": both are remote, and rsync compares two machines only when one of them is this one")
                    tally.notCompared.append(work.displayName + " → " + backup.displayName)
                    continue
                }
                var spec = TransferSpec(action: .backup, configName: config.name, source: fileSystem.forCopying(work), destination: fileSystem.forCopying(backup),
                                        parent: entry.parent, names: entry.names)
                spec.exclude = config.exclude
                spec.aclsAndXattrs = config.aclsAndXattrs
                switch compare(spec, checksum: checksum) {
                case .failure(let message):
                    console.line("    " + console.styled("not compared", .red))
                    console.warning(message)
                    tally.failed = true
                case .interrupted:
                    return false
                case .success(let comparison):
                    if comparison.inStep {
                        console.line("    " + console.styled("in step", .green))
                    } else {
                        tally.differs = true
                        show("only in WORK (not backed up)", comparison.onlyInWork, all: false, more: comparison.moreOnlyInWork)
                        show("modified", comparison.modified, all: checksum)
                        show("only in BACKUP", comparison.onlyInBackup, all: false)
                        show("cannot be stored in the BACKUP (not backed up)", comparison.cannotBeStored, all: true)
                    }
                }
            }
        }
        return true
    }

    /// The last line and the exit status.
    func verdict(_ tally: Tally) -> Int32 {
        console.line()
        if tally.failed {
            console.line("Some locations could not be compared.")
            return 2
        }
        let notCompared = tally.notCompared
        let unseen = notCompared.isEmpty ? "" : "\(notCompared.count) not compared (missing or unreachable): " + notCompared.map(PathBytes.display).joined(separator: ", ")
        if tally.differs {
            console.line(console.styled("Some BACKUPs differ from WORK" + (unseen.isEmpty ? "." : "; " + unseen + "."), .yellow))
        } else if !notCompared.isEmpty {
            console.line(console.styled("Every accessible BACKUP is in step with WORK, but not every location was compared: " + unseen + ".", .yellow))
        } else {
            console.line(console.styled("Every BACKUP is in step with WORK.", .green))
        }
        if tally.stale { console.line(console.styled("Some BACKUPs are stale: no completed copy within their config's \"stale_after_days\".", .red)) }
        return tally.differs || tally.stale ? 1 : notCompared.isEmpty ? 0 : 4
    }

    func show(_ label: String, _ names: [String], all: Bool, more: Int = 0) {
        guard !names.isEmpty else { return }
        let shown = all ? names : Array(names.prefix(Self.shownNames))
        let count = names.count + more
        console.line("    \(label) (\(count)):")
        for name in shown { console.line("      " + PathBytes.display(name)) }
        if shown.count < count { console.line("      … and \(count - shown.count) more") }
    }

    enum Outcome { case success(Comparison), failure(String), interrupted }

    /// One dry run of the backup with deletion (WORK → BACKUP), itemized.
    func compare(_ given: TransferSpec, checksum: Bool) -> Outcome {
        var comparison = Comparison()
        var found: [String] = []
        var spec = given
        if !spec.isWholeLocation {
            // An item missing from this WORK (given in another location) is only in the BACKUP.
            var present: [String] = []
            let inWork = fileSystem.on(spec.source).stamps(of: spec.names.map { Paths.join(Paths.join(spec.source.path, spec.parent), $0) })
            let inBackup = fileSystem.on(spec.destination).stamps(of: spec.names.map { Paths.join(Paths.join(spec.destination.path, spec.parent), $0) })
            for (index, name) in spec.names.enumerated() {
                if inWork[index] != nil { present.append(name); continue }
                if inBackup[index] != nil { found.append(Paths.join(spec.parent, name)) }
            }
            if present.isEmpty {
                comparison.onlyInBackup = found
                return .success(comparison)
            }
            var trimmed = TransferSpec(action: spec.action, configName: spec.configName, source: spec.source, destination: spec.destination, parent: spec.parent, names: present)
            trimmed.exclude = spec.exclude
            trimmed.aclsAndXattrs = spec.aclsAndXattrs
            spec = trimmed
        }
        var command = RsyncCommand(spec: spec, existingPrefix: fileSystem.existingPrefix(of: spec))
        command.checksum = checksum
        // Compared as a backup copies: what either side cannot hold is not compared.
        let destination = probe?.capabilities(of: spec.destination) ?? .everything()
        let source = probe?.capabilities(of: spec.source) ?? .everything()
        command.fidelity = CopyFidelity.between(source: source, destination: destination,
                                                sourceRsync: probe?.rsync(for: spec.source) ?? .full,
                                                destinationRsync: probe?.rsync(for: spec.destination) ?? .full,
                                                aclsAndAttributes: spec.aclsAndXattrs, asRoot: asRoot)
        command.itemizesEverything = !destination.caseSensitive
        if QuickComparison.applies(to: spec, command: command, drives: (source, destination), singleRun: false), let treeComparison,
           runner.catchingInterrupts({ interrupted in
               treeComparison.compare(source: spec.source.path, destination: spec.destination.path, deleting: true, foldersOnly: false,
                                      interrupted: interrupted)
           }) == .identical {
            return .success(comparison)
        }
        if let host = spec.source.host ?? spec.destination.host {
            guard let sessions else { return .failure("\(host.destination) is remote and this run has no SSH connections") }
            command.remoteShell = sessions.rsyncShell(for: host)
            if command.needsNamesList {
                guard let list = lists.write(command.namesList) else { return .failure("cannot write a temporary file list") }
                command.remoteNamesList = list
            }
        }
        defer { command.remoteNamesList.map(lists.remove) }
        var builder = PreviewBuilder(command: command, sourceFiles: fileSystem.on(spec.source), destinationFiles: fileSystem.on(spec.destination),
                                     destination: destination, deleting: true)
        do {
            let result = try runner.run(command.preview(deleting: true), environment: RsyncCommand.environment(from: environment)) { text in
                if ItemizedLine.parse(text, withLinks: true) != nil { builder.add(text) }
            }
            if result.interrupted { return .interrupted }
            if result.status != 0 {
                let detail = result.errorOutput.split(separator: "\n").first.map(String.init) ?? ""
                return .failure("comparing \(spec.source.displayName) with \(spec.destination.displayName): rsync exited with status \(result.status)" + (detail.isEmpty ? "" : ": " + detail))
            }
        } catch {
            return .failure(error.description)
        }
        comparison = Comparison(builder.finish())
        comparison.onlyInBackup = found + comparison.onlyInBackup
        return .success(comparison)
    }

}

/// `--status` asks nothing.
struct NoAnswers: Prompter {
    func answer(_ prompt: String) -> String? { nil }
}
