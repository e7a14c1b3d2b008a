#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public struct ProcessResult: Equatable, Sendable {
    public var status: Int32
    public var errorOutput: String
    /// SIGINT reached micsync (or the child) while it ran.
    public var interrupted: Bool
    /// The child ran past its time limit and was stopped.
    public var timedOut: Bool

    public init(status: Int32, errorOutput: String = "", interrupted: Bool = false, timedOut: Bool = false) {
        self.status = status
        self.errorOutput = errorOutput
        self.interrupted = interrupted
        self.timedOut = timedOut
    }
}

public struct ProcessLaunchError: Error, Equatable, Sendable, CustomStringConvertible {
    public let program: String
    public let reason: String

    public var description: String {
        "cannot run \(program): \(reason) (is rsync installed? On Debian or Ubuntu: apt-get install rsync)"
    }
}

/// The one process boundary: runs a program and streams its standard output line by line, so
/// that memory follows what must be kept, not the size of the output.
public protocol ProcessRunner: Sendable {
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult
    /// The same, with the pieces of standard output that a carriage return ends or begins (rsync's
    /// `--info=progress2` updates) given to `onProgress` instead of `onLine`.
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
             onProgress: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult
    /// The same, stopped after `timeLimit` seconds (ssh probing a host that never answers).
    func run(_ arguments: [String], environment: [String: String], timeLimit: Double?,
             onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult
}

public extension ProcessRunner {
    /// Runners without a clock (test fakes) ignore the limit.
    func run(_ arguments: [String], environment: [String: String], timeLimit: Double?,
             onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }

    /// Runners that know nothing of progress: everything goes to `onLine`.
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
             onProgress: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }
}

/// Set by the SIGINT handler; the child to pass the signal to.
nonisolated(unsafe) private var runningChild: pid_t = 0
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0

/// Runs programs with posix_spawn: arguments are byte strings (see `PathBytes`), and the child
/// stays in micsync's process group, so a terminal's Ctrl-C reaches it; a SIGINT sent to micsync
/// alone is passed on to it as well.
public struct SpawningProcessRunner: ProcessRunner {
    public init() {}

    public static var wasInterrupted: Bool { interruptReceived != 0 }

    public func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine, splitsReturns: false, progress: { _ in })
    }

    public func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
                    onProgress: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine, splitsReturns: true, progress: onProgress)
    }

    public func run(_ arguments: [String], environment: [String: String], timeLimit: Double?,
                    onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine, splitsReturns: false, progress: { _ in }, timeLimit: timeLimit)
    }

    /// Without `splitsReturns`, standard output is split on '\n' only; with it, on '\r' too, and a
    /// piece that a '\r' ends or begins is progress (rsync escapes a '\r' in a name as `\#015`).
    private func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
                     splitsReturns: Bool, progress: (String) -> Void, timeLimit: Double? = nil) throws(ProcessLaunchError) -> ProcessResult {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
            throw ProcessLaunchError(program: arguments[0], reason: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        for descriptor in outputPipe + errorPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }

        let argv = arguments.map { strdupBytes(PathBytes.bytes($0)) } + [nil]
        let envp = environment.map { strdupBytes(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        let previousHandler = signal(SIGINT) { _ in
            interruptReceived = 1
            if runningChild > 0 { kill(runningChild, SIGINT) }
        }
        defer { signal(SIGINT, previousHandler) }

        var pid: pid_t = 0
        let spawnStatus = posix_spawnp(&pid, argv[0]!, &actions, nil, argv, envp)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawnStatus == 0 else {
            close(outputPipe[0]); close(errorPipe[0])
            throw ProcessLaunchError(program: arguments[0], reason: String(cString: strerror(spawnStatus)))
        }
        runningChild = pid
        defer { runningChild = 0 }

        var errorBytes: [UInt8] = []
        var pending: [UInt8] = []
        var afterReturn = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        var descriptors = [pollfd(fd: outputPipe[0], events: Int16(POLLIN), revents: 0),
                           pollfd(fd: errorPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        let deadline = timeLimit.map { Self.now() + $0 }
        var timedOut = false
        var killed = false
        while open > 0 {
            var wait: Int32 = -1
            if let deadline {
                let now = Self.now()
                // SIGTERM first, so that ssh can end what it started (a ProxyCommand); SIGKILL
                // two seconds later. Its output pipes close when it ends, which ends this loop.
                if now >= deadline && !timedOut {
                    kill(pid, SIGTERM)
                    timedOut = true
                } else if now >= deadline + 2 && !killed {
                    kill(pid, SIGKILL)
                    killed = true
                }
                let next = timedOut ? deadline + 2 : deadline
                wait = killed ? -1 : Int32(max(0, min((next - now) * 1000, 1_000_000))) + 1
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { continue }
            for slot in 0..<descriptors.count where descriptors[slot].fd >= 0 && descriptors[slot].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptors[slot].fd, $0.baseAddress, 65536) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    close(descriptors[slot].fd)
                    descriptors[slot].fd = -1
                    open -= 1
                    continue
                }
                if slot == 1 {
                    errorBytes.append(contentsOf: buffer[0..<count])
                    continue
                }
                var start = 0
                for position in 0..<count where buffer[position] == 0x0A || (splitsReturns && buffer[position] == 0x0D) {
                    pending.append(contentsOf: buffer[start..<position])
                    let isReturn = buffer[position] == 0x0D
                    if splitsReturns && (isReturn || afterReturn) {
                        if !pending.isEmpty { progress(PathBytes.string(pending)) }
                    } else {
                        onLine(PathBytes.string(pending))
                    }
                    afterReturn = isReturn
                    pending.removeAll(keepingCapacity: true)
                    start = position + 1
                }
                pending.append(contentsOf: buffer[start..<count])
            }
        }
        if !pending.isEmpty {
            if splitsReturns && afterReturn { progress(PathBytes.string(pending)) } else { onLine(PathBytes.string(pending)) }
        }

        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let exited = waitStatus & 0x7F == 0
        let status = exited ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F)
        return ProcessResult(status: status, errorOutput: PathBytes.string(errorBytes), interrupted: interruptReceived != 0, timedOut: timedOut)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func strdupBytes(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        let pointer = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeBufferPointer { source in
            for (index, byte) in source.enumerated() { pointer[index] = CChar(bitPattern: byte) }
        }
        pointer[bytes.count] = 0
        return pointer
    }
}
