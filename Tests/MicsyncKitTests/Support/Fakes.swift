import Foundation
@testable import MicsyncKit

/// A file system held in memory: each path maps to what stands there.
struct FakeFileSystem: FileSystem {
    var kinds: [String: FileKind] = ["/": .directory]
    var times: [String: Double] = [:]
    var files: [String: [UInt8]] = [:]
    var cwd = "/cwd"
    var home = "/home/user"
    /// The device of each location folder (none: unknown).
    var devices: [String: UInt64] = [:]

    init(_ kinds: [String: FileKind] = [:], times: [String: Double] = [:]) {
        self.kinds.merge(kinds) { $1 }
        self.times = times
    }

    /// Adds a readable file (and its folders).
    mutating func addFile(_ path: String, _ text: String) {
        files[path] = Array(text.utf8)
        kinds[path] = .regularFile
        var folder = Paths.parent(path)
        while !folder.isEmpty { kinds[folder] = .directory; folder = Paths.parent(folder) }
    }

    func kind(of path: String) -> FileKind {
        if let kind = kinds[path] { return kind }
        var ancestor = Paths.parent(path)
        while !ancestor.isEmpty {
            if let kind = kinds[ancestor], kind != .directory { return .blockedByNonDirectory }
            ancestor = Paths.parent(ancestor)
        }
        return .missing
    }

    func isDirectory(_ path: String) -> Bool { kinds[path] == .directory }

    func realPath(_ path: String) -> String? {
        let kind = kind(of: path)
        return kind == .missing || kind == .blockedByNonDirectory ? nil : path
    }

    func modificationTime(of path: String) -> Double? { times[path] }
    func isEmptyDirectory(_ path: String) -> Bool { !kinds.keys.contains { Paths.parent($0) == path && $0 != path } }
    func currentDirectory() -> String { cwd }
    func homeDirectory() -> String { home }
    func device(of path: String) -> UInt64? { devices[path] }

    func readFile(_ path: String) throws(FileError) -> [UInt8] {
        guard let content = files[path] else { throw FileError(path: path, reason: "No such file or directory") }
        return content
    }

    /// Its kind and time; every size 0.
    func stamp(of path: String) -> FileStamp? {
        let kind = kind(of: path)
        guard kind != .missing && kind != .blockedByNonDirectory else { return nil }
        return FileStamp(kind: kind, size: 0, modificationTime: times[path] ?? 0)
    }

    func stamps(of paths: [String]) -> [FileStamp?] { paths.map { stamp(of: $0) } }
    func on(_ location: Location) -> FileSystem { self }
    func unreachableReason(_ location: Location) -> String? { nil }
    func freeSpace(at path: String) -> Int64? { nil }
    // Held in a value: the engine's writes are not kept (tests look at the runs it asks for).
    func copyModificationTime(from source: String, to path: String) -> Bool { false }
    func createFile(_ path: String, contents: [UInt8]) throws(FileError) { throw FileError(path: path, reason: "read-only fake") }
    func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) { throw FileError(path: path, reason: "read-only fake") }
    func itemCount(under path: String) -> Int? { kinds.keys.filter { $0.hasPrefix(path == "/" ? "/" : path + "/") && $0 != path }.count }
    func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) { throw FileError(path: path, reason: "read-only fake") }
    func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) { throw FileError(path: relative, reason: "read-only fake") }
    func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) { throw FileError(path: path, reason: "read-only fake") }
}

/// The real disc, with a current folder of the test's choosing (tests run in parallel, so they
/// must not change the process's own).
struct LocalFileSystemIn: FileSystem {
    let local = LocalFileSystem()
    let cwd: String

    func kind(of path: String) -> FileKind { local.kind(of: path) }
    func isDirectory(_ path: String) -> Bool { local.isDirectory(path) }
    func realPath(_ path: String) -> String? { local.realPath(path) }
    func modificationTime(of path: String) -> Double? { local.modificationTime(of: path) }
    func isEmptyDirectory(_ path: String) -> Bool { local.isEmptyDirectory(path) }
    func currentDirectory() -> String { cwd }
    func homeDirectory() -> String { local.homeDirectory() }
    func readFile(_ path: String) throws(FileError) -> [UInt8] { try local.readFile(path) }
    func device(of path: String) -> UInt64? { local.device(of: path) }
    func stamp(of path: String) -> FileStamp? { local.stamp(of: path) }
    func stamps(of paths: [String]) -> [FileStamp?] { local.stamps(of: paths) }
    func on(_ location: Location) -> FileSystem { self }
    func unreachableReason(_ location: Location) -> String? { nil }
    func freeSpace(at path: String) -> Int64? { local.freeSpace(at: path) }
    func copyModificationTime(from source: String, to path: String) -> Bool { local.copyModificationTime(from: source, to: path) }
    func createFile(_ path: String, contents: [UInt8]) throws(FileError) { try local.createFile(path, contents: contents) }
    func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) { try local.rename(path, to: newPath, checked: checked) }
    func itemCount(under path: String) -> Int? { local.itemCount(under: path) }
    func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) {
        try local.makeHardLink(to: leader, at: path, replacing: replacing)
    }
    func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) { try local.writeFileAtomically(path, contents: contents) }
    func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) { try local.removeItem(relative, in: location, isFolder: isFolder) }
}

/// Answers from a script; nil (or the script running out) is the end of input.
final class ScriptedPrompter: Prompter, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String?]
    private(set) var prompts: [String] = []

    init(_ answers: [String?] = []) { self.answers = answers }

    func answer(_ prompt: String) -> String? {
        lock.withLock {
            prompts.append(prompt)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
    }

    var askedCount: Int { lock.withLock { prompts.count } }
}

/// Collects what would go to standard output and standard error.
final class RecordingConsole: Console, @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""
    let usesColor = false

    func write(_ text: String) { lock.withLock { out += text } }
    func writeError(_ text: String) { lock.withLock { err += text } }

    var output: String { lock.withLock { out } }
    var errors: String { lock.withLock { err } }
}

/// A fresh folder under the system's temporary folder, removed when `body` returns. Its path has
/// its symbolic links resolved (macOS's /var is a link), so it compares with resolved paths.
func withTemporaryFolder<T>(_ body: (TemporaryFolder) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("micsync-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    let folder = TemporaryFolder(path: LocalFileSystem().realPath(url.path) ?? url.path)
    return try body(folder)
}

struct TemporaryFolder {
    let path: String

    func at(_ relative: String) -> String { Paths.join(path, relative) }

    @discardableResult
    func folder(_ relative: String) throws -> String {
        try FileManager.default.createDirectory(atPath: at(relative), withIntermediateDirectories: true)
        return at(relative)
    }

    /// Writes a file whose name may hold any byte (see `PathBytes`).
    @discardableResult
    func file(_ relative: String, _ content: String = "x") throws -> String {
        let path = at(relative)
        try FileManager.default.createDirectory(atPath: Paths.parent(path), withIntermediateDirectories: true)
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard descriptor >= 0 else { throw FileError(path: path, reason: "cannot create") }
        defer { close(descriptor) }
        let bytes = Array(content.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        return path
    }

    @discardableResult
    func link(_ relative: String, to target: String) throws -> String {
        try FileManager.default.createSymbolicLink(atPath: at(relative), withDestinationPath: target)
        return at(relative)
    }
}
