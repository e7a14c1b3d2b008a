#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `DriveProbing`: tries what each location's file system can store (locally with
/// system calls, on a remote host with a shell script carried by the host's SSH probe), and
/// asks each machine's rsync for its version and capabilities. Each answer is found once per
/// location (per machine for rsync) and kept for the run.
public final class CapabilityProbe: DriveProbing, @unchecked Sendable {
    struct Key: Hashable {
        var host: RemoteHost?
        var path: String
    }

    let runner: ProcessRunner
    let environment: [String: String]
    let sessions: SSHSessions?
    private let lock = Lock()
    private var capabilities: [Key: FileSystemCapabilities] = [:]
    private var rsyncs: [RemoteHost?: RsyncCapabilities] = [:]

    /// `sessions` reaches remote locations; without it they are assumed to keep everything.
    public init(runner: ProcessRunner, environment: [String: String], sessions: SSHSessions?) {
        self.runner = runner
        self.environment = environment
        self.sessions = sessions
    }

    public func capabilities(of location: Location) -> FileSystemCapabilities {
        lock.withLock {
            let key = Key(host: location.host, path: location.path)
            if let known = capabilities[key] { return known }
            let found: FileSystemCapabilities
            if let host = location.host {
                found = remoteCapabilities(of: location.path, on: host)
            } else {
                found = LocalDriveTrial.capabilities(at: location.path)
            }
            capabilities[key] = found
            return found
        }
    }

    public func rsync(for location: Location) -> RsyncCapabilities {
        lock.withLock {
            if let known = rsyncs[location.host] { return known }
            let found = location.host.map(remoteRsync) ?? localRsync()
            rsyncs[location.host] = found
            return found
        }
    }

    /// `rsync --version` here; `.full` when it cannot be run (the run then fails saying so).
    func localRsync() -> RsyncCapabilities {
        var lines: [String] = []
        guard let result = try? runner.run(["rsync", "--version"], environment: RsyncCommand.environment(from: environment), onLine: { lines.append($0) }),
              result.status == 0 else { return .full }
        return RsyncCapabilities.parse(versionOutput: lines.joined(separator: "\n"))
    }

    func remoteCapabilities(of path: String, on host: RemoteHost) -> FileSystemCapabilities {
        guard let sessions, case .reachable = sessions.state(of: host) else { return .everything() }
        let answer = sessions.driveTrial(host, path) ?? separateTrial(of: path, on: host, sessions: sessions)
        guard let answer else { return .everything() }
        return RemoteDriveTrial.capabilities(from: answer, rsync: remoteRsync(host))
    }

    /// One more round trip, for a location the host's probe did not look at (not expected,
    /// or not there yet when it ran).
    private func separateTrial(of path: String, on host: RemoteHost, sessions: SSHSessions) -> [String]? {
        guard let answer = sessions.run(RemoteDriveTrial.script([path]), on: host), answer.result.status == 0 else { return nil }
        return RemoteDriveTrial.answers(in: answer.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), count: 1)[0]
    }

    private func remoteRsync(_ host: RemoteHost) -> RsyncCapabilities {
        if let known = rsyncs[host] { return known }
        var text = sessions?.rsyncVersion(host)
        if text == nil, let answer = sessions?.run(RemoteDriveTrial.rsyncVersionScript, on: host), answer.result.status == 0 {
            text = RemoteDriveTrial.rsyncVersion(in: answer.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
        // A host that cannot be asked: the run reports the connection, not the rsync.
        let found = text.map { RsyncCapabilities.parse(versionOutput: $0) } ?? .full
        rsyncs[host] = found
        return found
    }
}

/// A mutual-exclusion lock (pthread), so that the probe may be shared across threads.
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
