#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value shared between threads, reached only under its lock.
public final class Locked<Value>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    @discardableResult
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body(&value)
    }
}

/// A lock that the thread holding it may take again (a locked section calling another).
final class RecursiveLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// A mutex with a condition to wait on, for the threads that hand work to one another
/// (`Signal`, the tree comparison's `WalkQueue`).
final class Monitor: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body` holding the mutex; inside it, `wait` and `broadcast` may be called.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// Lets the mutex go until another thread broadcasts (call it in a loop on its condition).
    func wait() { pthread_cond_wait(&condition, &mutex) }

    func broadcast() { pthread_cond_broadcast(&condition) }
}

/// A counter that a thread can wait on: `signal` adds one, `wait` takes one (waiting for it).
final class Signal: @unchecked Sendable {
    private let monitor = Monitor()
    private var count = 0

    func signal() {
        monitor.withLock {
            count += 1
            monitor.broadcast()
        }
    }

    func wait() {
        monitor.withLock {
            while count == 0 { monitor.wait() }
            count -= 1
        }
    }
}

/// A thread of its own for work that blocks (an rsync run waited for): a pool sized by the
/// cores would run only that many copies at once.
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    private init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    /// Starts `body` on a new thread; `join` waits for it to end.
    static func start(_ body: @escaping @Sendable () -> Void) -> WorkerThread {
        if let worker = startSeparately(body) { return worker }
        // No thread to be had: the work runs here instead.
        let worker = WorkerThread(body)
        worker.body()
        worker.ran = true
        return worker
    }

    /// Starts `body` on a new thread; nil when no thread can be had (for work that must not run
    /// on the caller's, such as a producer the caller consumes).
    static func startSeparately(_ body: @escaping @Sendable () -> Void) -> WorkerThread? {
        let worker = WorkerThread(body)
        let context = Unmanaged.passRetained(worker).toOpaque()
        let started = pthread_create(&worker.thread, nil, { context in
            let worker = Unmanaged<WorkerThread>.fromOpaque(context!).takeRetainedValue()
            worker.body()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<WorkerThread>.fromOpaque(context).release()
            return nil
        }
        return worker
    }

    private var ran = false

    func join() {
        guard !ran else { return }
        pthread_join(thread, nil)
        ran = true
    }
}
