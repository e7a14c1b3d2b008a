#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps two micsync runs from writing to one destination at once: an advisory lock on the
/// location folder itself, which dies with the process that holds it (no lock file left behind
/// by a killed run).
public protocol LocationLocking: Sendable {
    func lock(_ path: String, wait: Bool) -> LocationLockResult
}

public enum LocationLockResult: Sendable {
    case locked(LocationLock)
    /// Another run holds it (only when not waiting).
    case busy
    case failed(reason: String)
}

/// A held lock; released when closed or when the process ends.
public final class LocationLock: Sendable {
    private let descriptor: Locked<Int32>

    init(descriptor: Int32) { self.descriptor = Locked(descriptor) }

    /// Releases it now (at the end of its destination's apply, while others still run).
    public func release() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }

    deinit { release() }
}

public struct FlockLocationLocking: LocationLocking {
    public init() {}

    public func lock(_ path: String, wait: Bool) -> LocationLockResult {
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { return .failed(reason: String(cString: strerror(errno))) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let error = errno
            close(descriptor)
            return error == EWOULDBLOCK ? .busy : .failed(reason: String(cString: strerror(error)))
        }
        return .locked(LocationLock(descriptor: descriptor))
    }
}
