#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A remote location's file system, asked over the host's shared SSH connection. Single
/// questions are small POSIX shell commands; many paths at once are one rsync listing, which
/// needs nothing on the host but the rsync that the copies need anyway, and keeps every byte
/// of a name. Paths may start with `~` (the remote home).
public struct RemoteFileSystem: FileSystem {
    let host: RemoteHost
    let sessions: SSHSessions
    /// The local machine's, for what is asked of it (current and home folder).
    let local: FileSystem

    public init(host: RemoteHost, sessions: SSHSessions, local: FileSystem) {
        self.host = host
        self.sessions = sessions
        self.local = local
    }

    /// `~` replaced by the remote home; nil when the host cannot be reached.
    public func absolute(_ path: String) -> String? {
        guard let home = sessions.home(of: host) else { return nil }
        if path == "~" { return home }
        if path.hasPrefix("~/") { return Paths.join(home, String(path.dropFirst(2))) }
        return path
    }

    /// Runs a command with one path in it, as `$1`: nil when the host cannot be reached.
    private func status(_ script: String, _ path: String) -> (status: Int32, output: String)? {
        guard let absolute = absolute(path),
              let answer = sessions.run("set -- " + RemoteShell.quote(absolute) + "; " + script, on: host) else { return nil }
        return (answer.result.status, answer.output)
    }

    public func kind(of path: String) -> FileKind {
        if Paths.lastComponent(path) == ReservedName.marker, let facts = sessions.facts(host, Paths.parent(path)) {
            return facts.hasMarker ? .regularFile : .missing
        }
        let script = #"if [ -L "$1" ]; then echo link; elif [ -d "$1" ]; then echo folder; elif [ -f "$1" ]; then echo file; elif [ -e "$1" ]; then echo other; else echo missing; fi"#
        switch status(script, path)?.output {
        case "link": return .symbolicLink
        case "folder": return .directory
        case "file": return .regularFile
        case "other": return .other
        default: return .missing
        }
    }

    public func isDirectory(_ path: String) -> Bool {
        if let facts = sessions.facts(host, path) { return facts.isDirectory }
        return status(#"[ -d "$1" ]"#, path)?.status == 0
    }

    public func isEmptyDirectory(_ path: String) -> Bool {
        if let facts = sessions.facts(host, path) { return facts.isDirectory && facts.isEmpty }
        // Pure POSIX sh: the three globs together match every name but . and ..
        let script = #"cd "$1" 2>/dev/null || exit 2; for f in * .[!.]* ..?*; do if [ -e "$f" ] || [ -L "$f" ]; then exit 1; fi; done; exit 0"#
        return status(script, path)?.status == 0
    }

    /// A remote host counts as one device (see `DestinationScheduler`): not asked.
    public func device(of path: String) -> UInt64? { nil }

    public func freeSpace(at path: String) -> Int64? {
        guard let answer = status(#"df -Pk "$1" | tail -n 1"#, path), answer.status == 0 else { return nil }
        let fields = answer.output.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4, let kilobytes = Int64(fields[3]) else { return nil }
        return kilobytes * 1024
    }

    public func createFile(_ path: String, contents: [UInt8]) throws(FileError) {
        let text = PathBytes.string(contents)
        guard let answer = status(#"[ -e "$1" ] || [ -L "$1" ] || printf '%s' "#  + RemoteShell.quote(text) + #" > "$1""#, path) else {
            throw FileError(path: path, reason: sessions.reason(host) ?? "the host cannot be reached")
        }
        guard answer.status == 0 else { throw FileError(path: path, reason: "the remote shell failed (status \(answer.status))") }
    }

    public func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) {
        // The new name may find the item itself on a drive that does not tell case apart (-ef).
        let script = (checked ? #"if { [ -e "$2" ] || [ -L "$2" ]; } && [ ! "$1" -ef "$2" ]; then exit 3; fi; "# : "") + #"mv -- "$1" "$2""#
        guard let from = absolute(path), let to = absolute(newPath),
              let answer = sessions.run("set -- " + RemoteShell.quote(from) + " " + RemoteShell.quote(to) + "; " + script, on: host) else {
            throw FileError(path: path, reason: sessions.reason(host) ?? "the host cannot be reached")
        }
        guard answer.result.status == 0 else {
            throw FileError(path: path, reason: answer.result.status == 3 ? "something is already there" : "mv failed on the host (status \(answer.result.status))")
        }
    }

    public func stamp(of path: String) -> FileStamp? { stamps(of: [path])[0] }

    public func modificationTime(of path: String) -> Double? { stamp(of: path)?.modificationTime }

    /// One rsync dry run from the host into an empty local folder lists each path that exists
    /// with its type, size and time (whole seconds); a missing one is absent from the list.
    public func stamps(of paths: [String]) -> [FileStamp?] {
        guard !paths.isEmpty else { return [] }
        let absolutes = paths.map { absolute($0) }
        let present = absolutes.compactMap { $0 }.filter { $0.hasPrefix("/") }
        guard !present.isEmpty, let list = sessions.lists.write(present.map { String($0.dropFirst()) }) else {
            return paths.map { _ in nil }
        }
        defer { sessions.lists.remove(list) }
        guard let empty = sessions.lists.makeFolder(prefix: "micsync-empty") else {
            return paths.map { _ in nil }
        }
        defer { sessions.lists.removeFolder(empty) }
        var found: [String: FileStamp] = [:]
        let arguments = RsyncCommand.remoteListing(shell: sessions.rsyncShell(for: host), host: host.destination, listFile: list, emptyFolder: empty)
        // Times in UTC, so that an hour that a clock change repeats is not ambiguous.
        var environment = RsyncCommand.environment(from: sessions.environment)
        environment["TZ"] = "UTC0"
        let result = try? sessions.runner.run(arguments, environment: environment) { text in
            let bytes = Array(text.utf8)
            guard bytes.count > 20, let time = Self.time(bytes[0..<19]), let line = ItemizedLine.parse(String(text.dropFirst(20))) else { return }
            found["/" + line.name] = FileStamp(kind: Self.kind(line.fileType), size: line.fileType == "f" ? line.length : 0, modificationTime: time)
        }
        // 23: some paths do not exist, which is an answer; anything else lost the answer.
        if let result, result.status != 0 && result.status != 23 {
            if result.status == 255 || result.status == 12 {
                sessions.lost(host, reason: SSHSessions.lastLine(result.errorOutput) ?? "the SSH connection was lost")
            }
        }
        return absolutes.map { $0.flatMap { found[$0] } }
    }

    static func kind(_ type: Character) -> FileKind {
        switch type {
        case "f": .regularFile
        case "d": .directory
        case "L": .symbolicLink
        default: .other
        }
    }

    /// rsync's `%M`, `YYYY/MM/DD-HH:MM:SS` (in UTC: see `stamps`), as seconds since 1970.
    static func time(_ bytes: ArraySlice<UInt8>) -> Double? {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == ":" }).compactMap { Int32($0) }
        guard parts.count == 6 else { return nil }
        var fields = tm()
        fields.tm_year = parts[0] - 1900
        fields.tm_mon = parts[1] - 1
        fields.tm_mday = parts[2]
        fields.tm_hour = parts[3]
        fields.tm_min = parts[4]
        fields.tm_sec = parts[5]
        return Double(timegm(&fields))
    }

    public func realPath(_ path: String) -> String? { nil }
    public func currentDirectory() -> String { local.currentDirectory() }
    public func homeDirectory() -> String { local.homeDirectory() }

    public func readFile(_ path: String) throws(FileError) -> [UInt8] {
        throw FileError(path: path, reason: "a remote file is not read by micsync")
    }

    public func unreachableReason(_ location: Location) -> String? { sessions.reason(host) }

    /// Already the host's: asked from a location of the same host.
    public func on(_ location: Location) -> FileSystem { self }

    public func copyModificationTime(from source: String, to path: String) -> Bool { false }

    public func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) {
        throw FileError(path: path, reason: "micsync makes no hard link on a remote host (rsync copies them there)")
    }

    public func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) {
        throw FileError(path: path, reason: "micsync writes no file on a remote host but the marker")
    }

    public func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) {
        throw FileError(path: Paths.join(location, relative), reason: "micsync deletes nothing on a remote host itself (rsync does)")
    }
}

public extension FileSystem {
    /// The location as a copy uses it: a remote `~` replaced by the host's home folder, since
    /// rsync does not expand it in every kind of run.
    func forCopying(_ location: Location) -> Location {
        guard location.isRemote, location.path.hasPrefix("~"),
              let home = (on(location) as? RemoteFileSystem)?.absolute(location.path) else { return location }
        return location.withPath(home)
    }
}

extension SSHSessions {
    /// Why the host cannot be reached (probing it if that was not done yet), or nil.
    func reason(_ host: RemoteHost) -> String? {
        if case .unreachable(let reason) = state(of: host) { return reason }
        return nil
    }
}

/// The file system of a run: the local disc, and each remote location's host through `on`.
public struct RoutingFileSystem: FileSystem {
    let local: FileSystem
    public let sessions: SSHSessions

    public init(local: FileSystem, sessions: SSHSessions) {
        self.local = local
        self.sessions = sessions
    }

    public func on(_ location: Location) -> FileSystem {
        guard let host = location.host else { return self }
        return RemoteFileSystem(host: host, sessions: sessions, local: local)
    }

    public func unreachableReason(_ location: Location) -> String? {
        location.host.flatMap { sessions.reason($0) }
    }

    public func kind(of path: String) -> FileKind { local.kind(of: path) }
    public func isDirectory(_ path: String) -> Bool { local.isDirectory(path) }
    public func realPath(_ path: String) -> String? { local.realPath(path) }
    public func modificationTime(of path: String) -> Double? { local.modificationTime(of: path) }
    public func isEmptyDirectory(_ path: String) -> Bool { local.isEmptyDirectory(path) }
    public func currentDirectory() -> String { local.currentDirectory() }
    public func homeDirectory() -> String { local.homeDirectory() }
    public func readFile(_ path: String) throws(FileError) -> [UInt8] { try local.readFile(path) }
    public func createFile(_ path: String, contents: [UInt8]) throws(FileError) { try local.createFile(path, contents: contents) }
    public func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) { try local.rename(path, to: newPath, checked: checked) }
    public func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) {
        try local.makeHardLink(to: leader, at: path, replacing: replacing)
    }
    public func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) {
        try local.removeItem(relative, in: location, isFolder: isFolder)
    }
    public func stamp(of path: String) -> FileStamp? { local.stamp(of: path) }
    public func stamps(of paths: [String]) -> [FileStamp?] { local.stamps(of: paths) }
    public func copyModificationTime(from source: String, to path: String) -> Bool { local.copyModificationTime(from: source, to: path) }
    public func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) { try local.writeFileAtomically(path, contents: contents) }
    public func freeSpace(at path: String) -> Int64? { local.freeSpace(at: path) }
    public func device(of path: String) -> UInt64? { local.device(of: path) }
}
