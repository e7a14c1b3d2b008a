/// Finds, reads and validates the configuration file (the README's "Configuration").
public struct ConfigurationLoader: Sendable {
    public let fileSystem: FileSystem

    public init(fileSystem: FileSystem) { self.fileSystem = fileSystem }

    static let topLevelKeys = ["configs"]
    static let configKeys = ["name", "work", "backup", "require_marker", "keep", "exclude", "ssh", "ssh_timeout", "acls_xattrs",
                             "max_delete", "max_overwrite", "unattended_overwrite", "unattended_delete", "stale_after_days", "parallel"]

    /// `--config FILE`, else `MICSYNC_CONFIG` (empty counts as unset), else `~/.micsync.json`;
    /// the first given is the file, with no fall-back when it is missing.
    public func configurationPath(explicit: String?, environment: String?) -> String {
        let chosen = explicit ?? ((environment?.isEmpty ?? true) ? "~/.micsync.json" : environment!)
        // Only `~` is expanded and the path made absolute: a link to the file is not followed,
        // so relative locations are taken from the folder the file was named in.
        return Paths.absolute(chosen, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory())
    }

    public func load(explicit: String?, environment: String?) throws(ConfigError) -> Configuration {
        try load(path: configurationPath(explicit: explicit, environment: environment))
    }

    public func load(path: String) throws(ConfigError) -> Configuration {
        let content: [UInt8]
        // A link to the file is fine (dotfile managers); what it leads to must be a regular file:
        // a named pipe or a device would hang or never end.
        var kind = fileSystem.kind(of: path)
        if kind == .symbolicLink { kind = fileSystem.realPath(path).map { fileSystem.kind(of: $0) } ?? .missing }
        switch kind {
        case .missing, .blockedByNonDirectory, .symbolicLink:
            throw ConfigError(file: path, message: "no such configuration file", hint: ConfigError.exampleHint)
        case .directory:
            throw ConfigError(file: path, message: "is a folder, not a configuration file", hint: ConfigError.exampleHint)
        case .other:
            throw ConfigError(file: path, message: "is not a regular file (a named pipe or a device?)", hint: ConfigError.exampleHint)
        case .regularFile:
            do { content = try fileSystem.readFile(path) } catch {
                throw ConfigError(file: path, message: "cannot be read: \(error.reason)", hint: ConfigError.exampleHint)
            }
        }
        return try configuration(from: content, file: path)
    }

    /// Validates `content` as if it were the file at `file` (relative locations are taken from
    /// its folder): the same rules as `load`, for text not yet written (`--init`).
    public func configuration(from content: [UInt8], file path: String) throws(ConfigError) -> Configuration {
        let root: JSONValue
        do { root = try JSONReader.parse(content) } catch {
            throw ConfigError(file: path, message: "\(Self.configLabel(of: error, in: content))not valid JSON: \(error.message) at line \(error.line), column \(error.column)")
        }
        return try validate(root, file: path)
    }

    /// "config \"NAME\": " (or by position) for a fault inside a config, so that a key given twice
    /// names its config like every other error; the name comes from a lenient second reading.
    static func configLabel(of error: JSONSyntaxError, in content: [UInt8]) -> String {
        guard error.context.count >= 2, error.context[0] == .key("configs"), case .index(let offset) = error.context[1] else { return "" }
        if let root = try? JSONReader.parse(content, rejectingDuplicateKeys: false), case .object(let top) = root,
           case .array(let configs)? = top.last(where: { $0.key == "configs" })?.value, offset < configs.count,
           case .object(let members) = configs[offset], case .string(let name)? = members.first(where: { $0.key == "name" })?.value, !name.isEmpty {
            return "config \"\(name)\": "
        }
        return "config at position \(offset + 1): "
    }

    func validate(_ root: JSONValue, file: String) throws(ConfigError) -> Configuration {
        guard case .object(let top) = root else {
            throw ConfigError(file: file, message: "the file must hold a JSON object with a \"configs\" list, not \(root.typeName)", hint: ConfigError.exampleHint)
        }
        for member in top where !Self.topLevelKeys.contains(member.key) {
            throw ConfigError(file: file, message: "unknown key \"\(member.key)\" at the top level (known: \(Self.topLevelKeys.joined(separator: ", ")))")
        }
        guard let configsValue = top.first(where: { $0.key == "configs" })?.value else {
            throw ConfigError(file: file, message: "no top-level \"configs\" list", hint: ConfigError.exampleHint)
        }
        guard case .array(let entries) = configsValue else {
            throw ConfigError(file: file, message: "\"configs\" must be a list, not \(configsValue.typeName)")
        }
        let base = Paths.parent(file)
        var configs: [Config] = []
        for (offset, entry) in entries.enumerated() {
            let config = try validateConfig(entry, position: offset + 1, base: base, file: file)
            if configs.contains(where: { $0.name == config.name }) {
                throw ConfigError(file: file, message: "two configs are named \"\(config.name)\"; names must differ")
            }
            configs.append(config)
        }
        return Configuration(file: file, configs: configs)
    }

    private func validateConfig(_ value: JSONValue, position: Int, base: String, file: String) throws(ConfigError) -> Config {
        var label = "config at position \(position)"
        guard case .object(let members) = value else {
            throw ConfigError(file: file, message: "\(label) must be an object, not \(value.typeName)")
        }
        if let name = members.first(where: { $0.key == "name" })?.value, case .string(let text) = name, !text.isEmpty {
            label = "config \"\(text)\""
        }
        for member in members where !Self.configKeys.contains(member.key) {
            throw ConfigError(file: file, message: "\(label): unknown key \"\(member.key)\" (known: \(Self.configKeys.joined(separator: ", ")))")
        }
        guard let nameValue = members.first(where: { $0.key == "name" })?.value else {
            throw ConfigError(file: file, message: "\(label): \"name\" is missing")
        }
        guard case .string(let name) = nameValue, !name.isEmpty else {
            throw ConfigError(file: file, message: "\(label): \"name\" must be a non-empty string, not \(nameValue == .string("") ? "empty" : nameValue.typeName)")
        }
        let ssh = RemoteSettings(options: try sshOptions(in: members, label: label, file: file),
                                 timeout: try sshTimeout(in: members, label: label, file: file))
        let work = try locations(.work, in: members, label: label, base: base, file: file, ssh: ssh)
        let backup = try locations(.backup, in: members, label: label, base: base, file: file, ssh: ssh)
        let all = work + backup
        for (i, first) in all.enumerated() {
            for second in all[(i + 1)...] {
                // Paths are compared only on one machine; a remote `~/x` and an absolute path
                // cannot be compared without asking the host, so they are not.
                switch (first.host, second.host) {
                case (nil, nil): break
                case (let one?, let other?) where one.isSameMachine(as: other) && first.path.hasPrefix("~") == second.path.hasPrefix("~")
                    && (!first.path.hasPrefix("~") || one.user == other.user): break
                default: continue
                }
                if first.path == second.path {
                    throw ConfigError(file: file, message: "\(label): \(first.role.rawValue) \"\(first.written)\" and \(second.role.rawValue) \"\(second.written)\" are the same folder (\(first.displayName))")
                }
                if Paths.contains(first.path, second.path) || Paths.contains(second.path, first.path) {
                    let (outer, inner) = Paths.contains(first.path, second.path) ? (first, second) : (second, first)
                    throw ConfigError(file: file, message: "\(label): \(inner.role.rawValue) \"\(inner.written)\" lies inside \(outer.role.rawValue) \"\(outer.written)\"; locations of one config must not nest")
                }
            }
        }
        var config = Config(name: name, work: work, backup: backup,
                            requireMarker: try flag("require_marker", in: members, label: label, file: file),
                            keep: try flag("keep", in: members, label: label, file: file),
                            exclude: try patterns(in: members, label: label, file: file),
                            aclsAndXattrs: try flag("acls_xattrs", in: members, label: label, file: file, default: true))
        config.parallel = try parallel(in: members, label: label, file: file)
        config.policy = ChangePolicy(maxDelete: try limit("max_delete", in: members, label: label, file: file),
                                     maxOverwrite: try limit("max_overwrite", in: members, label: label, file: file),
                                     unattendedOverwrite: try flag("unattended_overwrite", in: members, label: label, file: file),
                                     unattendedDelete: try flag("unattended_delete", in: members, label: label, file: file))
        config.staleAfterDays = try staleAfterDays(in: members, label: label, file: file)
        return config
    }

    /// `"max_delete"` / `"max_overwrite"`: a whole number of items, or a percentage as "10%".
    private func limit(_ key: String, in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> ChangeLimit? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        switch value {
        case .number(let number):
            if let count = Int(exactly: number), count >= 0, count < 1_000_000_000 { return .count(count) }
        case .string(let text):
            if let limit = ChangeLimit(parsing: text) { return limit }
        default: break
        }
        var shown = Self.describe(value)
        if case .string(let text) = value { shown = "\"" + PathBytes.display(text) + "\"" }
        throw ConfigError(file: file, message: "\(label): \"\(key)\" must be a whole number of items (such as 100) or a percentage from 0% to 100% (such as \"10%\"), not \(shown)")
    }

    private func staleAfterDays(in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> Int? {
        guard let value = members.first(where: { $0.key == "stale_after_days" })?.value else { return nil }
        guard case .number(let number) = value, let days = Int(exactly: number), (1...36500).contains(days) else {
            throw ConfigError(file: file, message: "\(label): \"stale_after_days\" must be a whole number of days from 1 to 36500, not \(Self.describe(value))")
        }
        return days
    }

    private func parallel(in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> Int? {
        guard let value = members.first(where: { $0.key == "parallel" })?.value else { return nil }
        guard case .number(let number) = value, let count = Int(exactly: number), (1...Self.parallelLimit).contains(count) else {
            throw ConfigError(file: file, message: "\(label): \"parallel\" must be a whole number from 1 to \(Self.parallelLimit) (destinations copied at once; 1: one after another), not \(Self.describe(value))")
        }
        return count
    }

    /// The most destinations `"parallel"` and `--parallel` may run at once.
    public static let parallelLimit = 64

    private func patterns(in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> [String] {
        guard let value = members.first(where: { $0.key == "exclude" })?.value else { return [] }
        guard case .array(let entries) = value else {
            throw ConfigError(file: file, message: "\(label): \"exclude\" must be a list of rsync patterns such as [\"*.tmp\", \"node_modules/\"], not \(value.typeName)")
        }
        var result: [String] = []
        for entry in entries {
            guard case .string(let pattern) = entry, !pattern.isEmpty, !pattern.unicodeScalars.contains("\0") else {
                throw ConfigError(file: file, message: "\(label): \"exclude\" must list non-empty strings, found \(entry == .string("") ? "an empty string" : entry.typeName)")
            }
            result.append(pattern)
        }
        return result
    }

    private func flag(_ key: String, in members: [(key: String, value: JSONValue)], label: String, file: String,
                      default missing: Bool = false) throws(ConfigError) -> Bool {
        guard let value = members.first(where: { $0.key == key })?.value else { return missing }
        guard case .bool(let flag) = value else {
            throw ConfigError(file: file, message: "\(label): \"\(key)\" must be true or false, not \(value.typeName)")
        }
        return flag
    }

    /// The config's SSH settings, given to each of its remote locations.
    struct RemoteSettings {
        var options: [String]
        var timeout: Int
    }

    private func sshOptions(in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> [String] {
        guard let value = members.first(where: { $0.key == "ssh" })?.value else { return [] }
        guard case .array(let entries) = value else {
            throw ConfigError(file: file, message: "\(label): \"ssh\" must be a list of ssh arguments such as [\"-i\", \"~/.ssh/backup_key\", \"-p\", \"2222\"], not \(value.typeName)")
        }
        var result: [String] = []
        for entry in entries {
            guard case .string(let argument) = entry, !argument.isEmpty, !argument.unicodeScalars.contains("\0") else {
                throw ConfigError(file: file, message: "\(label): \"ssh\" must list non-empty strings, found \(entry == .string("") ? "an empty string" : entry.typeName)")
            }
            // A shell would expand `~` in `-i ~/.ssh/key`; no shell is involved, so micsync does.
            result.append(argument == "~" || argument.hasPrefix("~/") ? Paths.absolute(argument, base: "/", home: fileSystem.homeDirectory()) : argument)
        }
        return result
    }

    private func sshTimeout(in members: [(key: String, value: JSONValue)], label: String, file: String) throws(ConfigError) -> Int {
        guard let value = members.first(where: { $0.key == "ssh_timeout" })?.value else { return RemoteHost.defaultTimeout }
        guard case .number(let number) = value, let seconds = Int(exactly: number), (1...3600).contains(seconds) else {
            throw ConfigError(file: file, message: "\(label): \"ssh_timeout\" must be a whole number of seconds from 1 to 3600, not \(Self.describe(value))")
        }
        return seconds
    }

    static func describe(_ value: JSONValue) -> String {
        if case .number(let number) = value { return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number) }
        return value.typeName
    }

    private func locations(_ role: Role, in members: [(key: String, value: JSONValue)], label: String, base: String, file: String,
                           ssh: RemoteSettings) throws(ConfigError) -> [Location] {
        let key = role == .work ? "work" : "backup"
        guard let value = members.first(where: { $0.key == key })?.value else {
            throw ConfigError(file: file, message: "\(label): \"\(key)\" is missing (a list of folders)")
        }
        guard case .array(let entries) = value, !entries.isEmpty else {
            throw ConfigError(file: file, message: "\(label): \"\(key)\" must be a non-empty list of folder paths, not \(value == .array([]) ? "an empty list" : value.typeName)")
        }
        var result: [Location] = []
        for entry in entries {
            guard case .string(let written) = entry, !written.isEmpty else {
                throw ConfigError(file: file, message: "\(label): \"\(key)\" must list non-empty strings, found \(entry == .string("") ? "an empty string" : entry.typeName)")
            }
            // No folder's path holds a NUL; the C library would stop there and mean another folder.
            guard !written.unicodeScalars.contains("\0") else {
                throw ConfigError(file: file, message: "\(label): the \(role.rawValue) location \"\(PathBytes.display(written))\" contains a NUL character")
            }
            if RemoteAddress.isRemote(written) {
                switch RemoteAddress.parse(written) {
                case .failure(let error):
                    throw ConfigError(file: file, message: "\(label): the \(role.rawValue) location \"\(PathBytes.display(written))\": \(error.message) (a local folder whose name holds a colon is written ./NAME)")
                case .success(let remote):
                    let host = RemoteHost(user: remote.user, host: remote.host, port: remote.port, sshOptions: ssh.options, timeout: ssh.timeout)
                    result.append(Location(role: role, path: remote.path, written: written, host: host))
                }
                continue
            }
            let absolute = Paths.absolute(written, base: base, home: fileSystem.homeDirectory())
            result.append(Location(role: role, path: Paths.resolvingLinks(absolute, in: fileSystem), written: written))
        }
        return result
    }
}
