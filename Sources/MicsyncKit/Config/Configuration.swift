/// The two kinds of location a config links.
public enum Role: String, Sendable, CaseIterable {
    case work = "WORK"
    case backup = "BACKUP"
}

/// A folder named in the configuration file, normalised: absolute, no trailing slash, symbolic
/// links resolved where it exists.
public struct Location: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let role: Role
    public let path: String
    /// As written in the file, for messages.
    public let written: String

    public init(role: Role, path: String, written: String? = nil) {
        self.role = role
        self.path = path
        self.written = written ?? path
    }

    public var description: String { path }
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

    public init(name: String, work: [Location], backup: [Location], requireMarker: Bool = false, keep: Bool = false,
                exclude: [String] = []) {
        self.exclude = exclude
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
