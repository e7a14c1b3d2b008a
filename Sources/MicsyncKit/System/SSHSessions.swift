/// The SSH side of one run. Each remote host is reached once, by a probe that never asks for a
/// password (BatchMode) and gives up after the config's timeout; that connection then carries
/// every later ssh and rsync run to the host (OpenSSH's ControlMaster, with its socket in a
/// private folder), and `close()` ends it. The ssh holding it is micsync's own child: `close()`
/// stops it at once, and if micsync dies, the end of the child's input ends it too. Destinations
/// are previewed and copied side by side, so what it keeps is reached under one lock (a first
/// probe holds it: the others wait for its answer).
public final class SSHSessions: @unchecked Sendable {
    public enum HostState: Equatable, Sendable {
        case reachable(home: String)
        case unreachable(reason: String)
    }

    /// What the probe found at one location's folder.
    struct LocationFacts: Equatable {
        var isDirectory: Bool
        var hasMarker: Bool
        var isEmpty: Bool
    }

    let runner: ProcessRunner
    let environment: [String: String]
    let clock: @Sendable () -> Double
    private var controlFolder: String?
    private var states: [RemoteHost: HostState] = [:]
    /// Hosts whose probe connected: each may have a shared connection to end.
    private var connected: [RemoteHost] = []
    /// The ssh holding each host's shared connection, left running by its probe.
    private var masters: [RemoteHost: RunningProgram] = [:]
    /// Each host's socket name: two configs may reach one machine with different ssh options
    /// (another key), so each gets its own connection rather than `%C`'s one per machine.
    private var socketNumbers: [RemoteHost: Int] = [:]
    /// The locations of each host that the probe looks at too, so that asking whether they are
    /// accessible costs no further round trip.
    private var expected: [RemoteHost: [String]] = [:]
    private var facts: [RemoteHost: (time: Double, paths: [String: LocationFacts])] = [:]
    /// What the probe's capability trial found at each location (see `RemoteDriveTrial`), and
    /// the host's `rsync --version`: a file system does not change during a run.
    private var driveTrials: [RemoteHost: [String: [String]]] = [:]
    private var rsyncVersions: [RemoteHost: String] = [:]
    /// The probe's findings answer questions asked this soon after it; later ones go to the host.
    static let factsLifetime = 3.0
    /// An idle shared connection ends by itself after this long, even if micsync was killed.
    static let persistSeconds = 60

    private let lock = RecursiveLock()
    /// Where remote listings write their lists (and the sockets' folder is made).
    public let lists: TemporaryListFiles

    public init(runner: ProcessRunner, environment: [String: String], clock: @escaping @Sendable () -> Double) {
        self.runner = runner
        self.environment = environment
        self.clock = clock
        self.lists = TemporaryListFiles(environment: environment)
    }

    /// The remote locations this run may ask about: the probe of their host looks at each.
    public func expect(_ locations: [Location]) {
        lock.withLock { expectLocked(locations) }
    }

    private func expectLocked(_ locations: [Location]) {
        for location in locations {
            guard let host = location.host, !(expected[host] ?? []).contains(location.path) else { continue }
            expected[host, default: []].append(location.path)
        }
    }

    /// What the probe found at `path`, while its findings are fresh.
    /// The host is probed first if it was not yet: its answer holds them (one round trip, not two).
    func facts(_ host: RemoteHost, _ path: String) -> LocationFacts? {
        lock.withLock {
            _ = stateLocked(of: host)
            return factsLocked(host, path)
        }
    }

    private func factsLocked(_ host: RemoteHost, _ path: String) -> LocationFacts? {
        guard let found = facts[host], clock() - found.time <= Self.factsLifetime else { return nil }
        return found.paths[path]
    }

    /// ssh with its options for `host`: no password questions, the connect timeout, a dead
    /// connection noticed, the shared connection, the port, then the config's own options.
    public func sshCommand(for host: RemoteHost) -> [String] {
        lock.withLock { sshCommandLocked(for: host) }
    }

    /// `master`: the probe's ssh, which makes the shared connection and stays in the foreground
    /// (the others join it, or make one of their own that outlives them a while if it is gone).
    /// ssh takes the first value given for an option: these come before the config's own.
    private func sshCommandLocked(for host: RemoteHost, master: Bool = false) -> [String] {
        var arguments = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(host.timeout)",
                         "-o", "ServerAliveInterval=\(host.timeout)", "-o", "ServerAliveCountMax=3"]
        if let folder = sharedConnectionFolder() {
            let number = socketNumbers[host] ?? socketNumbers.count
            socketNumbers[host] = number
            arguments += ["-o", master ? "ControlMaster=yes" : "ControlMaster=auto", "-o", "ControlPath=" + folder + "/\(number)-%C",
                          "-o", master ? "ControlPersist=no" : "ControlPersist=\(Self.persistSeconds)"]
        }
        if let port = host.port { arguments += ["-p", String(port)] }
        return arguments + host.sshOptions
    }

    /// rsync's `-e` value for `host`: the same command, quoted the way rsync splits it.
    public func rsyncShell(for host: RemoteHost) -> String { RemoteShell.rsyncQuoted(sshCommand(for: host)) }

    /// Whether `host` answers, probed on first use only.
    public func state(of host: RemoteHost) -> HostState {
        lock.withLock { stateLocked(of: host) }
    }

    private func stateLocked(of host: RemoteHost) -> HostState {
        if let known = states[host] { return known }
        // Past the connect timeout, a server that accepted the connection but never answers.
        let state: HostState
        let paths = expected[host] ?? []
        let answer = probe(Self.probeScript(paths), on: host, timeLimit: Double(host.timeout) * 2 + 5)
        if let answer, answer.result.status != 255 { connected.append(host) }
        if let answer {
            let lines = answer.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if answer.result.timedOut {
                state = .unreachable(reason: "no answer over SSH within \(host.timeout * 2 + 5) s")
            } else if answer.result.status == 0 && lines[0].hasPrefix("/") && lines.count > paths.count
                        && lines[1..<(paths.count + 1)].allSatisfy({ $0.hasPrefix(":") })
                        && lines[(paths.count + 1)...].allSatisfy({ $0.hasPrefix("c") || $0.hasPrefix("r") }) {
                state = .reachable(home: lines[0])
                var found: [String: LocationFacts] = [:]
                for (path, flags) in zip(paths, lines.dropFirst()) {
                    let fact = LocationFacts(isDirectory: flags.contains("d"), hasMarker: flags.contains("m"), isEmpty: flags.contains("e"))
                    for name in Self.names(of: path, home: lines[0]) { found[name] = fact }
                }
                facts[host] = (clock(), found)
                let trials = Array(lines[(paths.count + 1)...])
                for (path, answer) in zip(paths, RemoteDriveTrial.answers(in: trials, count: paths.count)) {
                    guard let answer else { continue }
                    for name in Self.names(of: path, home: lines[0]) { driveTrials[host, default: [:]][name] = answer }
                }
                rsyncVersions[host] = RemoteDriveTrial.rsyncVersion(in: trials)
            } else if answer.result.status == 255 {
                state = .unreachable(reason: Self.lastLine(answer.result.errorOutput) ?? "ssh could not connect")
            } else {
                state = .unreachable(reason: "its shell did not answer as expected (status \(answer.result.status))"
                    + (Self.lastLine(answer.result.errorOutput).map { ": " + $0 } ?? ""))
            }
        } else {
            state = .unreachable(reason: "cannot run ssh (is it installed? On Debian or Ubuntu: apt-get install openssh-client)")
        }
        states[host] = state
        return state
    }

    public func home(of host: RemoteHost) -> String? {
        if case .reachable(let home) = state(of: host) { return home }
        return nil
    }

    /// Prints the home folder, then a line per path: `:` followed by `d` a folder, `m` holding
    /// the marker, `e` empty. POSIX sh only: the three globs together match every name but . and ..
    /// After these lines come the capability trial of each path and the host's `rsync --version`
    /// (`RemoteDriveTrial`), so that one round trip answers all of it.
    static func probeScript(_ paths: [String]) -> String {
        var script = #"printf '%s\n' "$HOME""#
        guard !paths.isEmpty else { return script + "; " + RemoteDriveTrial.script([]) }
        script += "; for p in " + shellWords(paths).joined(separator: " ") + "; do printf :; if [ -d \"$p\" ]; then printf d; "
            + "if [ -e \"$p/\(ReservedName.marker)\" ] || [ -L \"$p/\(ReservedName.marker)\" ]; then printf m; fi; "
            + #"(cd "$p" 2>/dev/null && for f in * .[!.]* ..?*; do if [ -e "$f" ] || [ -L "$f" ]; then exit 1; fi; done) && printf e; fi; printf '\n'; done"#
        return script + "; " + RemoteDriveTrial.script(paths)
    }

    /// Each path as a word for the remote shell, a leading `~` as the home folder.
    static func shellWords(_ paths: [String]) -> [String] {
        paths.map { path -> String in
            if path == "~" { return #""$HOME""# }
            if path.hasPrefix("~/") { return #""$HOME"/"# + RemoteShell.quote(String(path.dropFirst(2))) }
            return RemoteShell.quote(path)
        }
    }

    /// A path as the probe was given it and, for a `~` path, with the home folder filled in (as
    /// a copy asks for it).
    static func names(of path: String, home: String) -> [String] {
        if path == "~" { return [path, home] }
        if path.hasPrefix("~/") { return [path, Paths.join(home, String(path.dropFirst(2)))] }
        return [path]
    }

    /// What the probe's capability trial answered for `path` (see `RemoteDriveTrial`).
    func driveTrial(_ host: RemoteHost, _ path: String) -> [String]? { lock.withLock { driveTrials[host]?[path] } }

    /// The host's `rsync --version` as the probe found it ("" when it has no rsync).
    func rsyncVersion(_ host: RemoteHost) -> String? { lock.withLock { rsyncVersions[host] } }

    /// After a command found the connection gone: every later question about the host fails at
    /// once instead of waiting for the timeout again.
    func lost(_ host: RemoteHost, reason: String) { lock.withLock { states[host] = .unreachable(reason: reason) } }

    /// Runs a shell command line on a reachable host (its login shell reads it); nil otherwise.
    func run(_ command: String, on host: RemoteHost) -> (result: ProcessResult, output: String)? {
        guard case .reachable = state(of: host) else { return nil }
        let answer = execute(command, on: host, timeLimit: nil)
        if let answer, answer.result.status == 255 {
            lost(host, reason: Self.lastLine(answer.result.errorOutput) ?? "the SSH connection was lost")
        }
        return answer
    }

    /// The line after the probe's answer, when its ssh stays to hold the shared connection.
    static let answerEnd = "-- end of the micsync probe --"

    /// Runs the probe script by the ssh that then holds the shared connection: after its answer
    /// and `answerEnd`, the remote shell waits for the end of its input, which comes when `close`
    /// stops that ssh, or when micsync is gone. Without a sockets folder, an ordinary run.
    private func probe(_ script: String, on host: RemoteHost, timeLimit: Double) -> (result: ProcessResult, output: String)? {
        guard sharedConnectionFolder() != nil else { return execute(script, on: host, timeLimit: timeLimit) }
        let command = "{ " + script + "; } </dev/null; echo '" + Self.answerEnd + "'; read -r micsync_end || :"
        var lines: [String] = []
        do {
            let (result, running) = try runner.start(sshCommandLocked(for: host, master: true) + ["--", host.destination, "sh -c " + RemoteShell.quote(command)],
                                                     environment: environment, timeLimit: timeLimit, endLine: Self.answerEnd) { lines.append($0) }
            masters[host] = running
            return (result, lines.joined(separator: "\n"))
        } catch {
            return nil
        }
    }

    private func execute(_ command: String, on host: RemoteHost, timeLimit: Double?) -> (result: ProcessResult, output: String)? {
        var lines: [String] = []
        do {
            // Run by sh whatever the login shell is (zsh, say, would stop at a glob that matches
            // nothing): the login shell only has to read one single-quoted word.
            let result = try runner.run(sshCommand(for: host) + ["--", host.destination, "sh -c " + RemoteShell.quote(command)], environment: environment,
                                        timeLimit: timeLimit) { lines.append($0) }
            return (result, lines.joined(separator: "\n"))
        } catch {
            return nil
        }
    }

    /// Ends the shared connections and removes their folder, unless `keepingFolder`: `-v`
    /// printed commands that name it, and a pasted one opens its own connection there.
    public func close(keepingFolder: Bool = false) {
        lock.withLock { closeLocked(keepingFolder: keepingFolder) }
    }

    private func closeLocked(keepingFolder: Bool) {
        guard let folder = controlFolder else { return }
        for host in connected {
            if let master = masters.removeValue(forKey: host), master.stop() { continue }
            // No ssh of micsync's own holds it (it ended early, or the runner keeps none): a
            // connection that a later command made in its place is ended through its socket.
            _ = try? runner.run(sshCommand(for: host) + ["-O", "exit", "--", host.destination], environment: environment, timeLimit: 10) { _ in }
        }
        if !keepingFolder { TemporaryListFiles(folder: Paths.parent(folder)).removeFolder(folder) }
        controlFolder = nil
    }

    /// The private folder of the connection sockets. A socket's path must stay short (108
    /// bytes), so a long `$TMPDIR` gives way to /tmp.
    private func sharedConnectionFolder() -> String? {
        if let controlFolder { return controlFolder }
        var base = lists.folder
        // ssh splits an option's value at spaces and quotes.
        if base.utf8.count > 40 || base.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == "%" }) { base = "/tmp" }
        controlFolder = TemporaryListFiles(folder: base).makeFolder(prefix: "micsync-ssh")
        return controlFolder
    }

    static func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last(where: { !$0.allSatisfy(\.isWhitespace) }).map { String($0).trimmingCharacters() }
    }
}

/// Quoting for the two readers of a remote command: rsync's `-e` splitter and the remote shell.
public enum RemoteShell {
    /// rsync splits its `-e` value on spaces and keeps quoted parts whole; inside single quotes a
    /// doubled quote is one quote (rsync's manual, `--rsh`). Plain arguments stay as they are.
    public static func rsyncQuoted(_ arguments: [String]) -> String {
        arguments.map { argument in
            guard argument.isEmpty || argument.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" || $0 == "\t" }) else { return argument }
            return "'" + argument.replacingOccurrences(of: "'", with: "''") + "'"
        }.joined(separator: " ")
    }

    /// A word for a POSIX shell, whatever bytes it holds.
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension String {
    func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
