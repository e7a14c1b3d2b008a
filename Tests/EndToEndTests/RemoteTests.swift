// Remote locations (issue 6): the built binary against a real OpenSSH server on 127.0.0.1. The
// server runs on this machine, so a "remote" BACKUP is a sandbox folder reached through SSH, and
// the tests check its files directly.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("remote locations over SSH")
struct RemoteTests {
    /// Config "Docs": WORK `work`, BACKUPs as given (written into the config as they are), with
    /// the server's ssh options. Creates `work` and each local or remote sandbox folder named.
    @discardableResult
    func remoteConfig(_ box: Sandbox, _ server: SSHServer, backups: [String], extra: String = "") throws -> String {
        try box.folder("work")
        let list = backups.map { "\"\($0)\"" }.joined(separator: ",")
        return try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":[\#(list)],"ssh":\#(server.sshOptionsJSON)\#(extra)}]}"#)
    }

    /// `work/docs` with two files, and the remote BACKUP `rb` (reached as ssh://…) created.
    func docs(_ box: Sandbox) throws {
        try box.write("work/docs/a.txt", "alpha\n", mtime: old)
        try box.write("work/docs/sub/b.txt", "beta\n", mtime: old)
        try box.setTime("work/docs/sub", old)
        try box.setTime("work/docs", old)
        try box.folder("rb")
    }

    @Test("--backup copies to a remote BACKUP beside a local one")
    func backupBesideLocal() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.folder("b1")
        try remoteConfig(box, server, backups: ["b1", server.url(box.path("rb"))])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("backup · Docs · \(box.path("work")) → \(server.url(box.path("rb")))"), "\(r)")
        let expected: Snapshot = ["docs/": .folder, "docs/a.txt": .file("alpha\n"), "docs/sub/": .folder, "docs/sub/b.txt": .file("beta\n")]
        expectTree(box.snapshot("rb"), expected, "\(r)")
        expectTree(box.snapshot("b1"), expected, "\(r)")
        #expect(box.mtime("rb/docs/a.txt") == old && box.mtime("rb/docs") == old, "times are kept over SSH")
        // It is remote, so it is not locked, and the run says so.
        #expect(r.stderr.contains("is remote, so it is not locked"), "\(r)")
        // A second run finds nothing to do.
        let again = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(again.status == 0 && again.stdout.components(separatedBy: "Nothing to do").count == 3, "\(again)")
    }

    @Test("host:/path, the scp form, works with the port from the ssh options")
    func scpForm() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try remoteConfig(box, server, backups: [server.scp(box.path("rb"))])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/a.txt"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("rb/docs/a.txt") == "alpha\n", "\(r)")
        #expect(r.stdout.contains("→ 127.0.0.1:\(box.path("rb"))"), "\(r)")
    }

    @Test("declined overwrite leaves the remote file untouched; new files are still copied")
    func declinedOverwrite() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.write("rb/docs/a.txt", "remote newer\n", mtime: old + 100)
        try box.setTime("rb/docs", old)
        try remoteConfig(box, server, backups: [server.url(box.path("rb"))])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["docs/a.txt  newer in the destination"], "\(r)")
        #expect(box.read("rb/docs/a.txt") == "remote newer\n" && box.mtime("rb/docs/a.txt") == old + 100, "\(r)")
        #expect(box.read("rb/docs/sub/b.txt") == "beta\n", "\(r)")
        #expect(r.stdout.contains("1 modified left as they were"), "\(r)")
    }

    @Test("accepted overwrite replaces the remote file")
    func acceptedOverwrite() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.write("rb/docs/a.txt", "old\n", mtime: older)
        try remoteConfig(box, server, backups: [server.url(box.path("rb"))])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["docs/a.txt"], "\(r)")
        #expect(box.read("rb/docs/a.txt") == "alpha\n" && box.mtime("rb/docs/a.txt") == old, "\(r)")
    }

    @Test("--work -d restores from a remote BACKUP, deleting what it lacks only when confirmed")
    func restoreWithDeletion() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("rb/docs/a.txt", "alpha\n", mtime: old)
        try box.write("rb/docs/sub/b.txt", "beta\n", mtime: old)
        try box.write("work/docs/a.txt", "alpha\n", mtime: old)
        try box.write("work/docs/extra.txt", "only here\n", mtime: old)
        try box.write("work/docs/gone/c.txt", "gone\n", mtime: old)
        try box.setTime("work/docs", old)
        try box.setTime("rb/docs", old)
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: [remote])

        let declined = try box.run(["--config", "cfg.json", "--work", "-d", "--from", remote, "work/docs"], stdin: "n\n")
        #expect(declined.status == 0, "\(declined)")
        #expect(Set(declined.listed("Delete")) == ["docs/extra.txt", "docs/gone/", "docs/gone/c.txt"], "\(declined)")
        #expect(box.read("work/docs/extra.txt") == "only here\n" && box.read("work/docs/sub/b.txt") == "beta\n", "\(declined)")

        let accepted = try box.run(["--config", "cfg.json", "--work", "-d", "--from", remote, "work/docs"], stdin: "d\n")
        #expect(accepted.status == 0, "\(accepted)")
        expectTree(box.snapshot("work"), ["docs/": .folder, "docs/a.txt": .file("alpha\n"), "docs/sub/": .folder, "docs/sub/b.txt": .file("beta\n")],
                   "\(accepted)")
        #expect(accepted.stdout.contains("2 deleted") || accepted.stdout.contains("3 deleted"), "\(accepted)")
        // The folder that lost items gets the BACKUP folder's time back.
        #expect(box.mtime("work/docs") == old, "\(accepted)")
        // The WORK is local, so it is locked as usual: no notice about the remote.
        #expect(!accepted.stderr.contains("not locked"), "\(accepted)")
    }

    @Test("--transfer -D from a local BACKUP onto a remote one deletes there")
    func transferDeletesOnRemote() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("b1/docs/a.txt", "alpha\n", mtime: old)
        try box.write("rb/docs/a.txt", "alpha\n", mtime: old)
        try box.write("rb/docs/stale.txt", "stale\n", mtime: old)
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: ["b1", remote])
        let r = try box.run(["--config", "cfg.json", "--transfer", "-D", "--from", "b1", "--to", remote, "b1/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Delete") == ["docs/stale.txt"], "\(r)")
        #expect(!box.exists("rb/docs/stale.txt") && box.read("rb/docs/a.txt") == "alpha\n", "\(r)")
    }

    @Test("-n shows what would change on the remote and changes nothing")
    func dryRun() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.write("rb/docs/a.txt", "old\n", mtime: older)
        try remoteConfig(box, server, backups: [server.url(box.path("rb"))])
        let before = box.snapshot("rb")
        let r = try box.run(["--config", "cfg.json", "--backup", "-n", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["docs/a.txt"], "\(r)")
        #expect(r.listed("New") == ["docs/sub/", "docs/sub/b.txt"], "\(r)")
        #expect(r.stdout.contains("Dry run: nothing was changed."), "\(r)")
        expectTree(box.snapshot("rb"), before, "\(r)")
    }

    @Test("-v prints the rsync commands with their -e ssh part, and they can be pasted")
    func verboseShowsTheShell() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try remoteConfig(box, server, backups: [server.url(box.path("rb"))])
        try box.write("rb/docs/a.txt", "old\n", mtime: older)
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "-m", "work/docs"], stdin: "yes\nyes\nyes\n")
        #expect(r.status == 0, "\(r)")
        let commands = r.lines.filter { $0.hasPrefix("$ rsync ") }
        #expect(commands.count >= 2, "\(r)")
        for command in commands {
            #expect(command.contains(" -e 'ssh -o BatchMode=yes"), "\(command)")
            #expect(command.contains("-F \(server.clientConfig)"), "\(command)")
            #expect(command.contains(#"'--rsync-path=cd '\''"# + box.path("rb")), "\(command)")
            #expect(command.hasSuffix(" 127.0.0.1:./"), "\(command)")
        }
        #expect(box.read("rb/docs/a.txt") == "alpha\n", "\(r)")

        // Pasted after the run (its shared connection closed), the preview still runs.
        let preview = String(commands[0].dropFirst(2))
        let pasted = try box.shell(preview)
        #expect(pasted.status == 0, "\(pasted)")
        // -v keeps the connection's folder for pasting; the pasted command's connection ends
        // itself (ControlPersist). The test tidies both up.
        if let start = preview.range(of: "ControlPath=")?.upperBound, let end = preview[start...].range(of: "/0-%C")?.lowerBound {
            let folder = String(preview[start..<end])
            _ = try? box.shell("ssh -o ControlPath='\(folder)/0-%C' -O exit -F \(server.clientConfig) 127.0.0.1 2>/dev/null; rm -rf '\(folder)'")
            #expect(folder.hasPrefix("/tmp/micsync-ssh."), "\(folder)")
        }
    }

    @Test("an unreachable host (a closed port) is skipped quickly with a notice, like an unplugged drive")
    func unreachableHost() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.folder("b1")
        let closed = "ssh://127.0.0.1:\(SSHServer.closedPort())\(box.path("rb"))"
        try remoteConfig(box, server, backups: ["b1", closed])
        let started = Date()
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], timeout: 60)
        #expect(Date().timeIntervalSince(started) < 8, "an unreachable host must not make micsync wait: \(r)")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("skipping BACKUP \(closed): its host 127.0.0.1 cannot be reached over SSH"), "\(r)")
        #expect(r.stderr.contains("Connection refused"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "alpha\n", "\(r)")
        #expect(box.snapshot("rb").isEmpty, "\(r)")

        // With no other destination left: exit 1 (README: "Output and exit status"), nothing written.
        try remoteConfig(box, server, backups: [closed])
        let alone = try box.run(["--config", "cfg.json", "--backup", "work/docs"], timeout: 60)
        #expect(alone.status == 1, "\(alone)")
        #expect(alone.stderr.contains("no accessible BACKUP location"), "\(alone)")

        let list = try box.run(["--config", "cfg.json", "--list"])
        #expect(list.stdout.contains("\(closed)  unreachable"), "\(list)")
    }

    @Test("a host that accepts the connection but never answers is skipped after ssh_timeout")
    func silentHost() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.folder("b1")
        // A listening socket that is never accepted: the kernel completes the connection, and
        // no SSH banner ever comes.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        #expect(bound == 0 && listen(listener, 16) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let silent = "ssh://127.0.0.1:\(port)\(box.path("rb"))"
        try remoteConfig(box, server, backups: ["b1", silent], extra: #", "ssh_timeout": 1"#)
        let started = Date()
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], timeout: 60)
        #expect(Date().timeIntervalSince(started) < 8, "\(r)")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("skipping BACKUP \(silent): its host 127.0.0.1 cannot be reached over SSH"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "alpha\n", "\(r)")
    }

    @Test("a remote path that does not exist is skipped and never created")
    func missingRemotePath() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        let missing = server.url(box.path("nowhere"))
        try remoteConfig(box, server, backups: [missing])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("skipping BACKUP \(missing): no folder \(box.path("nowhere")) on 127.0.0.1"), "\(r)")
        #expect(!box.exists("nowhere"), "\(r)")
        let list = try box.run(["--config", "cfg.json", "--list"])
        #expect(list.stdout.contains("\(missing)  missing"), "\(list)")
    }

    @Test("names with newlines and bytes that are not UTF-8 travel exactly over SSH")
    func unusualNames() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        let names: [[UInt8]] = [Array("new\nline".utf8), [0x62, 0x61, 0x64, 0xFF, 0xFE], Array("quote'and\"dq$(x)`y` *".utf8),
                                Array("-leading".utf8), Array("back\\#012slash".utf8)]
        for name in names {
            try box.writeBytes(Array("work/docs/".utf8) + name, Array("first\n".utf8), mtime: older)
            try box.writeBytes(Array("work/docs/dir\nname/".utf8) + name, Array("first\n".utf8), mtime: older)
        }
        try box.folder("rb")
        try box.folder("b1")
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: ["b1", remote])
        let first = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(first.status == 0, "\(first)")
        expectTree(box.snapshot("rb/docs"), box.snapshot("work/docs"), "\(first)")
        #expect(first.stdout.contains("docs/dir\\#012name/new\\#012line"), "\(first)")

        // Modified: each name is listed, and the accepted ones replace the remote copies.
        for name in names { try box.writeBytes(Array("work/docs/dir\nname/".utf8) + name, Array("second\n".utf8), mtime: old) }
        let second = try box.run(["--config", "cfg.json", "--backup", "--to", remote, "work/docs"], stdin: "m\n")
        #expect(second.status == 0, "\(second)")
        #expect(second.count("Modified") == names.count, "\(second)")
        expectTree(box.snapshot("rb/docs"), box.snapshot("work/docs"), "\(second)")

        // Gone from the local BACKUP: deleted on the remote once confirmed, and nothing else.
        try FileManager.default.removeItem(atPath: box.path("b1/docs/dir\nname"))
        let deleted = try box.run(["--config", "cfg.json", "--transfer", "-d", "--from", "b1", "--to", remote, "b1/docs"], stdin: "d\n")
        #expect(deleted.status == 0, "\(deleted)")
        #expect(deleted.count("Delete") == names.count + 1, "\(deleted)")
        #expect(!box.exists("rb/docs/dir\nname"), "\(deleted)")
        #expect(box.snapshot("rb/docs").count == names.count, "\(deleted)")
    }

    @Test("both sides remote is a clear usage error")
    func bothRemote() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("rb/docs/a.txt", "alpha\n")
        try box.folder("rb2")
        let one = server.url(box.path("rb")), two = server.scp(box.path("rb2"))
        try remoteConfig(box, server, backups: [one, two])
        let r = try box.run(["--config", "cfg.json", "--transfer", "--from", one, "--to", two, "work"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("are both remote"), "\(r)")
        #expect(!box.exists("rb2/docs"), "\(r)")
    }

    @Test("--status compares a WORK with a remote BACKUP; --history names the remote")
    func statusAndHistory() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: [remote])
        let copy = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(copy.status == 0, "\(copy)")
        try box.write("work/docs/new.txt", "new\n")
        try box.write("rb/docs/only-remote.txt", "r\n")
        let status = try box.run(["--config", "cfg.json", "--status"])
        #expect(status.status == 1, "\(status)")
        #expect(status.stdout.contains("BACKUP \(remote)  accessible"), "\(status)")
        #expect(status.stdout.contains("last completed copy"), "the history is matched by the remote's name: \(status)")
        #expect(status.stdout.contains("only in WORK (not backed up) (1):\n      docs/new.txt"), "\(status)")
        #expect(status.stdout.contains("only in BACKUP (1):\n      docs/only-remote.txt"), "\(status)")
        let history = try box.run(["--config", "cfg.json", "--history"])
        #expect(history.stdout.contains("\(box.path("work")) → \(remote)"), "\(history)")
    }

    @Test("-k keeps overwritten files in the remote's trash; excludes hold over SSH")
    func keepAndExclude() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        try box.write("work/docs/skip.tmp", "temporary\n")
        try box.write("rb/docs/a.txt", "old\n", mtime: older)
        try remoteConfig(box, server, backups: [server.url(box.path("rb"))], extra: #", "exclude": ["*.tmp"]"#)
        let r = try box.run(["--config", "cfg.json", "--backup", "-k", "-m", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("rb/docs/a.txt") == "alpha\n", "\(r)")
        #expect(!box.exists("rb/docs/skip.tmp"), "\(r)")
        let trash = box.snapshot("rb/.micsync-trash")
        #expect(trash.contains { $0.key.hasSuffix("/docs/a.txt") && $0.value == .file("old\n") }, "\(trash)")
    }

    @Test("require_marker: a remote location without the marker is skipped, with the command that creates it")
    func remoteMarker() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: [remote], extra: #", "require_marker": true"#)
        try box.write("work/.micsync-location", "")
        let unmarked = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(unmarked.status == 1, "\(unmarked)")
        #expect(unmarked.stderr.contains("holds no .micsync-location marker"), "\(unmarked)")
        #expect(unmarked.stderr.contains("ssh 127.0.0.1 touch '\(box.path("rb"))/.micsync-location'"), "\(unmarked)")
        #expect(box.snapshot("rb").isEmpty, "\(unmarked)")
        try box.write("rb/.micsync-location", "")
        let marked = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(marked.status == 0, "\(marked)")
        #expect(box.read("rb/docs/a.txt") == "alpha\n", "\(marked)")
    }

    @Test("--tree fetches the folder skeleton from a remote BACKUP")
    func treeFromRemote() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("rb/docs/sub/deep/f.txt", "file\n")
        try box.folder("work/docs")
        let remote = server.url(box.path("rb"))
        try remoteConfig(box, server, backups: [remote])
        let r = try box.run(["--config", "cfg.json", "--tree", "--from", remote, "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), ["docs/": .folder, "docs/sub/": .folder, "docs/sub/deep/": .folder], "\(r)")
    }

    @Test("a remote path starting with ~ is the remote home")
    func homeRelative() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try docs(box)
        // The server logs in as this user, whose home is the account's, not the sandbox.
        let home = String(cString: getpwuid(getuid())!.pointee.pw_dir!)
        let name = "micsync-e2e-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home + "/" + name, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: home + "/" + name) }
        try remoteConfig(box, server, backups: ["127.0.0.1:~/" + name])
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("→ 127.0.0.1:~/\(name)"), "\(r)")
        #expect(FileManager.default.contents(atPath: home + "/" + name + "/docs/a.txt") == Data("alpha\n".utf8), "\(r)")
        let again = try box.run(["--config", "cfg.json", "--work", "-d", "-n", "--from", "127.0.0.1:~/" + name, "work/docs"])
        #expect(again.status == 0 && again.stdout.contains("Nothing to do"), "\(again)")
    }
}

/// What a review of the remote locations found, each reproduced first: no byte of a remote path
/// or name may meet the remote shell's or rsync's own parsing.
@Suite("remote locations: review regressions")
struct RemoteReviewRegressionTests {
    func config(_ box: Sandbox, _ server: SSHServer, work: String = "w", backup: String) throws {
        try box.config(#"{"configs":[{"name":"Docs","work":["\#(work)"],"backup":["\#(backup)"],"ssh":\#(server.sshOptionsJSON)}]}"#)
    }

    @Test("wildcards in a PATH: -m fetches only that item, never a sibling it would match")
    func wildcardNameFromRemote() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/f[1]", "a\n", mtime: old)
        try box.write("rb/f[1]", "from remote\n", mtime: old + 10)
        try box.write("rb/f1", "old remote\n", mtime: older)
        try box.write("w/f1", "my newer local work\n", mtime: old)
        try config(box, server, backup: server.url(box.path("rb")))
        let r = try box.run(["--config", "cfg.json", "--work", "-m", "w/f[1]"])
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["f[1]"], "\(r)")
        #expect(box.read("w/f1") == "my newer local work\n", "\(r)")
        #expect(box.read("w/f[1]") == "from remote\n", "\(r)")
    }

    @Test("wildcards in a PATH: -D deletes only inside that folder, never in a sibling")
    func wildcardFolderDeletion() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/d[1]/keep", "k\n", mtime: old)
        try box.write("w/d[1]/stale", "s\n", mtime: old)
        try box.write("w/d1/precious", "p\n", mtime: old)
        try box.write("rb/d[1]/keep", "k\n", mtime: old)
        try box.write("rb/d1/other", "o\n", mtime: old)
        try config(box, server, backup: server.url(box.path("rb")))
        let r = try box.run(["--config", "cfg.json", "--work", "-D", "w/d[1]"])
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Delete") == ["d[1]/stale"], "\(r)")
        #expect(box.read("w/d1/precious") == "p\n" && !box.exists("w/d1/other"), "\(r)")
        #expect(!box.exists("w/d[1]/stale") && box.read("w/d[1]/keep") == "k\n", "\(r)")
    }

    @Test("a remote location whose path holds [ ] is that folder, not one its pattern matches")
    func wildcardLocation() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/f", "f\n", mtime: old)
        try box.write("w/sub/g", "g\n", mtime: old)
        try box.folder("b[1]")
        try box.write("b1/decoy", "d\n")
        try config(box, server, backup: server.url(box.path("b[1]")))
        let r = try box.run(["--config", "cfg.json", "--backup", "w"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b[1]/f") == "f\n" && box.read("b[1]/sub/g") == "g\n", "\(r)")
        #expect(box.snapshot("b1") == ["decoy": .file("d\n")], "\(r)")
        let second = try box.run(["--config", "cfg.json", "--backup", "w/sub"])
        #expect(second.status == 0 && second.stdout.contains("Nothing to do"), "\(second)")
        let restore = try box.run(["--config", "cfg.json", "--work", "-D", "-n", "w"])
        #expect(restore.status == 0 && restore.stdout.contains("Nothing to do"), "\(restore)")
    }

    @Test("a newline or a space in a remote folder's path reaches that folder")
    func newlineAndSpaceInRemotePath() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/a\nb/item/f", "data\n", mtime: old)
        try box.folder("r b/a\nb")
        try box.write("r/f", "OTHER-IMPORTANT\n")
        try config(box, server, backup: server.url(box.path("r b")))
        // RSYNC_OLD_ARGS=1 would make rsync split arguments at spaces for the remote shell.
        let r = try box.run(["--config", "cfg.json", "--backup", "w/a\nb/item"], env: ["RSYNC_OLD_ARGS": "1"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("r b/a\nb/item/f") == "data\n", "\(r)")
        #expect(!box.exists("r b/ab") && box.snapshot("r") == ["f": .file("OTHER-IMPORTANT\n")], "\(r)")
        try box.write("w/a\nb/item/f", "changed\n", mtime: old + 5)
        let again = try box.run(["--config", "cfg.json", "--backup", "-m", "w/a\nb/item"])
        #expect(again.status == 0 && again.listed("Modified") == ["a\\#012b/item/f"], "\(again)")
        #expect(box.read("r b/a\nb/item/f") == "changed\n", "\(again)")
    }

    @Test("a TMPDIR with a space still reaches the host")
    func temporaryFolderWithASpace() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/f", "f\n")
        try box.folder("rb")
        // Short, so that micsync does not give it up for its length.
        let spaced = "/tmp/m t-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: spaced, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: spaced) }
        try config(box, server, backup: server.url(box.path("rb")))
        let r = try box.run(["--config", "cfg.json", "--backup", "w"], env: ["TMPDIR": spaced])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("rb/f") == "f\n", "\(r)")
    }
}
