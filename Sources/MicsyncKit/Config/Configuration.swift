/// The two kinds of location a config links.
public enum Role: String, Sendable, CaseIterable {
    case work = "WORK"
    case backup = "BACKUP"
}

/// A folder named in the configuration file, normalised: absolute, no trailing slash, symbolic
/// links resolved where it exists. A remote location (`host` set) keeps its path as written on
/// that machine, normalised lexically (absolute, or `~/…` until the home is known).
public struct Location: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let role: Role
    public let path: String
    /// As written in the file, for messages.
    public let written: String
    /// The machine a remote location lives on; nil for a local folder.
    public let host: RemoteHost?
    /// How the location is named to people and in the history: its path, or `[user@]host:path`.
    /// It stays the same when a remote `~` is replaced by the home folder for a copy.
    public let address: String

    public init(role: Role, path: String, written: String? = nil, host: RemoteHost? = nil) {
        self.role = role
        self.path = path
        self.written = written ?? path
        self.host = host
        self.address = host.map { Location.address(of: path, on: $0) } ?? path
    }

    private init(role: Role, path: String, written: String, host: RemoteHost?, address: String) {
        self.role = role
        self.path = path
        self.written = written
        self.host = host
        self.address = address
    }

    public var isRemote: Bool { host != nil }

    /// Whether a local path (a PATH argument) is this location or lies inside it; PATHs are
    /// always local, so a remote location holds none.
    public func holds(_ localPath: String) -> Bool { !isRemote && Paths.contains(path, localPath) }

    /// The same location with its path given anew (a remote `~` replaced by the home folder),
    /// still named as configured.
    public func withPath(_ newPath: String) -> Location {
        Location(role: role, path: newPath, written: written, host: host, address: address)
    }

    /// A path inside this location as rsync takes it: `[user@]host:PATH` for a remote one.
    public func rsyncOperand(_ path: String) -> String {
        host.map { $0.destination + ":" + path } ?? path
    }

    /// The name people read: printable, with `\#ooo` for bytes a terminal cannot show.
    public var displayName: String { PathBytes.display(address) }

    static func address(of path: String, on host: RemoteHost) -> String {
        guard let port = host.port else { return host.destination + ":" + path }
        return "ssh://" + host.destination + ":\(port)" + (path.hasPrefix("/") ? path : "/" + path)
    }

    public var description: String { address }
}

/// One named link between WORK and BACKUP locations.
public struct Config: Equatable, Sendable {
    public let name: String
    public let work: [Location]
    public let backup: [Location]
    /// A location counts as accessible only if it holds the marker file (an empty mount point
    /// of an unplugged drive does not).
    public var requireMarker = false
    /// Files that an action overwrites or deletes go to the destination's trash folder.
    public var keep = false
    /// rsync filter patterns left out of every action; a leading `/` anchors at the location.
    public var exclude: [String] = []
    /// ACLs and extended attributes are kept where both sides can hold them (`"acls_xattrs"`,
    /// default true; false saves a system call or two per file on each side).
    public var aclsAndXattrs = true
    /// `"parallel"`: at most this many destinations previewed or copied at once (nil: no limit
    /// but one copy per device; 1: one destination after another).
    public var parallel: Int?
    /// `"max_delete"`, `"max_overwrite"`, `"unattended_overwrite"`, `"unattended_delete"`.
    public var policy = ChangePolicy()
    /// `"stale_after_days"`: a BACKUP whose last completed copy is older is flagged stale.
    public var staleAfterDays: Int?

    public init(name: String, work: [Location], backup: [Location], requireMarker: Bool = false, keep: Bool = false,
                exclude: [String] = [], aclsAndXattrs: Bool = true) {
        self.exclude = exclude
        self.aclsAndXattrs = aclsAndXattrs
        self.name = name
        self.work = work
        self.backup = backup
        self.requireMarker = requireMarker
        self.keep = keep
    }

    /// Every location, in the order of the configuration file (WORK first, then BACKUP).
    public var locations: [Location] { work + backup }

    public func locations(_ role: Role) -> [Location] { role == .work ? work : backup }
}

/// Names micsync reserves at the top of every location: never copied, listed or deleted.
public enum ReservedName {
    public static let marker = ".micsync-location"
    public static let trash = ".micsync-trash"
    /// The prefix of the private folder the capability probe makes in a location and removes
    /// again (`.micsync-probe.XXXXXX`); one is left only if micsync was killed during the probe.
    public static let probePrefix = ".micsync-probe"
    /// The temporary name of an item renamed in case only (anywhere in a location).
    public static let renamePrefix = ".micsync-rename-"
}

/// A loaded and validated configuration file.
public struct Configuration: Equatable, Sendable {
    public let file: String
    public let configs: [Config]

    public init(file: String, configs: [Config]) {
        self.file = file
        self.configs = configs
    }
}

/// A configuration problem: micsync stops with exit status 2 having changed nothing.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let message: String
    public let hint: String?

    public init(file: String, message: String, hint: String? = nil) {
        self.file = file
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "\(PathBytes.display(file)): \(message)" + (hint.map { "\n" + $0 } ?? "")
    }

    public static let exampleHint = """
        A minimal configuration file looks like this:
          {
            "configs": [
              { "name": "Documents", "work": ["~/docs"], "backup": ["/mnt/usb1/docs"] }
            ]
          }
        """
}
