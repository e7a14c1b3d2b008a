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
    /// Starts a program that goes on running once it has answered (ssh holding the shared
    /// connection of a run): its standard output goes to `onLine` up to a line `endLine`, and the
    /// call returns then with the program still running, its standard input held open, until
    /// `RunningProgram.stop()`. A program that ends before that line, or passes `timeLimit`, is
    /// waited for as by `run`, and no running program is returned.
    func start(_ arguments: [String], environment: [String: String], timeLimit: Double?, endLine: String,
               onLine: (String) -> Void) throws(ProcessLaunchError) -> (result: ProcessResult, running: RunningProgram?)
}

/// A program left running by `ProcessRunner.start`.
public protocol RunningProgram: Sendable {
    /// Ends it (SIGTERM, SIGKILL if it lingers) and waits for it; false when it had already
    /// ended by itself.
    @discardableResult func stop() -> Bool
}

public extension ProcessRunner {
    /// Runners without a clock (test fakes) ignore the limit.
    func run(_ arguments: [String], environment: [String: String], timeLimit: Double?,
             onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }

    /// Runners without signals (test fakes): never interrupted.
    func catchingInterrupts<T>(_ body: (_ interrupted: () -> Bool) -> T) -> T { body { false } }

    /// Runners without processes (test fakes): the program runs to its end, `endLine` left out.
    func start(_ arguments: [String], environment: [String: String], timeLimit: Double?, endLine: String,
               onLine: (String) -> Void) throws(ProcessLaunchError) -> (result: ProcessResult, running: RunningProgram?) {
        (try run(arguments, environment: environment, timeLimit: timeLimit) { if $0 != endLine { onLine($0) } }, nil)
    }

    /// Runners that know nothing of progress: everything goes to `onLine`.
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void,
             onProgress: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        try run(arguments, environment: environment, onLine: onLine)
    }
}

/// The children running now (0: a free slot; a negative number: the process group of a child
/// that has one of its own), for the SIGINT handler to pass the signal on to every one of them:
/// several rsyncs run at once when destinations are on different drives.
nonisolated(unsafe) private let childSlots: UnsafeMutablePointer<pid_t> = {
    let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: ChildTable.capacity)
    slots.initialize(repeating: 0, count: ChildTable.capacity)
    return slots
}()
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0
/// A pipe that the SIGINT handler writes a byte to: a thread waiting for input (a question)
/// wakes up whichever thread the signal was delivered to.
nonisolated(unsafe) private let interruptPipe: (read: Int32, write: Int32) = {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return (-1, -1) }
    for end in ends {
        _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        _ = fcntl(end, F_SETFL, O_NONBLOCK)
    }
    return (ends[0], ends[1])
}()

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
        _ = childSlots  // made before the handler can read them
        _ = interruptPipe
        state.previousHandler = signal(SIGINT) { _ in
            interruptReceived = 1
            var byte: UInt8 = 1
            if interruptPipe.write >= 0 { _ = write(interruptPipe.write, &byte, 1) }
            for slot in 0..<ChildTable.capacity where childSlots[slot] != 0 { kill(childSlots[slot], SIGINT) }
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

    /// Runs `body`, a wait for input, with Ctrl-C caught by the same one handler as while
    /// children run (two owners of the SIGINT handler, each putting back what it found, undo each
    /// other across threads): `wakeUp` becomes readable when it comes, whichever thread the
    /// signal reaches.
    static func waitingForInput<T>(_ body: (_ wakeUp: Int32, _ interrupted: () -> Bool) -> T) -> T {
        ChildTable.hold()
        defer { ChildTable.release() }
        return body(interruptPipe.read) { interruptReceived != 0 }
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
        let slot = ChildTable.add(child.signalTarget)
        // A SIGINT that came before the child was in the table must still reach it.
        if interruptReceived != 0 { kill(child.signalTarget, SIGINT) }
        var splitter = OutputSplitter(splitsReturns: splitsReturns)
        let ending = readUntilClosed(child, timeLimit: timeLimit) { bytes in
            splitter.add(bytes, onLine: onLine, progress: progress)
            return false
        }
        splitter.finish(onLine: onLine, progress: progress)
        return waitFor(child, slot: slot, timedOut: ending == .timedOut)
    }

    /// Waits for a child whose output is closed, and says how it ended.
    private func waitFor(_ child: Child, slot: Int?, timedOut: Bool) -> ProcessResult {
        var waitStatus: Int32 = 0
        while waitpid(child.pid, &waitStatus, 0) < 0 && errno == EINTR {}
        ChildTable.remove(slot)
        return ProcessResult(status: Self.status(waitStatus), errorOutput: PathBytes.string(child.errorBytes),
                             interrupted: interruptReceived != 0, timedOut: timedOut)
    }

    /// The exit status, or 128 + the signal that ended it (as a shell says it).
    static func status(_ waitStatus: Int32) -> Int32 {
        waitStatus & 0x7F == 0 ? (waitStatus >> 8) & 0xFF : 128 + (waitStatus & 0x7F)
    }

    public func start(_ arguments: [String], environment: [String: String], timeLimit: Double?, endLine: String,
                      onLine: (String) -> Void) throws(ProcessLaunchError) -> (result: ProcessResult, running: RunningProgram?) {
        // A group of its own: a terminal's Ctrl-C, meant for a copy or a question, does not end
        // the connection that the run's last steps still use; until its answer, SIGINT is passed
        // on to it as to any child.
        let child = try spawn(arguments, environment: environment, keepsRunning: true)
        let slot = ChildTable.add(child.signalTarget)
        if interruptReceived != 0 { kill(child.signalTarget, SIGINT) }
        var splitter = OutputSplitter(splitsReturns: false)
        var answered = false
        let ending = readUntilClosed(child, timeLimit: timeLimit) { bytes in
            splitter.add(bytes, onLine: { line in
                if line == endLine { answered = true } else if !answered { onLine(line) }
            }, progress: { _ in })
            return answered
        }
        guard ending == .stopped else {
            splitter.finish(onLine: { if $0 != endLine { onLine($0) } }, progress: { _ in })
            child.closeInput()
            return (waitFor(child, slot: slot, timedOut: ending == .timedOut), nil)
        }
        ChildTable.remove(slot)
        return (ProcessResult(status: 0, errorOutput: PathBytes.string(child.errorBytes)), StartedChild(child))
    }

    /// A child that `start` left running: its pipes stay open until it is stopped, so that it
    /// neither reads the end of its input nor fails writing to its output meanwhile.
    private final class StartedChild: RunningProgram, @unchecked Sendable {
        private let child: Child
        private let stopping = Locked(false)

        init(_ child: Child) { self.child = child }

        func stop() -> Bool {
            guard !stopping.withLock({ stopped in defer { stopped = true }; return stopped }) else { return false }
            var waitStatus: Int32 = 0
            func ended() -> Bool {
                var found = waitpid(child.pid, &waitStatus, WNOHANG)
                while found < 0 && errno == EINTR { found = waitpid(child.pid, &waitStatus, WNOHANG) }
                return found != 0
            }
            let running = !ended()
            if running {
                kill(child.signalTarget, SIGTERM)
                let deadline = SpawningProcessRunner.now() + 2
                while !ended() {
                    if SpawningProcessRunner.now() > deadline {
                        kill(child.signalTarget, SIGKILL)
                        while waitpid(child.pid, &waitStatus, 0) < 0 && errno == EINTR {}
                        break
                    }
                    usleep(200)
                }
            }
            child.closeInput()
            for descriptor in [child.output, child.error] where descriptor >= 0 { close(descriptor) }
            child.output = -1
            child.error = -1
            return running
        }
    }

    /// A started child and the reading ends of its output and error pipes.
    private final class Child {
        let pid: pid_t
        /// The reading ends, -1 once closed.
        var output: Int32
        var error: Int32
        /// The writing end of its standard input, for a child that keeps running (-1: /dev/null).
        var input: Int32
        /// What signals are sent to: the child, or for one in a group of its own the whole group
        /// (what ssh started, a ProxyCommand, ends with it).
        let signalTarget: pid_t
        var errorBytes: [UInt8] = []

        init(pid: pid_t, output: Int32, error: Int32, input: Int32, ownGroup: Bool) {
            self.pid = pid
            self.output = output
            self.error = error
            self.input = input
            signalTarget = ownGroup ? -pid : pid
        }

        func closeInput() {
            if input >= 0 { close(input) }
            input = -1
        }
    }

    /// Starts the program. The pipes are close-on-exec, so that a child started meanwhile by
    /// another thread does not hold this one's pipes open (its own ends are duplicated onto 1 and 2).
    /// `keepsRunning`: its standard input a pipe held open (else /dev/null), in a process group
    /// of its own.
    private func spawn(_ arguments: [String], environment: [String: String], keepsRunning: Bool = false) throws(ProcessLaunchError) -> Child {
        let result: Result<Child, ProcessLaunchError> = Self.spawning.withLock { _ in
            do throws(ProcessLaunchError) {
                return .success(try spawnAlone(arguments, environment: environment, keepsRunning: keepsRunning))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// One spawn at a time: between `pipe` and `fcntl` another child would inherit the pipes.
    private static let spawning = Locked(())

    private func spawnAlone(_ arguments: [String], environment: [String: String], keepsRunning: Bool) throws(ProcessLaunchError) -> Child {
        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        var inputPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0, !keepsRunning || pipe(&inputPipe) == 0 else {
            let reason = String(cString: strerror(errno))
            for descriptor in outputPipe + errorPipe + inputPipe where descriptor > 0 { close(descriptor) }
            throw ProcessLaunchError(program: arguments[0], reason: reason)
        }
        for descriptor in outputPipe + errorPipe + inputPipe where descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        // Room for what rsync writes while micsync lets its lines gather (Linux's F_SETPIPE_SZ;
        // where it is refused, the usual 64 KiB do).
        _ = fcntl(outputPipe[0], Self.setPipeSize, 1 << 20)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if keepsRunning {
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if keepsRunning {
            // SIGTERM is how `stop` ends it: not blocked or ignored because micsync's thread or
            // its own parent had it so.
            var none = sigset_t(), terminate = sigset_t()
            sigemptyset(&none)
            sigemptyset(&terminate)
            sigaddset(&terminate, SIGTERM)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &terminate)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            posix_spawnattr_setpgroup(&attributes, 0)
        }

        let argv = arguments.map { strdupBytes(PathBytes.bytes($0)) } + [nil]
        let envp = environment.map { strdupBytes(Array("\($0.key)=\($0.value)".utf8)) } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let spawnStatus = posix_spawnp(&pid, argv[0]!, &actions, &attributes, argv, envp)
        close(outputPipe[1])
        close(errorPipe[1])
        if keepsRunning { close(inputPipe[0]) }
        guard spawnStatus == 0 else {
            close(outputPipe[0]); close(errorPipe[0])
            if keepsRunning { close(inputPipe[1]) }
            throw ProcessLaunchError(program: arguments[0], reason: String(cString: strerror(spawnStatus)))
        }
        return Child(pid: pid, output: outputPipe[0], error: errorPipe[0], input: inputPipe[1], ownGroup: keepsRunning)
    }

    /// How reading a child's output ended.
    private enum ReadingEnd { case closed, timedOut, stopped }

    /// Reads both pipes until the child closes them, giving standard output to `onOutput` and
    /// keeping standard error; `.stopped` as soon as `onOutput` says so. With a time limit, SIGTERM
    /// when it has passed (so that ssh can end what it started, a ProxyCommand), SIGKILL two
    /// seconds later: `.timedOut`.
    private func readUntilClosed(_ child: Child, timeLimit: Double?, onOutput: (ArraySlice<UInt8>) -> Bool) -> ReadingEnd {
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
                    kill(child.signalTarget, SIGTERM)
                    timedOut = true
                } else if now >= deadline + 2 && !killed {
                    kill(child.signalTarget, SIGKILL)
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
                    if slot == 0 { child.output = -1 } else { child.error = -1 }
                    open -= 1
                } else if slot == 1 {
                    child.errorBytes.append(contentsOf: buffer[0..<count])
                } else {
                    if onOutput(buffer[0..<count]) && !timedOut { return .stopped }
                    outputReads += 1
                    outputBytes += count
                    gather = outputReads > 8 && outputBytes > Self.longOutput && count < 16384
                }
            }
        }
        return timedOut ? .timedOut : .closed
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
