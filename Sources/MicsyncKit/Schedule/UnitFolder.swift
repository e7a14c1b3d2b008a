#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder of systemd user units (`$XDG_CONFIG_HOME/systemd/user`): the only files
/// `--schedule` and `--unschedule` write or remove. A seam, so that the scheduler is unit-tested.
public protocol UnitFolder: Sendable {
    var path: String { get }
    /// The names of the files in the folder (none when it is missing).
    func names() -> [String]
    func read(_ name: String) -> String?
    /// Writes the file whole (creating the folder), replacing nothing: a name in use is an error.
    func create(_ name: String, text: String) throws(FileError)
    /// Removes the file `name` and any link of that name in a `*.wants` folder (enabled units).
    func remove(_ name: String) throws(FileError)
    /// The `*.wants` folders holding a link named `name`: where the unit is enabled.
    func wanting(_ name: String) -> [String]
}

public struct LocalUnitFolder: UnitFolder {
    public let path: String

    public init(path: String) { self.path = path }

    /// `$XDG_CONFIG_HOME/systemd/user`, default `~/.config/systemd/user` (an XDG variable that is
    /// not absolute is ignored, as the XDG specification says).
    public static func defaultPath(environment: [String: String], home: String) -> String {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Paths.join(home, ".config")
        return Paths.join(config, "systemd/user")
    }

    public func names() -> [String] { Self.entries(path) }

    public func read(_ name: String) -> String? {
        guard let bytes = try? LocalFileSystem().readFile(Paths.join(path, name)) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func create(_ name: String, text: String) throws(FileError) {
        var folder = ""
        for component in path.split(separator: "/") {
            folder += "/" + component
            if PathBytes.bytes(folder).withCString({ mkdir($0, 0o755) }) != 0 && errno != EEXIST {
                throw FileError(path: folder, reason: String(cString: strerror(errno)))
            }
        }
        let file = Paths.join(path, name)
        let descriptor = PathBytes.bytes(file).withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else { throw FileError(path: file, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written != bytes.count { throw FileError(path: file, reason: String(cString: strerror(errno))) }
    }

    public func remove(_ name: String) throws(FileError) {
        for wants in wanting(name) { try unlinking(Paths.join(Paths.join(path, wants), name)) }
        try unlinking(Paths.join(path, name))
    }

    public func wanting(_ name: String) -> [String] {
        names().filter { $0.hasSuffix(".wants") && LocalFileSystem().kind(of: Paths.join(Paths.join(path, $0), name)) != .missing }
    }

    private func unlinking(_ file: String) throws(FileError) {
        if PathBytes.bytes(file).withCString({ unlink($0) }) != 0 && errno != ENOENT {
            throw FileError(path: file, reason: String(cString: strerror(errno)))
        }
    }

    static func entries(_ folder: String) -> [String] {
        guard let directory = PathBytes.bytes(folder).withCString({ opendir($0) }) else { return [] }
        defer { closedir(directory) }
        var result: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in PathBytes.string(Array(raw.prefix(while: { $0 != 0 }))) }
            if name != "." && name != ".." { result.append(name) }
        }
        return result.sorted()
    }
}
