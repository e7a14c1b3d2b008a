// A small harness for running the real `micsync` binary in a fresh temporary folder.
//
// Every test makes its own `Sandbox` (a new folder under the system's temporary folder), builds
// trees in it, runs the binary with the sandbox as current folder and HOME, and checks the files,
// the exit status and the output. Nothing here changes the test process's current folder, so the
// tests run in parallel safely.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Locating the binary

enum Binary {
    /// The `micsync` executable: `MICSYNC_BINARY` if set, else the one beside the test runner.
    static let path: String = {
        if let override = ProcessInfo.processInfo.environment["MICSYNC_BINARY"], !override.isEmpty {
            return override
        }
        var runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            runner = URL(fileURLWithPath: exe)
        } else if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            runner = URL(fileURLWithPath: bundle.bundlePath)
        }
        // Climb out of an `.xctest` bundle (macOS: X.xctest/Contents/MacOS/X) or take the folder
        // of the runner executable (Linux: X.xctest is itself the executable).
        var folder = runner.deletingLastPathComponent()
        var probe = runner
        while probe.path != "/" {
            if probe.pathExtension == "xctest" {
                folder = probe.deletingLastPathComponent()
                break
            }
            probe = probe.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("micsync").path
    }()
}

// MARK: - Results

struct RunResult: CustomStringConvertible {
    /// The exit status, or 128 + the signal that ended the process (as a shell shows it).
    var status: Int32
    var stdout: String
    var stderr: String
    /// Ended by a signal rather than by exiting.
    var killedBySignal = false

    var description: String {
        "exit status \(status)" + (killedBySignal ? " (killed by signal \(status - 128))" : "") + "\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }

    /// The number N in the first listing heading `label (N):` (or `label (N, …):`), or nil.
    func count(_ label: String) -> Int? {
        lines.first { $0.hasPrefix(label + " (") && $0.hasSuffix("):") }
            .flatMap { Int($0.dropFirst(label.count + 2).prefix { $0.isNumber }) }
    }

    /// The item lines (indented, trimmed) listed under the first heading `label (N):`.
    func listed(_ label: String) -> [String] {
        guard let start = lines.firstIndex(where: { $0.hasPrefix(label + " (") && $0.hasSuffix("):") })
        else { return [] }
        return lines[(start + 1)...].prefix { $0.hasPrefix("  ") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Lines of standard output (convenience).
    var lines: [String] { stdout.components(separatedBy: "\n") }
}

// MARK: - Snapshots

enum Entry: Equatable, CustomStringConvertible {
    case file([UInt8])
    case folder
    case link([UInt8])
    case other

    static func file(_ text: String) -> Entry { .file(Array(text.utf8)) }
    static func link(_ target: String) -> Entry { .link(Array(target.utf8)) }

    var description: String {
        switch self {
        case .file(let bytes): return "file(\(Sandbox.show(bytes)))"
        case .folder: return "folder"
        case .link(let target): return "link(→ \(Sandbox.show(target)))"
        case .other: return "other"
        }
    }
}

/// Relative path (shown with `Sandbox.show`) → entry. Folders are keyed with a trailing `/`.
typealias Snapshot = [String: Entry]

// MARK: - Sandbox

final class Sandbox: @unchecked Sendable {
    let root: String
    /// micsync's `$TMPDIR` in every run (its file lists, `-v`'s kept ones included): beside the
    /// sandbox, so that snapshots of it never see them, and removed with it.
    let temporaryFolder: String
    private var runs = 0

    init() throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let folder = base + "/micsync-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Resolve once more so that paths compare equal to what micsync prints.
        root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        temporaryFolder = root + ".tmp"
        try FileManager.default.createDirectory(atPath: temporaryFolder, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["MICSYNC_E2E_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: temporaryFolder)
        }
    }

    /// micsync's temporary file lists now in `temporaryFolder`.
    func fileLists() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder)) ?? []).filter { $0.hasPrefix("micsync-list.") })
    }

    func path(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }

    // MARK: Configuration

    /// Writes `text` to `name` (relative to the sandbox) and returns its path.
    @discardableResult
    func config(_ text: String, name: String = "cfg.json") throws -> String {
        try write(name, text)
        return path(name)
    }

    /// The usual setup: config "Docs" with WORK `work` and BACKUPs `b1`, `b2` (all created).
    @discardableResult
    func standard(backups: [String] = ["b1", "b2"], create: Bool = true) throws -> String {
        let list = backups.map { "\"\($0)\"" }.joined(separator: ",")
        for name in (["work"] + backups) where create { try folder(name) }
        return try config(#"{"configs":[{"name":"Docs","work":["work"],"backup":[\#(list)]}]}"#)
    }

    // MARK: Building trees

    /// Writes a file (parents created) with `content`; `mtime` in seconds since 1970 when given.
    func write(_ relative: String, _ content: String, mtime: Int? = nil, mode: mode_t? = nil) throws {
        try writeBytes(Array(relative.utf8), Array(content.utf8), mtime: mtime, mode: mode)
    }

    /// Writes a file whose relative name is raw bytes (may be invalid UTF-8).
    func writeBytes(_ relative: [UInt8], _ content: [UInt8], mtime: Int? = nil, mode: mode_t? = nil) throws {
        let full = bytes(relative)
        try makeParents(full)
        let fd = withC(full) { open($0, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
        guard fd >= 0 else { throw Failure("open \(Sandbox.show(full)): errno \(errno)") }
        var written = 0
        while written < content.count {
            let n = content[written...].withUnsafeBytes { sysWrite(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { close(fd); throw Failure("write \(Sandbox.show(full))") }
            written += n
        }
        close(fd)
        if let mode { _ = withC(full) { chmod($0, mode) } }
        if let mtime { try setTime(full, mtime) }
    }

    /// Makes a folder (and its parents).
    func folder(_ relative: String, mode: mode_t? = nil, mtime: Int? = nil) throws {
        let full = bytes(Array(relative.utf8))
        try makeParents(full)
        var info = stat()
        if withC(full, { lstat($0, &info) }) != 0 {
            guard withC(full, { mkdir($0, 0o755) }) == 0 else {
                throw Failure("mkdir \(Sandbox.show(full)): errno \(errno)")
            }
        }
        if let mode { _ = withC(full) { chmod($0, mode) } }
        if let mtime { try setTime(full, mtime) }
    }

    /// Makes a symbolic link at `relative` pointing at `target` (taken as written).
    func link(_ relative: String, to target: String) throws {
        let full = bytes(Array(relative.utf8))
        try makeParents(full)
        let ok = withC(Array(target.utf8)) { t in withC(full) { symlink(t, $0) } }
        guard ok == 0 else { throw Failure("symlink \(relative): errno \(errno)") }
    }

    func setTime(_ relative: String, _ seconds: Int) throws {
        try setTime(bytes(Array(relative.utf8)), seconds)
    }

    private func setTime(_ full: [UInt8], _ seconds: Int) throws {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        let rc = withC(full) { utimensat(AT_FDCWD, $0, &times, AT_SYMLINK_NOFOLLOW) }
        guard rc == 0 else { throw Failure("utimensat \(Sandbox.show(full)): errno \(errno)") }
    }

    // MARK: Inspecting

    /// Modification time (seconds) of a path, not following a final link.
    func mtime(_ relative: String) -> Int? { info(relative).map { Int($0.st_mtim.tv_sec) } }

    /// Permission bits of a path.
    func mode(_ relative: String) -> mode_t? { info(relative).map { $0.st_mode & 0o7777 } }

    func exists(_ relative: String) -> Bool { info(relative) != nil }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func info(_ relative: String) -> stat? {
        var result = stat()
        return withC(bytes(Array(relative.utf8)), { lstat($0, &result) }) == 0 ? result : nil
    }

    /// Every entry below `relative` (not including itself), by relative path.
    func snapshot(_ relative: String) -> Snapshot {
        var result: Snapshot = [:]
        walk(bytes(Array(relative.utf8)), prefix: [], into: &result)
        return result
    }

    private func walk(_ dir: [UInt8], prefix: [UInt8], into result: inout Snapshot) {
        guard let handle = withC(dir, { opendir($0) }) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            let full = dir + [47] + name
            let rel = prefix + name
            var info = stat()
            guard withC(full, { lstat($0, &info) }) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                result[Sandbox.show(rel + [47])] = .folder
                walk(full, prefix: rel + [47], into: &result)
            case S_IFREG:
                result[Sandbox.show(rel)] = .file(readBytes(full))
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 4096)
                let n = withC(full) { readlink($0, &buffer, buffer.count) }
                result[Sandbox.show(rel)] = .link(buffer.prefix(max(n, 0)).map { UInt8(bitPattern: $0) })
            default:
                result[Sandbox.show(rel)] = .other
            }
        }
    }

    private func readBytes(_ full: [UInt8]) -> [UInt8] {
        let fd = withC(full) { open($0, O_RDONLY) }
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = sysRead(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer.prefix(n)
        }
        return out
    }

    /// A readable, unambiguous form of a name: printable ASCII as is, `\` doubled, every other
    /// byte (control bytes, bytes above 127) as `\xNN`.
    static func show(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            switch byte {
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.append(Character(Unicode.Scalar(byte)))
            default: out += String(format: "\\x%02X", byte)
            }
        }
        return out
    }

    static func show(_ text: String) -> String { show(Array(text.utf8)) }

    // MARK: Running

    /// Runs micsync with `arguments` in the sandbox (current folder, HOME), `stdin` piped in.
    /// `env` adds or (with nil) removes variables. With `interruptWhen`, standard input stays
    /// open (nothing is ever answered) and SIGINT is sent once standard output shows that text.
    /// A run still going after `timeout` seconds is killed and throws.
    @discardableResult
    func run(_ arguments: [String], stdin: String = "", env: [String: String?] = [:],
             cwd: String? = nil, interruptWhen: String? = nil, timeout: Double = 120) throws -> RunResult {
        try run([Binary.path] + arguments, stdin: stdin, env: env, cwd: cwd, interruptWhen: interruptWhen,
                timeout: timeout, raw: true)
    }

    /// Runs a shell command line in the sandbox (for pasting a printed rsync command).
    func shell(_ script: String, timeout: Double = 120) throws -> RunResult {
        try run(["/bin/sh", "-c", script], timeout: timeout, raw: true)
    }

    @discardableResult
    private func run(_ command: [String], stdin: String = "", env: [String: String?] = [:],
                     cwd: String? = nil, interruptWhen: String? = nil, timeout: Double = 120,
                     raw: Bool) throws -> RunResult {
        runs += 1
        let io = root + "/.io-\(runs)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: io, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: io) }
        _ = FileManager.default.createFile(atPath: io + "/in", contents: Data(stdin.utf8))
        _ = FileManager.default.createFile(atPath: io + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: io + "/err", contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: cwd.map(path) ?? root)
        var environment = ProcessInfo.processInfo.environment
        environment["MICSYNC_CONFIG"] = nil
        environment["HOME"] = root
        environment["NO_COLOR"] = "1"
        environment["TMPDIR"] = temporaryFolder
        for (key, value) in env { environment[key] = value }
        process.environment = environment
        let listsBefore = fileLists()
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: io + "/in"))
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/out"))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/err"))
        let openInput = Pipe()
        process.standardInput = interruptWhen == nil ? input : openInput
        process.standardOutput = output
        process.standardError = errors
        try spawnWithSignalsUnblocked(process)
        let deadline = Date().addingTimeInterval(timeout)
        var interruptAt = interruptWhen
        while process.isRunning {
            if let text = interruptAt, let data = FileManager.default.contents(atPath: io + "/out"),
               String(decoding: data, as: UTF8.self).contains(text) {
                process.interrupt()
                interruptAt = nil
            }
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Failure("micsync \(command.dropFirst()) did not finish within \(Int(timeout)) s")
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        try? input.close()
        try? openInput.fileHandleForWriting.close()
        try? output.close()
        try? errors.close()
        let out = FileManager.default.contents(atPath: io + "/out") ?? Data()
        let err = FileManager.default.contents(atPath: io + "/err") ?? Data()
        var status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal { status += 128 }
        // Only -v keeps its file lists (for pasting the commands it printed); any other run
        // that ends by itself removes them.
        let verbose = command.dropFirst().contains { $0 == "--verbose" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("v")) }
        if command[0] == Binary.path && !verbose && process.terminationReason == .exit {
            let left = fileLists().subtracting(listsBefore)
            #expect(left.isEmpty, "micsync \(command.dropFirst()) left its file lists in $TMPDIR: \(left.sorted())")
        }
        return RunResult(status: status, stdout: String(decoding: out, as: UTF8.self),
                         stderr: String(decoding: err, as: UTF8.self), killedBySignal: process.terminationReason == .uncaughtSignal)
    }

    // MARK: Byte paths

    private func bytes(_ relative: [UInt8]) -> [UInt8] {
        relative.isEmpty ? Array(root.utf8) : Array(root.utf8) + [47] + relative
    }

    private func makeParents(_ full: [UInt8]) throws {
        guard let slash = full.lastIndex(of: 47), slash > 0 else { return }
        let parent = Array(full[..<slash])
        var info = stat()
        if withC(parent, { lstat($0, &info) }) == 0 { return }
        try makeParents(parent)
        guard withC(parent, { mkdir($0, 0o755) }) == 0 || errno == EEXIST else {
            throw Failure("mkdir \(Sandbox.show(parent)): errno \(errno)")
        }
    }

    private func withC<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}

private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Test threads block most signals and a spawned child inherits that mask: they are unblocked
/// on this thread while spawning, so that micsync sees SIGINT like a terminal's Ctrl-C (and
/// sshd, SIGTERM).
func spawnWithSignalsUnblocked(_ process: Process) throws {
    var all = sigset_t(), saved = sigset_t()
    sigemptyset(&all)
    pthread_sigmask(SIG_SETMASK, &all, &saved)
    let spawned = Result { try process.run() }
    pthread_sigmask(SIG_SETMASK, &saved, nil)
    try spawned.get()
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

// MARK: - Assertion helpers

/// Entries of `snapshot` that differ from `expected`, as readable lines (empty when equal).
func differences(_ actual: Snapshot, _ expected: Snapshot) -> [String] {
    var lines: [String] = []
    for key in Set(actual.keys).union(expected.keys).sorted() {
        let a = actual[key], e = expected[key]
        if a != e {
            lines.append("\(key): expected \(e.map { "\($0)" } ?? "nothing"), found \(a.map { "\($0)" } ?? "nothing")")
        }
    }
    return lines
}

/// Checks that a tree snapshot equals `expected`, reporting each differing entry.
func expectTree(_ actual: Snapshot, _ expected: Snapshot, _ context: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) {
    let diff = differences(actual, expected)
    #expect(diff.isEmpty, Comment(rawValue: "\(context)\n" + diff.joined(separator: "\n")),
            sourceLocation: sourceLocation)
}

/// An mtime in the past, for making a "source is newer" or "destination is newer" pair.
let old: Int = 1_500_000_000
let older: Int = 1_400_000_000
