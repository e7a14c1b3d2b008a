// A real OpenSSH server on 127.0.0.1 for the end-to-end tests of remote locations.
//
// The server runs on this machine, so a "remote" folder is a local folder (for example inside a
// `Sandbox`) reached through SSH: `server.url(sandbox.path("b1"))` is `ssh://127.0.0.1:PORT/…/b1`,
// and a config reaches the server with `"ssh": \(server.sshOptionsJSON)`. One server serves the
// whole test process: scripts/loopback-sshd.sh starts it on first use, with its own keys, port and
// pid file in a fresh folder under the temporary folder; it stops when the process exits.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One real OpenSSH server on 127.0.0.1 for the whole test process, started on first use by
/// scripts/loopback-sshd.sh (found via #filePath), stopped when the process exits (atexit).
final class SSHServer: @unchecked Sendable {
    /// Where keys and configs live (a fresh folder under the temporary folder).
    let directory: String
    let port: Int
    /// `directory/ssh_config`: `ssh -F clientConfig 127.0.0.1` logs in as the current user.
    let clientConfig: String
    /// The server's process id (sshd daemonizes: it is not a child of the test process).
    let pid: pid_t
    private var runs = 0
    private let lock = NSLock()

    /// The shared server, started by the first caller (callers in other threads wait for it).
    /// Throws `Failure` with the start script's output if the server cannot start; every later
    /// call then throws the same failure without trying again.
    static func shared() throws -> SSHServer {
        try started.get()
    }

    private static let started = Result { () throws(Failure) -> SSHServer in try SSHServer() }

    /// What a micsync config's `"ssh"` list holds.
    var sshOptions: [String] { ["-F", clientConfig] }

    /// A JSON array literal of `sshOptions`, e.g. `["-F","/tmp/x/ssh_config"]`, for writing configs.
    var sshOptionsJSON: String {
        "[" + sshOptions.map(Self.jsonString).joined(separator: ",") + "]"
    }

    /// `ssh://127.0.0.1:PORT/ABS` for an absolute local path (the server runs on this machine,
    /// so a "remote" folder is a local folder reached through SSH).
    func url(_ absolutePath: String) -> String {
        precondition(absolutePath.hasPrefix("/"), "SSHServer.url needs an absolute path, not \(absolutePath)")
        return "ssh://127.0.0.1:\(port)\(absolutePath)"
    }

    /// `127.0.0.1:ABS` (the port then comes from the client config's Port line).
    func scp(_ absolutePath: String) -> String {
        precondition(absolutePath.hasPrefix("/"), "SSHServer.scp needs an absolute path, not \(absolutePath)")
        return "127.0.0.1:\(absolutePath)"
    }

    /// Runs `ssh -F clientConfig 127.0.0.1 <command>` (standard input empty) and returns its exit
    /// status and output — for sanity checks in tests. Killed and thrown after `timeout` seconds.
    func run(_ command: String, timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        let number: Int = lock.withLock { runs += 1; return runs }
        let io = directory + "/run-\(number)-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: io) }
        let result = try Self.execute(["/usr/bin/env", "ssh", "-F", clientConfig, "127.0.0.1", command],
                                      io: io, timeout: timeout)
        return (result.status, result.stdout, result.stderr)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (bound to port 0, then closed), for
    /// "unreachable host" tests.
    static func closedPort() -> Int {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return 1 }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard bound == 0 else { return 1 }
        var length = size
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return 1 }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: Starting and stopping

    /// scripts/loopback-sshd.sh, two folders above this file.
    static let script: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/loopback-sshd.sh").path

    private init() throws(Failure) {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let folder = base + "/micsync-sshd-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure("SSHServer: cannot create \(folder): \(error)")
        }
        directory = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        clientConfig = directory + "/ssh_config"

        // Installing OpenSSH (as root, when it is missing) may take a while; the script bounds
        // its own wait for the server to about 10 s.
        let start: (status: Int32, stdout: String, stderr: String)
        do {
            start = try Self.execute(["/bin/bash", Self.script, "start", directory], io: directory + "/start", timeout: 600)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure("SSHServer: \(Self.script) start \(directory) could not run: \(error)")
        }
        let pidText = (try? String(contentsOfFile: directory + "/sshd.pid", encoding: .utf8)) ?? ""
        guard start.status == 0,
              let port = Int(start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
              let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            _ = try? Self.execute(["/bin/bash", Self.script, "stop", directory], io: directory + "/stop", timeout: 30)
            if ProcessInfo.processInfo.environment["MICSYNC_E2E_KEEP"] == nil {
                try? FileManager.default.removeItem(atPath: directory)
            }
            throw Failure("""
                SSHServer: \(Self.script) start \(directory) failed (exit status \(start.status))
                --- stdout ---
                \(start.stdout)
                --- stderr ---
                \(start.stderr)
                """)
        }
        self.port = port
        self.pid = pid
        sshServerToStop = (pid, directory)
        atexit { stopSharedSSHServer() }
        startWatchdog()
    }

    /// Should the test process die without running atexit handlers (a crash, SIGKILL), a small
    /// shell outside it stops the server and removes its folder within about a second. It is
    /// started through a shell that leaves it in the background and ends at once: Foundation's
    /// Process blocks in waitpid on a child that is still running, and with a child that runs
    /// for the whole test process no other Process would ever be seen to end.
    private func startWatchdog() {
        let watcher = """
            for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-"; fi; done
            ( while kill -0 "$1" 2>/dev/null; do sleep 1; done
              /bin/bash "$2" stop "$3" >/dev/null 2>&1
              [ -n "$4" ] || rm -rf "$3" ) </dev/null >/dev/null 2>&1 &
            """
        let keep = ProcessInfo.processInfo.environment["MICSYNC_E2E_KEEP"] == nil ? "" : "keep"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", watcher, "micsync-sshd-watchdog", String(getpid()), Self.script, directory, keep]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? spawnWithSignalsUnblocked(process)) != nil { process.waitUntilExit() }
    }

    // MARK: Processes

    /// Runs `command` with its output in files below `io` (no pipes: a daemon that inherited one
    /// would keep the reader waiting), killing it after `timeout` seconds.
    private static func execute(_ command: [String], io: String, timeout: Double) throws
        -> (status: Int32, stdout: String, stderr: String) {
        try FileManager.default.createDirectory(atPath: io, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: io + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: io + "/err", contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/out"))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: io + "/err"))
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try spawnWithSignalsUnblocked(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Failure("\(command.joined(separator: " ")) did not finish within \(Int(timeout)) s")
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        var status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal { status += 128 }
        let out = FileManager.default.contents(atPath: io + "/out") ?? Data()
        let err = FileManager.default.contents(atPath: io + "/err") ?? Data()
        return (status, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The shared server's pid and folder, for the atexit handler (set once, before it is registered).
nonisolated(unsafe) private var sshServerToStop: (pid: pid_t, directory: String)?

/// Stops the shared server (SIGTERM, then SIGKILL after 5 s) and removes its folder, unless
/// MICSYNC_E2E_KEEP is set. Runs at exit: no Foundation processes, only system calls.
private func stopSharedSSHServer() {
    guard let (pid, directory) = sshServerToStop else { return }
    sshServerToStop = nil
    // Only the sshd started with this folder's config (the pid may have been reused since).
    let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        .map { String(decoding: $0, as: UTF8.self) } ?? ""
    if cmdline.contains(directory + "/sshd_config") {
        kill(pid, SIGTERM)
        var waited = 0
        while processAlive(pid) {
            if waited >= 500 {
                kill(pid, SIGKILL)
                break
            }
            usleep(10_000)
            waited += 1
        }
    }
    if ProcessInfo.processInfo.environment["MICSYNC_E2E_KEEP"] == nil {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Whether a process exists and is not a zombie (which nobody may reap in a container).
private func processAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
          let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count
    else { return true }
    return stat[close + 2] != UInt8(ascii: "Z")
}
