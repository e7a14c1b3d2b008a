import Testing
@testable import MicsyncKit

/// Remote locations (issue 6): how they are written and checked, and the rsync and ssh argument
/// lists that reach them.
@Suite("Remote locations")
struct RemoteLocationTests {
    static let file = "/home/u/.micsync.json"

    func load(_ json: String) throws -> Configuration {
        var fileSystem = FakeFileSystem()
        fileSystem.home = "/home/u"
        fileSystem.addFile(Self.file, json)
        return try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
    }

    func loadError(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let error = #expect(throws: ConfigError.self, sourceLocation: sourceLocation) { try load(json) }
        return error?.description ?? ""
    }

    func config(backup: String, extra: String = "") -> String {
        #"{"configs": [{"name": "Docs", "work": ["/w"], "backup": [\#(backup)]\#(extra)}]}"#
    }

    // MARK: Written forms

    @Test func hostColonPathIsRemoteAndAColonAfterASlashIsNot() {
        #expect(RemoteAddress.isRemote("nas:/srv/b"))
        #expect(RemoteAddress.isRemote("ann@nas:~/b"))
        #expect(RemoteAddress.isRemote("ssh://nas/srv/b"))
        #expect(!RemoteAddress.isRemote("/mnt/a:b"))
        #expect(!RemoteAddress.isRemote("./a:b"))
        #expect(!RemoteAddress.isRemote("~/a:b"))
        #expect(!RemoteAddress.isRemote("plain"))
    }

    @Test func theThreeFormsGiveUserHostPortAndPath() throws {
        #expect(try RemoteAddress.parse("nas:/srv/backup/").get() == .init(user: nil, host: "nas", port: nil, path: "/srv/backup"))
        #expect(try RemoteAddress.parse("ann@nas.local:~/b//c").get() == .init(user: "ann", host: "nas.local", port: nil, path: "~/b/c"))
        #expect(try RemoteAddress.parse("ann@nas:~").get() == .init(user: "ann", host: "nas", port: nil, path: "~"))
        #expect(try RemoteAddress.parse("ssh://ann@10.0.0.2:2222/srv/b").get() == .init(user: "ann", host: "10.0.0.2", port: 2222, path: "/srv/b"))
        #expect(try RemoteAddress.parse("ssh://nas/~/b").get() == .init(user: nil, host: "nas", port: nil, path: "~/b"))
    }

    @Test(arguments: ["nas:backup", "nas:", "ssh://nas", "@nas:/x", "-oProxyCommand=x:/y", "ssh://-p/x", "bad host:/x",
                      "ssh://nas:0/x", "ssh://nas:99999/x", "ssh://nas:port/x", "nas:/a/../b", "-l@nas:/x"])
    func anInvalidRemoteLocationIsAConfigurationError(_ written: String) {
        let message = loadError(config(backup: "\"\(written)\""))
        #expect(message.contains("config \"Docs\""), "\(message)")
        #expect(message.contains("BACKUP location"), "\(message)")
    }

    @Test func aRelativeRemotePathSaysHowToWriteALocalOne() {
        let message = loadError(config(backup: #""backup:2024""#))
        #expect(message.contains("must be absolute or start with ~"), "\(message)")
        #expect(message.contains("./NAME"), "\(message)")
    }

    @Test func theAddressNamesTheLocationAsWrittenAndKeepsItWhenTheHomeIsFilledIn() throws {
        let loaded = try load(config(backup: #""ann@nas:~/b", "ssh://nas:2222/srv/b""#))
        let backups = loaded.configs[0].backup
        #expect(backups.map(\.address) == ["ann@nas:~/b", "ssh://nas:2222/srv/b"])
        #expect(backups.map(\.isRemote) == [true, true])
        let copying = backups[0].withPath("/home/ann/b")
        #expect(copying.address == "ann@nas:~/b")
        #expect(copying.rsyncOperand("/home/ann/b/") == "ann@nas:/home/ann/b/")
        #expect(backups[1].rsyncOperand("/srv/b/") == "nas:/srv/b/")
    }

    @Test func aLocalPathNeverLiesInARemoteLocation() throws {
        let loaded = try load(config(backup: #""nas:/w2""#))
        #expect(!loaded.configs[0].backup[0].holds("/w2/a"))
        #expect(loaded.configs[0].work[0].holds("/w/a"))
    }

    // MARK: Nesting and settings

    @Test func nestingIsCheckedAmongTheLocationsOfOneHost() throws {
        #expect(loadError(config(backup: #""nas:/srv/b", "nas:/srv/b/inner""#)).contains("lies inside"))
        #expect(loadError(config(backup: #""nas:/srv/b", "nas:/srv/b/""#)).contains("same folder"))
        #expect(loadError(config(backup: #""nas:~/b", "nas:~/b/c""#)).contains("lies inside"))
        // An absolute path is the same folder whoever logs in; a `~` path is the user's own.
        #expect(loadError(config(backup: #""nas:/srv/b", "ann@nas:/srv/b/x""#)).contains("lies inside"))
        _ = try load(config(backup: #""ann@nas:~/b", "bob@nas:~/b""#))
        // Other hosts, another port, or a local folder of the same name: not nested.
        _ = try load(config(backup: #""nas:/srv/b", "other:/srv/b/inner", "ssh://nas:2222/srv/b", "/srv/b""#))
        // `~/b` and an absolute path cannot be compared without asking the host.
        _ = try load(config(backup: #""nas:~/b", "nas:/home/u/b/c""#))
    }

    @Test func sshOptionsAndTimeoutReachEveryRemoteLocationOfTheConfig() throws {
        let loaded = try load(config(backup: #""nas:/b""#, extra: #", "ssh": ["-i", "~/.ssh/backup_key", "-o", "Compression=yes"], "ssh_timeout": 3"#))
        let host = try #require(loaded.configs[0].backup[0].host)
        // No shell is involved, so micsync expands `~` as a shell would have.
        #expect(host.sshOptions == ["-i", "/home/u/.ssh/backup_key", "-o", "Compression=yes"])
        #expect(host.timeout == 3)
        let plain = try #require(try load(config(backup: #""nas:/b""#)).configs[0].backup[0].host)
        #expect(plain.sshOptions == [] && plain.timeout == RemoteHost.defaultTimeout)
    }

    @Test(arguments: [#""ssh": "-p 2222""#, #""ssh": [""]"#, #""ssh": [2222]"#, #""ssh_timeout": 0"#, #""ssh_timeout": 2.5"#,
                      #""ssh_timeout": "10""#, #""ssh_timeout": 99999"#])
    func badSSHSettingsAreConfigurationErrors(_ member: String) {
        let message = loadError(config(backup: #""nas:/b""#, extra: ", " + member))
        #expect(message.contains("config \"Docs\""), "\(message)")
        #expect(message.contains("\"ssh"), "\(message)")
    }

    // MARK: ssh and rsync arguments

    @Test func sshNeverAsksForAPasswordAndSharesOneConnection() {
        let sessions = SSHSessions(runner: RecordingRunner(), environment: ["TMPDIR": "/tmp"], clock: { 0 })
        let arguments = sessions.sshCommand(for: RemoteHost(user: "ann", host: "nas", port: 2222, sshOptions: ["-i", "/k ey"], timeout: 7))
        #expect(arguments.first == "ssh")
        #expect(arguments.contains("BatchMode=yes"))
        #expect(arguments.contains("ConnectTimeout=7"))
        #expect(arguments.contains("ControlMaster=auto"))
        #expect(arguments.contains { $0.hasPrefix("ControlPath=/tmp/micsync-ssh.") && $0.hasSuffix("/0-%C") })
        // Another config's options for the same machine: a connection of its own.
        #expect(sessions.sshCommand(for: RemoteHost(user: "ann", host: "nas", port: 2222, sshOptions: ["-i", "/other"], timeout: 7))
            .contains { $0.hasSuffix("/1-%C") })
        // The port from ssh://, then the config's own options, as separate arguments.
        #expect(Array(arguments.suffix(4)) == ["-p", "2222", "-i", "/k ey"])
        #expect(sessions.rsyncShell(for: RemoteHost(host: "nas", sshOptions: ["-i", "/k ey"])).hasSuffix(" -i '/k ey'"))
        sessions.close()
    }

    @Test func rsyncSplitsTheShellOnSpacesAndKeepsQuotedPartsWhole() {
        #expect(RemoteShell.rsyncQuoted(["ssh", "-i", "/a b/key", "-o", "ProxyCommand=it's"]) == "ssh -i '/a b/key' -o 'ProxyCommand=it''s'")
        #expect(RemoteShell.quote("it's $HOME") == #"'it'\''s $HOME'"#)
    }

    @Test func aRemoteDestinationIsReachedByCdIntoItsFolderNeverByItsPathInAnOperand() {
        let host = RemoteHost(host: "nas")
        let spec = TransferSpec(action: .backup, configName: "Docs", source: Location(role: .work, path: "/w"),
                                destination: Location(role: .backup, path: "/srv/b[1] it's", host: host), parent: "p", names: ["a", "-b"])
        var command = RsyncCommand(spec: spec, existingPrefix: "p")
        command.remoteShell = "ssh -o BatchMode=yes"
        let trees = [command.preview(deleting: false), command.singleRun(), command.bulkNew(refused: [])]
        let listed = [command.replace(listFile: "/l"), command.add(listFile: "/l", refused: []), command.deletion(listFile: "/l")]
        for run in trees {
            #expect(Array(run.prefix(4)) == ["rsync", "-e", "ssh -o BatchMode=yes", #"--rsync-path=cd '/srv/b[1] it'\''s/p' && rsync"#], "\(run)")
            #expect(run.last == "nas:./", "\(run)")
        }
        for run in listed {
            #expect(Array(run.prefix(4)) == ["rsync", "-e", "ssh -o BatchMode=yes", #"--rsync-path=cd '/srv/b[1] it'\''s' && rsync"#], "\(run)")
            #expect(run.last == "nas:./", "\(run)")
        }
        // The local source is named as before: no shell reads it.
        #expect(command.preview(deleting: false).suffix(3) == ["/w/p/./a", "/w/p/./-b", "nas:./"])
        #expect(command.replace(listFile: "/l").suffix(2) == ["/w/", "nas:./"])
        #expect(!command.needsNamesList)
    }

    @Test func aRemoteSourcesNamesGoInAListAndItsFolderInACd() {
        let remote = Location(role: .backup, path: "/srv/b", host: RemoteHost(user: "ann", host: "nas"))
        let whole = TransferSpec(action: .work, configName: "Docs", source: remote, destination: Location(role: .work, path: "/w"), parent: "", names: [])
        #expect(RsyncCommand(spec: whole, existingPrefix: "").preview(deleting: true).suffix(2) == ["ann@nas:./", "/w/"])
        let spec = TransferSpec(action: .work, configName: "Docs", source: remote, destination: Location(role: .work, path: "/w"),
                                parent: "p/q", names: ["a*", "new\nline"])
        var command = RsyncCommand(spec: spec, existingPrefix: "p")
        command.remoteShell = "ssh"
        command.remoteNamesList = "/tmp/names"
        #expect(command.needsNamesList)
        #expect(command.namesList == ["q/a*", "q/new\nline"])
        let preview = command.preview(deleting: true)
        #expect(preview.contains(#"--rsync-path=cd '/srv/b/p' && rsync"#))
        #expect(preview.suffix(5) == ["--recursive", "--files-from=/tmp/names", "--from0", "ann@nas:./", "/w/p/"])
    }

    @Test func theProbeRunsUnderShWhateverTheLoginShellAndFindsItsLocations() {
        let runner = ScriptedRunner(lines: ["/home/ann", ":dme", ":"])
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        let host = RemoteHost(user: "ann", host: "nas")
        sessions.expect([Location(role: .backup, path: "~/b", host: host), Location(role: .backup, path: "/gone", host: host)])
        #expect(sessions.state(of: host) == .reachable(home: "/home/ann"))
        let command = runner.runs[0]
        #expect(command.suffix(3).first == "--" && command.suffix(2).first == "ann@nas")
        // zsh, say, would abort the probe's globs: sh runs it, the login shell reads one quoted word.
        #expect(command.last?.hasPrefix("sh -c '{ printf '\\''%s") == true, "\(command.last ?? "")")
        // Its ssh then holds the shared connection in the foreground, its remote shell waiting for
        // the end of its input (the end-to-end `sshConnectionEndsWithMicsync`).
        #expect(command.last?.hasSuffix("read -r micsync_end || :'") == true && command.contains("ControlMaster=yes") && command.contains("ControlPersist=no"))
        let files = RemoteFileSystem(host: host, sessions: sessions, local: FakeFileSystem())
        // Both the written path and the one with the home filled in are answered from the probe.
        #expect(files.isDirectory("~/b") && files.isDirectory("/home/ann/b") && files.isEmptyDirectory("/home/ann/b"))
        #expect(files.kind(of: "/home/ann/b/.micsync-location") == .regularFile)
        #expect(!files.isDirectory("/gone"))
        #expect(runner.runs.count == 1, "one round trip for all of it")
        sessions.close()
    }

    @Test func remoteTimesAreReadInUTC() {
        #expect(RemoteFileSystem.time(ArraySlice(Array("2025/10/26-00:45:00".utf8))) == 1_761_439_500)
        #expect(RemoteFileSystem.time(ArraySlice(Array("garbage".utf8))) == nil)
    }

    @Test func rsyncsArgumentSettingsFromTheUserAreNotTakenOver() {
        let environment = RsyncCommand.environment(from: ["RSYNC_OLD_ARGS": "1", "RSYNC_PROTECT_ARGS": "1", "HOME": "/h"])
        #expect(environment["RSYNC_OLD_ARGS"] == nil && environment["RSYNC_PROTECT_ARGS"] == nil)
        #expect(environment["HOME"] == "/h" && environment["LC_ALL"] == "C")
    }

    @Test func theProbeLooksAtEveryLocationOfTheHostInOneScript() {
        let script = SSHSessions.probeScript(["/srv/b", "~/it's", "~"])
        #expect(script.hasPrefix(#"printf '%s\n' "$HOME""#))
        #expect(script.contains(#"for p in '/srv/b' "$HOME"/'it'\''s' "$HOME"; do"#))
        #expect(script.contains(ReservedName.marker))
    }

    @Test func anAddingRunListingTheLocationItselfTouchesOnlyTheTopLevelNamesOfItsList() {
        #expect(ApplyPlan.topLevel(of: ["a/b", "c"]) == nil)
        #expect(ApplyPlan.topLevel(of: [".", "sub/x", "sub", "f[1]"]) == ["sub", "f[1]"])
        let spec = TransferSpec(action: .work, configName: "Docs", source: Location(role: .backup, path: "/b"),
                                destination: Location(role: .work, path: "/w"), parent: "", names: [])
        let run = RsyncCommand(spec: spec, existingPrefix: "").add(listFile: "/l", refused: ["r"], topLevel: ["sub", "f[1]"])
        // After every other rule, so that reserved, configured and refused exclusions still win.
        let rules = run.filter { $0.hasPrefix("--include=") || $0.hasPrefix("--exclude=") }
        #expect(Array(rules.suffix(4)) == ["--exclude=/r", "--include=/sub", #"--include=/f\[1]"#, "--exclude=/*"])
        #expect(RsyncCommand(spec: spec, existingPrefix: "").add(listFile: "/l", refused: []).contains("--exclude=/*") == false)
    }
}

/// A runner that records what it was asked to run and answers status 0.
final class RecordingRunner: ProcessRunner, @unchecked Sendable {
    private(set) var runs: [[String]] = []
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        runs.append(arguments)
        return ProcessResult(status: 0)
    }

    @Test func aQuestionAboutALocationBeforeTheProbeCostsNoSecondRoundTrip() {
        let runner = ScriptedRunner(lines: ["/home/ann", ":dme"])
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        let host = RemoteHost(user: "ann", host: "nas")
        sessions.expect([Location(role: .backup, path: "/srv/b", host: host)])
        let files = RemoteFileSystem(host: host, sessions: sessions, local: FakeFileSystem())
        #expect(files.isDirectory("/srv/b"))
        #expect(runner.runs.count == 1, "the probe answers it: \(runner.runs)")
        sessions.close()
    }
}

/// A runner that answers every command with the same lines and status 0, recording the commands.
final class ScriptedRunner: ProcessRunner, @unchecked Sendable {
    let lines: [String]
    private(set) var runs: [[String]] = []
    init(lines: [String]) { self.lines = lines }
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        runs.append(arguments)
        lines.forEach(onLine)
        return ProcessResult(status: 0)
    }
}
