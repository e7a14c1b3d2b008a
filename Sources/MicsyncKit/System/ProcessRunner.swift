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
    /// Runs `body`, work micsync does itself where an rsync run would be (its own deletions),
    /// with Ctrl-C caught as while a child runs: `body` asks `interrupted` between its steps.
    func catchingInterrupts<T>(_ body: (_ interrupted: () -> Bool) -> T) -> T
}

public extension ProcessRunner {
    /// Runners without a clock (test fakes) ignore the limit.
    func run(_ arguments: [String], environment: [String: String], timeLimit: Double?,
             onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }

    /// Runners without signals (test fakes): never interrupted.
    func catchingInterrupts<T>(_ body: (_ interrupted: () -> Bool) -> T) -> T { body { false } }

    /// Runners that know nothing of progress: everything goes to `onLine`.
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
             onProgress: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }
}

/// The children running now (0: a free slot), for the SIGINT handler to pass the signal on to
/// every one of them: several rsyncs run at once when destinations are on different drives.
nonisolated(unsafe) private let childSlots: UnsafeMutablePointer<pid_t> = {
    let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: ChildTable.capacity)
    slots.initialize(repeating: 0, count: ChildTable.capacity)
    return slots
}()
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0

/// Which slots are taken, and the SIGINT handler installed while any child runs.
private enum ChildTable {
    static let capacity = 256
    struct State {
        var running = 0
        var previousHandler: sighandler_t?
    }
    static let state = Locked(State())

    /// Takes a slot for `pid` (installing the handler for the first child); nil when all are taken.
    static func add(_ pid: pid_t) -> Int? {
        state.withLock { state in
            if state.running == 0 { installHandler(&state) }
            guard let slot = (0..<capacity).first(where: { childSlots[$0] == 0 }) else { return nil }
            childSlots[slot] = pid
            state.running += 1
            return slot
        }
    }

    private static func installHandler(_ state: inout State) {
        _ = childSlots  // made before the handler can read it
        state.previousHandler = signal(SIGINT) { _ in
            interruptReceived = 1
            for slot in 0..<ChildTable.capacity where childSlots[slot] > 0 { kill(childSlots[slot], SIGINT) }
        }
    }

    /// The handler without a child: while micsync does a run's work itself.
    static func hold() {
        state.withLock { state in
            if state.running == 0 { installHandler(&state) }
            state.running += 1
        }
    }

    static func release() {
        state.withLock { state in releaseLocked(&state) }
    }

    /// One holder fewer; the last puts the previous handler back.
    private static func releaseLocked(_ state: inout State) {
        state.running -= 1
        if state.running == 0 { signal(SIGINT, state.previousHandler) }
    }

    static func remove(_ slot: Int?) {
        state.withLock { state in
            guard let slot else { return }
            childSlots[slot] = 0
            releaseLocked(&state)
        }
    }
}

/// Runs programs with posix_spawn: arguments are byte strings (see `PathBytes`), and the child
/// stays in micsync's process group, so a terminal's Ctrl-C reaches it; a SIGINT sent to micsync
/// alone is passed on to every running child as well. Several threads may each run a child.
public struct SpawningProcessRunner: ProcessRunner {
    public init() {}

    public static var wasInterrupted: Bool { interruptReceived != 0 }

    public func catchingInterrupts<T>(_ body: (_ interrupted: () -> Bool) -> T) -> T {
        ChildTable.hold()
        defer { ChildTable.release() }
        return body { interruptReceived != 0 }
    }

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
        let child = try spawn(arguments, environment: environment)
        let slot = ChildTable.add(child.pid)
        // A SIGINT that came before the child was in the table must still reach it.
        if interruptReceived != 0 { kill(child.pid, SIGINT) }
        var splitter = OutputSplitter(splitsReturns: splitsReturns)
        let timedOut = readUntilClosed(child, timeLimit: timeLimit) { bytes in
            splitter.add(bytes, onLine: onLine, progress: progress)
        }
        splitter.finish(onLine: onLine, progress: progress)
        var waitStatus: Int32 = 0
        while waitpid(child.pid, &waitStatus, 0) < 0 && errno == EINTR {}
        ChildTable.remove(slot)
        let exited = waitStatus & 0x7F == 0
        let status = exited ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F)
        return ProcessResult(status: status, errorOutput: PathBytes.string(child.errorBytes), interrupted: interruptReceived != 0, timedOut: timedOut)
    }

    /// A started child and the reading ends of its output and error pipes.
    private final class Child {
        let pid: pid_t
        let output: Int32
        let error: Int32
        var errorBytes: [UInt8] = []

        init(pid: pid_t, output: Int32, error: Int32) {
            self.pid = pid
            self.output = output
            self.error = error
        }
    }

    /// Starts the program. The pipes are close-on-exec, so that a child started meanwhile by
    /// another thread does not hold this one's pipes open (its own ends are duplicated onto 1 and 2).
    private func spawn(_ arguments: [String], environment: [String: String]) throws(ProcessLaunchError) -> Child {
        let result: Result<Child, ProcessLaunchError> = Self.spawning.withLock { _ in
            do throws(ProcessLaunchError) { return .success(try spawnAlone(arguments, environment: environment)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// One spawn at a time: between `pipe` and `fcntl` another child would inherit the pipes.
    private static let spawning = Locked(())

    private func spawnAlone(_ arguments: [String], environment: [String: String]) throws(ProcessLaunchError) -> Child {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
            throw ProcessLaunchError(program: arguments[0], reason: String(cString: strerror(errno)))
        }
        for descriptor in outputPipe + errorPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        // Room for what rsync writes while micsync lets its lines gather (Linux's F_SETPIPE_SZ;
        // where it is refused, the usual 64 KiB do).
        _ = fcntl(outputPipe[0], Self.setPipeSize, 1 << 20)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)

        let argv = arguments.map { strdupBytes(PathBytes.bytes($0)) } + [nil]
        let envp = environment.map { strdupBytes(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let spawnStatus = posix_spawnp(&pid, argv[0]!, &actions, nil, argv, envp)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawnStatus == 0 else {
            close(outputPipe[0]); close(errorPipe[0])
            throw ProcessLaunchError(program: arguments[0], reason: String(cString: strerror(spawnStatus)))
        }
        return Child(pid: pid, output: outputPipe[0], error: errorPipe[0])
    }

    /// Reads both pipes until the child closes them, giving standard output to `onOutput` and
    /// keeping standard error. With a time limit, SIGTERM when it has passed (so that ssh can end
    /// what it started, a ProxyCommand), SIGKILL two seconds later; true when it was stopped so.
    private func readUntilClosed(_ child: Child, timeLimit: Double?, onOutput: (ArraySlice<UInt8>) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var descriptors = [pollfd(fd: child.output, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: child.error, events: Int16(POLLIN), revents: 0)]
        var open = 2
        let deadline = timeLimit.map { Self.now() + $0 }
        var timedOut = false
        var killed = false
        // rsync writes each itemized line on its own: reading each as it comes would wake micsync
        // (and take a core from rsync) once per line. Once the output is seen to be long, lines
        // are let gather for a moment after a short read (the pipe holds far more than rsync
        // writes meanwhile); a short output (a probe, a version: a few KiB) is read at once.
        var gather = false
        var outputReads = 0
        var outputBytes = 0
        while open > 0 {
            if gather { usleep(Self.gatheringPause) }
            gather = false
            var wait: Int32 = -1
            if let deadline {
                let now = Self.now()
                if now >= deadline && !timedOut {
                    kill(child.pid, SIGTERM)
                    timedOut = true
                } else if now >= deadline + 2 && !killed {
                    kill(child.pid, SIGKILL)
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
            for slot in 0..<descriptors.count where ready > 0 && descriptors[slot].fd >= 0 && descriptors[slot].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptors[slot].fd, $0.baseAddress, 65536) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    close(descriptors[slot].fd)
                    descriptors[slot].fd = -1
                    open -= 1
                } else if slot == 1 {
                    child.errorBytes.append(contentsOf: buffer[0..<count])
                } else {
                    onOutput(buffer[0..<count])
                    outputReads += 1
                    outputBytes += count
                    gather = outputReads > 8 && outputBytes > Self.longOutput && count < 16384
                }
            }
        }
        return timedOut
    }

    /// Linux's F_SETPIPE_SZ, which Glibc's Swift module does not export.
    static let setPipeSize: Int32 = 1031

    /// Bytes of standard output past which it counts as long (rsync's itemized lines, not a
    /// probe's answer or a version).
    static let longOutput = 65536

    /// Microseconds to wait after a short read of standard output before reading again.
    static let gatheringPause: useconds_t = 3000

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

/// Cuts a child's standard output into lines ('\n'), and with `splitsReturns` into progress
/// pieces too: a piece that a '\r' ends or begins.
struct OutputSplitter {
    let splitsReturns: Bool
    private var pending: [UInt8] = []
    private var afterReturn = false

    init(splitsReturns: Bool) { self.splitsReturns = splitsReturns }

    mutating func add(_ bytes: ArraySlice<UInt8>, onLine: (String) -> Void, progress: (String) -> Void) {
        var start = bytes.startIndex
        for position in bytes.indices where bytes[position] == 0x0A || (splitsReturns && bytes[position] == 0x0D) {
            pending.append(contentsOf: bytes[start..<position])
            let isReturn = bytes[position] == 0x0D
            if splitsReturns && (isReturn || afterReturn) {
                if !pending.isEmpty { progress(PathBytes.string(pending)) }
            } else {
                onLine(PathBytes.string(pending))
            }
            afterReturn = isReturn
            pending.removeAll(keepingCapacity: true)
            start = position + 1
        }
        pending.append(contentsOf: bytes[start...])
    }

    mutating func finish(onLine: (String) -> Void, progress: (String) -> Void) {
        guard !pending.isEmpty else { return }
        if splitsReturns && afterReturn { progress(PathBytes.string(pending)) } else { onLine(PathBytes.string(pending)) }
        pending.removeAll()
    }
}
