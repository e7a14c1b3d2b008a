/// The machine a remote location lives on, reached over SSH by rsync's own transport, with the
/// SSH settings of the config that names it.
public struct RemoteHost: Hashable, Sendable {
    public var user: String?
    public var host: String
    public var port: Int?
    /// The config's `"ssh"` list: extra ssh arguments, passed as arguments, never through a shell.
    public var sshOptions: [String]
    /// Seconds SSH may take to reach the host (`"ssh_timeout"`, default 10).
    public var timeout: Int

    public static let defaultTimeout = 10

    public init(user: String? = nil, host: String, port: Int? = nil, sshOptions: [String] = [], timeout: Int = RemoteHost.defaultTimeout) {
        self.user = user
        self.host = host
        self.port = port
        self.sshOptions = sshOptions
        self.timeout = timeout
    }

    /// `[user@]host`, as ssh and rsync take it.
    public var destination: String { user.map { $0 + "@" + host } ?? host }

    /// Whether two locations lie on the same machine, so that their absolute paths can be
    /// compared (a `~` path also needs the same user: it is that user's home).
    public func isSameMachine(as other: RemoteHost) -> Bool {
        host == other.host && (port ?? 22) == (other.port ?? 22)
    }
}

/// The written forms of a remote location: `HOST:/path`, `USER@HOST:/path` (rsync's, where a colon
/// comes before any slash) and `ssh://[USER@]HOST[:PORT]/path`. `~` after the colon (or as the
/// first component of an ssh:// path) is the remote home.
public enum RemoteAddress {
    public struct Parsed: Equatable, Sendable {
        public var user: String?
        public var host: String
        public var port: Int?
        /// Normalised: absolute, or `~` / `~/…`.
        public var path: String
    }

    /// Whether `written` names a remote location at all (then `parse` says whether it is valid).
    public static func isRemote(_ written: String) -> Bool {
        if written.hasPrefix("ssh://") { return true }
        guard let colon = written.firstIndex(of: ":") else { return false }
        return colon != written.startIndex && !written[..<colon].contains("/")
    }

    /// Parses a remote location; the error text says what is wrong with it.
    public static func parse(_ written: String) -> Result<Parsed, RemoteAddressError> {
        var authority: Substring
        var path: String
        if written.hasPrefix("ssh://") {
            let rest = written.dropFirst(6)
            guard let slash = rest.firstIndex(of: "/") else { return .failure(.init("ssh://HOST must be followed by a path, as in ssh://host/srv/backup")) }
            authority = rest[..<slash]
            path = String(rest[slash...])
            // ssh://host/~/x: the home, as git and scp write it.
            if path == "/~" || path.hasPrefix("/~/") { path = String(path.dropFirst()) }
        } else {
            let colon = written.firstIndex(of: ":")!
            authority = written[..<colon]
            path = String(written[written.index(after: colon)...])
        }
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            user = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
            guard let name = user, isPlainName(name) else { return .failure(.init("the user name \"\(user ?? "")\" is not valid")) }
        }
        var port: Int?
        if written.hasPrefix("ssh://"), let colon = authority.lastIndex(of: ":") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                return .failure(.init("the port \"\(authority[authority.index(after: colon)...])\" is not a number from 1 to 65535"))
            }
            port = number
            authority = authority[..<colon]
        }
        let host = String(authority)
        guard isPlainName(host) else {
            return .failure(.init(host.isEmpty ? "no host name before the path" : "the host name \"\(host)\" is not valid"))
        }
        guard path == "~" || path.hasPrefix("~/") || path.hasPrefix("/") else {
            return .failure(.init("the remote path \"\(path)\" must be absolute or start with ~ (the remote home), as in \(host):/srv/backup or \(host):~/backup"))
        }
        let components = path.split(separator: "/")
        guard !components.contains("..") else {
            return .failure(.init("the remote path \"\(path)\" must not contain \"..\""))
        }
        let normalized = path.hasPrefix("~") ? "~" + (path == "~" ? "" : Paths.normalized(String(path.dropFirst())).droppingRoot) : Paths.normalized(path)
        return .success(Parsed(user: user, host: host, port: port, path: normalized))
    }

    /// A host or user name that ssh cannot take for an option or anything but a name.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "-" else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar)) && scalar.isASCII
        }
    }
}

public struct RemoteAddressError: Error, Equatable, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}

private extension String {
    /// "/" → "", "/a" → "/a": the rest of a `~` path after normalisation.
    var droppingRoot: String { self == "/" ? "" : self }
}
