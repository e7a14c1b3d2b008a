/// PATH arguments → config, origin and relative paths (the README's "Usage"), then the source and
/// destinations of the action (section 4). Choices go through `Questions`.
public struct Resolver: Sendable {
    let fileSystem: FileSystem
    let questions: Questions
    let console: Console
    /// Each inaccessible location is mentioned once, however often it is considered.
    private let noticed = NoticeLog()

    public init(fileSystem: FileSystem, questions: Questions, console: Console) {
        self.fileSystem = fileSystem
        self.questions = questions
        self.console = console
    }

    /// The copies to make, one per destination; `incomplete` when PATHs were left out.
    public struct Resolution: Equatable, Sendable {
        public var transfers: [TransferSpec]
        public var incomplete: Bool
    }

    public func resolve(_ request: Request, in configuration: Configuration) throws -> Resolution {
        let paths = try resolvePaths(request.paths, configuration: configuration)
        let (config, origin) = try chooseConfig(for: paths, request: request, configuration: configuration)
        let inOrigin = paths.map { Paths.relative($0, to: origin.path) }
        let parent = inOrigin.contains("") ? "" : Paths.parent(inOrigin[0])
        var names: [String] = []
        if !inOrigin.contains("") {
            for path in inOrigin where !names.contains(Paths.lastComponent(path)) { names.append(Paths.lastComponent(path)) }
        }

        let action = request.action
        let from = try request.from.map { try matchLocation($0, option: "--from", role: action.sourceRole, in: config) }
        var to: [Location] = []
        for written in request.to {
            let location = try matchLocation(written, option: "--to", role: action.destinationRole, in: config)
            if !to.contains(location) { to.append(location) }
        }
        if !action.hasSeveralDestinations && request.to.count > 1 {
            throw UsageError("\(action.flagName) copies to one location: --to may be given once")
        }

        if action == .transfer && config.backup.filter({ fileSystem.isAccessible($0, in: config) }).count < 2 {
            throw SyncError("--transfer needs at least two accessible BACKUP locations in config \"\(config.name)\"")
        }
        let sources = try pickSource(action: action, config: config, origin: origin, from: from)
        let destinations = try pickDestinations(action: action, config: config, origin: origin, source: sources, to: to)
        if sources.isRemote, let remote = destinations.filter(\.isRemote).first {
            throw UsageError("the source \(sources.displayName) and the destination \(remote.displayName) are both remote: rsync copies between two machines only when one of them is this one; "
                + "copy to a local location first, or run micsync on one of the two hosts")
        }

        // A PATH given in another location may be missing from the chosen source: left out.
        var incomplete = false
        if !names.isEmpty {
            let sourceFiles = fileSystem.on(sources)
            let found = sourceFiles.stamps(of: names.map { Paths.join(Paths.join(sources.path, parent), $0) })
            let present = zip(names, found).filter { $0.1 != nil }.map(\.0)
            for name in names where !present.contains(name) {
                console.warning("\(PathBytes.display(Paths.join(parent, name))) is not in the source \(sources.displayName); left out")
                incomplete = true
            }
            if present.isEmpty { return Resolution(transfers: [], incomplete: true) }
            names = present
        }
        let transfers = destinations.map {
            var spec = TransferSpec(action: action, configName: config.name, source: fileSystem.forCopying(sources),
                                    destination: fileSystem.forCopying($0), parent: parent, names: names)
            spec.keep = config.keep
            spec.exclude = config.exclude
            spec.aclsAndXattrs = config.aclsAndXattrs
            spec.policy = config.policy
            return spec
        }
        return Resolution(transfers: transfers, incomplete: incomplete)
    }

    /// Each PATH made absolute with the links of its folders resolved, its last component kept.
    func resolvePaths(_ arguments: [String], configuration: Configuration) throws -> [String] {
        guard !arguments.isEmpty else { throw UsageError("no PATH given") }
        let locations = configuration.configs.flatMap(\.locations).filter { !$0.isRemote }.map(\.path)
        var resolved: [String] = []
        for argument in arguments {
            let absolute = Paths.absolute(argument, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory())
            var path: String
            let last = Paths.lastComponent(absolute)
            let trimmed = argument.hasSuffix("/") ? String(argument.reversed().drop(while: { $0 == "/" }).reversed()) : argument
            if absolute == "/" || trimmed.hasSuffix("/.") || trimmed.hasSuffix("/..") || trimmed == "." || trimmed == ".." || trimmed == "~" {
                path = fileSystem.realPath(absolute) ?? absolute
            } else {
                let parent = Paths.parent(absolute)
                path = Paths.join(fileSystem.realPath(parent) ?? parent, last)
            }
            if fileSystem.kind(of: path) == .missing || fileSystem.kind(of: path) == .blockedByNonDirectory {
                throw PathError(message: "\(PathBytes.display(argument)): no such file or directory")
            }
            // A link that leads to a whole location means that location.
            if fileSystem.kind(of: path) == .symbolicLink, let target = fileSystem.realPath(path), locations.contains(target) {
                path = target
            }
            resolved.append(path)
        }
        let parents = resolved.map(Paths.parent)
        if let differing = parents.firstIndex(where: { $0 != parents[0] }) {
            throw UsageError("all PATHs must be in the same folder: \(PathBytes.display(arguments[0])) and \(PathBytes.display(arguments[differing])) are not")
        }
        return resolved
    }

    func chooseConfig(for paths: [String], request: Request, configuration: Configuration) throws -> (Config, Location) {
        var applicable: [(Config, Location)] = []
        for config in configuration.configs {
            if let location = config.locations.first(where: { location in paths.allSatisfy { location.holds($0) } }) {
                applicable.append((config, location))
            }
        }
        guard !applicable.isEmpty else {
            let named = paths.count == 1 ? PathBytes.display(paths[0]) : "these PATHs"
            let inSome = paths.contains { path in configuration.configs.flatMap(\.locations).contains { $0.holds(path) } }
            throw UsageError(inSome && paths.count > 1
                ? "the PATHs lie in different locations; give PATHs of one location"
                : "\(named) is in no location of any config in \(PathBytes.display(configuration.file))")
        }
        let describe: ((Config, Location)) -> String = { "\($0.0.name) (in \($0.1.role.rawValue) \(PathBytes.display($0.1.path)))" }
        if let name = request.configName {
            guard let match = applicable.first(where: { $0.0.name == name }) else {
                let exists = configuration.configs.contains { $0.name == name }
                throw UsageError("--config-name \(name): " + (exists ? "that config has no location holding the PATHs" : "no config has that name")
                    + "; configs holding them: " + applicable.map(describe).joined(separator: ", "))
            }
            return match
        }
        let index = try questions.choose("Several configs hold these paths; choose one", options: applicable.map(describe))
        return applicable[index]
    }

    /// A --from/--to LOCATION: a path matched, after normalisation, against the config's locations.
    func matchLocation(_ written: String, option: String, role: Role, in config: Config) throws -> Location {
        let valid = config.locations(role)
        if RemoteAddress.isRemote(written) {
            if case .success(let remote) = RemoteAddress.parse(written),
               let location = valid.first(where: { location in
                   guard let host = location.host else { return false }
                   return host.isSameMachine(as: RemoteHost(host: remote.host, port: remote.port)) && host.user == remote.user && location.path == remote.path
               }) {
                return location
            }
            throw UsageError("\(option) \(PathBytes.display(written)) is not a \(role.rawValue) location of config \"\(config.name)\"; valid: "
                + valid.map(\.displayName).joined(separator: ", "))
        }
        let absolute = Paths.absolute(written, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory())
        let path = Paths.resolvingLinks(absolute, in: fileSystem)
        if let location = valid.first(where: { !$0.isRemote && $0.path == path }) { return location }
        throw UsageError("\(option) \(PathBytes.display(written)) is not a \(role.rawValue) location of config \"\(config.name)\"; valid: "
            + valid.map(\.displayName).joined(separator: ", "))
    }

    private func accessible(_ locations: [Location], in config: Config) -> [Location] {
        locations.filter { location in
            if fileSystem.isAccessible(location, in: config) { return true }
            if noticed.first(location.address) {
                let why = whyInaccessible(location, in: config)
                console.warning("skipping \(location.role.rawValue) \(location.displayName): " + (why == Self.notAFolder ? "not accessible (\(why))" : why))
            }
            return false
        }
    }

    func pickSource(action: Action, config: Config, origin: Location, from: Location?) throws -> Location {
        let role = action.sourceRole
        if let chosen = from ?? (origin.role == role ? origin : nil) {
            guard fileSystem.isAccessible(chosen, in: config) else {
                throw SyncError("the source \(role.rawValue) \(chosen.displayName) is not accessible: \(whyInaccessible(chosen, in: config))")
            }
            return chosen
        }
        let candidates = accessible(config.locations(role), in: config)
        guard !candidates.isEmpty else { throw SyncError("no accessible \(role.rawValue) location in config \"\(config.name)\" to copy from") }
        return candidates[try questions.choose("Choose the \(role.rawValue) location to copy from", options: candidates.map(\.address))]
    }

    func pickDestinations(action: Action, config: Config, origin: Location, source: Location, to: [Location]) throws -> [Location] {
        let role = action.destinationRole
        if to.contains(source) { throw UsageError("--to \(source.displayName) is the source itself") }
        let given: [Location]? = !to.isEmpty ? to : (action == .work || action == .tree) && origin.role == role ? [origin] : nil
        let others = config.locations(role).filter { $0 != source }
        let destinations: [Location]
        if let given {
            destinations = accessible(given, in: config)
        } else {
            let candidates = accessible(others, in: config)
            guard !candidates.isEmpty else {
                throw SyncError("no accessible \(role.rawValue) location in config \"\(config.name)\" to copy to")
            }
            switch action {
            case .backup: destinations = candidates
            case .transfer:
                destinations = try questions.chooseSeveral("Choose the BACKUP locations to copy to", options: candidates.map(\.address)).map { candidates[$0] }
            case .work, .tree:
                destinations = [candidates[try questions.choose("Choose the WORK location to copy to", options: candidates.map(\.address))]]
            }
        }
        guard !destinations.isEmpty else { throw SyncError("no accessible \(role.rawValue) location to copy to") }
        return destinations
    }
}

/// A PATH that does not exist (exit status 2).
public struct PathError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension Resolver {
    /// A folder that exists, holding the marker file when its config requires one.
    func whyInaccessible(_ location: Location, in config: Config) -> String {
        if let reason = fileSystem.unreachableReason(location) {
            return "its host \(location.host?.destination ?? "") cannot be reached over SSH without a password: \(reason)"
        }
        if fileSystem.on(location).isDirectory(location.path) {
            return "it holds no \(ReservedName.marker) marker, which config \"\(config.name)\" requires (an empty mount point?); "
                + (location.isRemote ? "create it there with `ssh \(location.host!.destination) touch \(RemoteShell.quote(Paths.join(location.path, ReservedName.marker)))`"
                                     : "`micsync --mark \(location.displayName)` creates it")
        }
        return location.isRemote ? "no folder \(PathBytes.display(location.path)) on \(location.host!.destination)" : Self.notAFolder
    }

    static let notAFolder = "missing, not a folder, or its drive is not plugged in"


}

final class NoticeLog: Sendable {
    private let seen = Locked(Set<String>())
    /// True the first time `key` is seen (destinations are previewed side by side).
    func first(_ key: String) -> Bool { seen.withLock { $0.insert(key).inserted } }
}
