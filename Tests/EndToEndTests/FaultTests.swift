// Faults with real rsync on real trees: unreadable sources, an unwritable or full destination,
// a file in a destination's parent chain, interrupted copies, a destination that vanishes between
// preview and apply. Permission cases run micsync as uid 65534, since root ignores permission bits.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: - Helpers

/// Runs micsync as the unprivileged user 65534 (`nobody`).
private let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

/// Runs a helper program (chown, mount, umount) and fails unless it exits 0.
private func system(_ command: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw Failure("\(command) exited \(process.terminationStatus)") }
}

/// micsync started with a standard input the test writes to while it runs.
final class Live {
    let process = Process()
    private let input = Pipe()
    private let outPath: String, errPath: String

    init(_ box: Sandbox, _ arguments: [String], prefix: [String] = []) throws {
        signal(SIGPIPE, SIG_IGN)
        let io = box.path(".live-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: io, withIntermediateDirectories: true)
        outPath = io + "/out"
        errPath = io + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let command = prefix + [Binary.path] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: box.root)
        var environment = ProcessInfo.processInfo.environment
        environment["MICSYNC_CONFIG"] = nil
        environment["HOME"] = box.root
        environment["NO_COLOR"] = "1"
        environment["TMPDIR"] = box.temporaryFolder
        process.environment = environment
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try spawnWithSignalsUnblocked(process)
    }

    var stdout: String { String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self) }

    /// Waits until standard output shows `text` (false if micsync ended first or 60 s passed).
    func waitFor(_ text: String) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if stdout.contains(text) { return true }
            if !process.isRunning { return stdout.contains(text) }
            usleep(2_000)
        }
        return false
    }

    /// Answers a question while micsync goes on running.
    func send(_ text: String) { try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

    /// Writes `stdin`, closes standard input and waits for micsync to end.
    func finish(stdin: String = "") throws -> RunResult {
        if !stdin.isEmpty { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Failure("micsync did not finish within 120 s")
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        var status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal { status += 128 }
        let err = FileManager.default.contents(atPath: errPath) ?? Data()
        return RunResult(status: status, stdout: stdout, stderr: String(decoding: err, as: UTF8.self))
    }

    /// Every process below micsync (its rsync runs and their children), deepest last.
    func descendants() -> [pid_t] {
        var parents: [pid_t: pid_t] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        var found: [pid_t] = [], frontier = [process.processIdentifier]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }
}

private func commandLine(_ pid: pid_t) -> String {
    let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
    return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
}

/// Hands the whole sandbox and its temporary folder (micsync's $TMPDIR, whatever the test
/// process's own is) to uid 65534, so that micsync run as that user can read and write them.
private func giveToNobody(_ box: Sandbox) throws {
    try system(["/bin/chown", "-R", "65534:65534", box.root, box.temporaryFolder])
}

/// Whether two files hold the same bytes (read in chunks: the files may be large).
private func sameBytes(_ a: String, _ b: String) -> Bool {
    guard let fa = FileHandle(forReadingAtPath: a), let fb = FileHandle(forReadingAtPath: b) else { return false }
    defer { try? fa.close(); try? fb.close() }
    while true {
        let da = fa.readData(ofLength: 1 << 20), db = fb.readData(ofLength: 1 << 20)
        if da != db { return false }
        if da.isEmpty { return true }
    }
}

/// Relative names below a folder (no contents read: the trees hold a large file).
private func names(_ box: Sandbox, _ relative: String) -> Set<String> {
    Set(FileManager.default.subpaths(atPath: box.path(relative)) ?? [])
}

/// The sandbox without the destination `b1` and the run's output files.
/// The sandbox without the destination `folder`, the run's output files, and the history that
/// micsync keeps in the user's state folder (the sandbox is HOME): never a location.
private func everythingBut(_ box: Sandbox, _ folder: String) -> Snapshot {
    let history = [".local/", ".local/state/", ".local/state/micsync/", ".local/state/micsync/history.jsonl"]
    return box.snapshot("").filter { !$0.key.hasPrefix(".live-") && $0.key != folder && !$0.key.hasPrefix(folder + "/") && !history.contains($0.key) }
}

// MARK: - Tests

@Suite("7, 8 · faults")
struct FaultTests {
    @Test("an unreadable source file: the rest is copied, the file is named, exit 1")
    func unreadableSource() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        try box.write("work/docs/secret.txt", "hidden\n", mode: 0o000)
        try box.write("work/docs/sub/c.txt", "c\n")
        try giveToNobody(box)
        let r = try Live(box, ["--config", "cfg.json", "--backup", "work/docs"], prefix: asNobody).finish()
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("docs/secret.txt"), "the unreadable file is named\n\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
        #expect(box.read("b1/docs/sub/c.txt") == "c\n", "\(r)")
        #expect(!box.exists("b1/docs/secret.txt"), "\(r)")
    }

    @Test("a read-only BACKUP: exit 1 naming it, the source untouched, the other BACKUP gets its full copy")
    func readOnlyBackup() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("work/docs/sub/c.txt", "c\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        try box.write("b2/docs/a.txt", "old\n", mtime: older)
        try giveToNobody(box)
        // Owned by root: the owner could chmod it writable (rsync -a does, to copy folder modes).
        try system(["/bin/chown", "-R", "0:0", box.path("b1")])
        let work = box.snapshot("work"), b1 = box.snapshot("b1")
        let r = try Live(box, ["--config", "cfg.json", "--backup", "-m", "work/docs"], prefix: asNobody).finish()
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains(box.path("b1")), "the message names the read-only destination\n\(r)")
        expectTree(box.snapshot("work"), work, "the source is untouched\n\(r)")
        expectTree(box.snapshot("b1"), b1, "the read-only destination is unchanged\n\(r)")
        expectTree(box.snapshot("b2"), work, "the other BACKUP gets its full copy\n\(r)")
    }

    @Test("a file in a BACKUP where a folder between the location and the PATHs should be: reported, left alone, the other BACKUP served, exit 1")
    func fileInParentChainLeftAlone() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"])
        try box.write("work/a/b/c/f.txt", "f\n")
        try box.write("work/a/b/c/d/g.txt", "g\n")
        try box.write("b1/a", "a file where a folder is needed\n")
        let b1 = box.snapshot("b1")
        // No answer is given: none may be asked (the file a is outside the selection a/b/c).
        let r = try box.run(["--config", "cfg.json", "--backup", "work/a/b/c"])
        #expect(r.status == 1, "\(r)")
        #expect(r.count("Modified") == nil && !r.stdout.contains("[Modify/No]"), "nothing is asked about the file a\n\(r)")
        #expect(r.stderr.contains("has a file at a where a folder"), "the reason is given\n\(r)")
        expectTree(box.snapshot("b1"), b1, "b1 is left alone\n\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "the other BACKUP gets its copy\n\(r)")
        let dry = try box.run(["--config", "cfg.json", "--backup", "-n", "--to", "b1", "work/a/b/c"])
        #expect(dry.status == 1 && dry.stderr.contains("has a file at a where a folder"), "\(dry)")
        let deeper = try box.run(["--config", "cfg.json", "--backup", "work/a/b/c/d"])
        #expect(deeper.status == 1 && deeper.stderr.contains("has a file at a where"), "\(deeper)")
        expectTree(box.snapshot("b1"), b1, "\(deeper)")
    }

    @Test("no space left: exit 1 naming the destination, the older version stays whole")
    func noSpaceLeft() throws {
        let box = try Sandbox()
        try box.standard(backups: ["small"])
        try system(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", box.path("small")])
        defer { try? system(["/bin/umount", box.path("small")]) }
        try box.write("small/docs/big.bin", "0123456789", mtime: older)
        let random = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 3 << 20)
        try box.writeBytes(Array("work/docs/big.bin".utf8), Array(random), mtime: old)
        try box.write("work/docs/s1.txt", "one\n")
        try box.write("work/docs/s2.txt", "two\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains(box.path("small")), "the message names the destination\n\(r)")
        #expect(box.read("small/docs/big.bin") == "0123456789", "the older version stays whole\n\(r)")
        let work = box.snapshot("work")
        for (name, entry) in box.snapshot("small") where name != "docs/big.bin" && name != "docs/" {
            #expect(work[name] == entry, "\(name): nothing but whole copies under real names\n\(r)")
        }
    }

    /// WORK holds a 300 MB `docs/big.bin` (random ends, a hole between) and a small file;
    /// b1 holds an older 10-byte version of the big file.
    private func bigOverwrite(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/big.bin", "old 10 b.\n", mtime: older)
        try box.write("work/docs/small.txt", "s\n", mtime: old)
        let size: off_t = 300 << 20
        let head = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 4 << 20)
        try box.writeBytes(Array("work/docs/big.bin".utf8), Array(head))
        let fd = open(box.path("work/docs/big.bin"), O_WRONLY)
        defer { close(fd) }
        let tail = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 1 << 20)
        #expect(ftruncate(fd, size) == 0)
        #expect(tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, size - off_t(tail.count)) } == tail.count)
        try box.setTime("work/docs/big.bin", old)
    }

    /// Waits until micsync's copying rsync is writing the big file, then sends `signal` to micsync
    /// (and, with `children`, to every process below it). False if the copy was never caught.
    private func interruptDuringCopy(_ live: Live, _ box: Sandbox, signal: Int32, children: Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        var copying: Date?
        while live.process.isRunning && Date() < deadline {
            let below = live.descendants()
            if copying == nil, below.contains(where: { commandLine($0).contains("rsync") && !commandLine($0).contains("--dry-run") }) {
                copying = Date()
            }
            let temporary = names(box, "b1/docs").contains { $0.hasPrefix(".big.bin.") }
            if temporary || copying.map({ Date().timeIntervalSince($0) > 0.05 }) == true {
                var targets = [live.process.processIdentifier]
                if children {
                    // Freeze the whole tree first, as a power cut does: nothing can clean up.
                    for pid in targets + below { kill(pid, SIGSTOP) }
                    targets += Set(below + live.descendants())
                    for pid in targets { kill(pid, SIGSTOP) }
                }
                for pid in targets.reversed() { kill(pid, signal) }
                // Let the killed children go away before the destination is inspected.
                let gone = Date().addingTimeInterval(10)
                while Date() < gone && targets.dropFirst().contains(where: { (try? String(contentsOfFile: "/proc/\($0)/stat", encoding: .utf8))?.contains(") Z") == false }) {
                    usleep(5_000)
                }
                return true
            }
            usleep(500)
        }
        return false
    }

    /// After an interrupted copy: the big file is the old or the new version, whole; then a run
    /// with `-m` completes and the destination equals the source.
    private func checkInterruptedThenResumed(_ box: Sandbox, _ r: RunResult, leftoverAllowed: Bool = false) throws {
        let destination = box.path("b1/docs/big.bin"), source = box.path("work/docs/big.bin")
        let isOld = box.read("b1/docs/big.bin") == "old 10 b.\n"
        #expect(isOld || sameBytes(destination, source), "neither the old nor the whole new version under the real name\n\(r)")
        let again = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(again.status == 0, "\(again)")
        #expect(sameBytes(destination, source), "\(again)")
        #expect(box.read("b1/docs/small.txt") == "s\n", "\(again)")
        // A SIGINT lets rsync remove its temporary file. A kill of every process gives it no
        // chance: its hidden `.NAME.XXXXXX` stays beside the file, as with plain rsync (README,
        // Safety); nothing else may differ.
        let extra = names(box, "b1/docs").subtracting(names(box, "work/docs"))
        #expect(extra.allSatisfy { leftoverAllowed && $0.hasPrefix(".big.bin.") && $0.count == ".big.bin.".count + 6 },
                "only rsync's temporary file may be left\n\(extra)\n\(again)")
        #expect(names(box, "work/docs").isSubset(of: names(box, "b1/docs")), "\(again)")
    }

    @Test("SIGKILL to micsync and its rsync while copying: no truncated file under the real name; a second run completes")
    func killedDuringCopy() throws {
        let box = try Sandbox()
        try bigOverwrite(box)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "-m", "work/docs"])
        let caught = interruptDuringCopy(live, box, signal: SIGKILL, children: true)
        let r = try live.finish()
        #expect(caught && r.status == 128 + SIGKILL, "killed while copying\n\(r)")
        try checkInterruptedThenResumed(box, r, leftoverAllowed: true)
    }

    @Test("SIGINT to micsync while copying: exit 130, no truncated file; a second run completes")
    func interruptedDuringCopy() throws {
        let box = try Sandbox()
        try bigOverwrite(box)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "-m", "work/docs"])
        let caught = interruptDuringCopy(live, box, signal: SIGINT, children: false)
        let r = try live.finish()
        #expect(caught && r.status == 130, "\(r)")
        #expect(!names(box, "b1/docs").contains { $0.hasPrefix(".big.bin.") }, "no temporary file left\n\(r)")
        try checkInterruptedThenResumed(box, r)
    }

    @Test("the destination vanishes between preview and apply: exit 1 naming it, never re-created, nothing written elsewhere")
    func destinationVanishes() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let before = everythingBut(box, "b1")
        let live = try Live(box, ["--config", "cfg.json", "--backup", "work/docs"])
        let asked = live.waitFor("[Modify/No]")
        try FileManager.default.removeItem(atPath: box.path("b1"))
        let r = try live.finish(stdin: "m\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains(box.path("b1")), "the error names the destination\n\(r)")
        #expect(!box.exists("b1"), "the vanished location is never re-created\n\(r)")
        expectTree(everythingBut(box, "b1"), before, "nothing written elsewhere\n\(r)")
    }

    @Test("a file modified in the destination after the preview is not overwritten; the rest is still copied")
    func changedAfterPreviewIsLeftAlone() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "work/docs"])
        let asked = live.waitFor("[Modify/No]")
        try box.write("b1/docs/a.txt", "edited while micsync was asking\n")
        let r = try live.finish(stdin: "m\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "incomplete: something was left out\n\(r)")
        #expect(r.stderr.contains("since the preview") && r.stderr.contains("docs/a.txt"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "edited while micsync was asking\n", "\(r)")
        #expect(box.read("b1/docs/n.txt") == "brand new\n", "\(r)")
    }

    @Test("a file created after the preview inside a folder to be deleted is not deleted")
    func createdAfterPreviewIsNotDeleted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n")
        try box.write("work/docs/keep.txt", "k\n")
        try box.write("work/docs/old/x.txt", "x\n")
        try box.write("work/docs/gone.txt", "g\n")
        let live = try Live(box, ["--config", "cfg.json", "--work", "-d", "work/docs"])
        let asked = live.waitFor("[Delete/No]")
        try box.write("work/docs/old/new.txt", "created after the preview\n")
        let r = try live.finish(stdin: "d\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "\(r)")
        #expect(box.read("work/docs/old/new.txt") == "created after the preview\n", "\(r)")
        #expect(!box.exists("work/docs/gone.txt"), "unchanged deletions still happen\n\(r)")
    }

    @Test("a new item that appears in the destination during the question is left alone and named, exit 1; the rest is copied")
    func appearedInDestinationIsNamed() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("work/docs/m.txt", "also new\n")
        let live = try Live(box, ["--config", "cfg.json", "--backup", "work/docs"])
        let asked = live.waitFor("[Modify/No]")
        try box.write("b1/docs/n.txt", "written there meanwhile\n")
        let r = try live.finish(stdin: "m\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("appeared in") && r.stderr.contains("n.txt"), "\(r)")
        #expect(box.read("b1/docs/n.txt") == "written there meanwhile\n", "\(r)")
        #expect(box.read("b1/docs/m.txt") == "also new\n", "\(r)")
        #expect(box.read("b1/docs/a.txt") == "new version\n", "\(r)")
        #expect(r.stdout.contains("1 copied, 1 overwritten"), "only what was copied is counted\n\(r)")
    }

    @Test("an item to delete that is in the source again since the preview is left alone and named, exit 1; the rest is deleted")
    func inSourceAgainIsNotDeleted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n")
        try box.write("work/docs/keep.txt", "k\n")
        try box.write("work/docs/back.txt", "the WORK copy\n")
        try box.write("work/docs/back-folder/inside.txt", "i\n")
        try box.write("work/docs/gone.txt", "g\n")
        let live = try Live(box, ["--config", "cfg.json", "--work", "-d", "work/docs"])
        let asked = live.waitFor("[Delete/No]")
        try box.write("b1/docs/back.txt", "in the BACKUP again\n")
        try box.folder("b1/docs/back-folder")
        let r = try live.finish(stdin: "d\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("again since the preview") && r.stderr.contains("back.txt") && r.stderr.contains("back-folder"), "\(r)")
        #expect(box.read("work/docs/back.txt") == "the WORK copy\n", "\(r)")
        #expect(box.read("work/docs/back-folder/inside.txt") == "i\n", "\(r)")
        #expect(!box.exists("work/docs/gone.txt"), "\(r)")
        #expect(r.stdout.contains("1 deleted"), "\(r)")
    }

    @Test("a deletion-only run from a remote BACKUP copies nothing that appeared during the question")
    func remoteDeletionOnlyCopiesNothingUnseen() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("rb/sub/f", "same\n", mtime: old)
        try box.write("w/sub/f", "same\n", mtime: old)
        try box.write("w/del", "only in WORK\n", mtime: old)
        try box.setTime("rb/sub", old)
        try box.setTime("w/sub", old)
        try box.setTime("rb", older)
        try box.setTime("w", older)
        let remote = server.url(box.path("rb"))
        try box.config(#"{"configs":[{"name":"Docs","work":["w"],"backup":["\#(remote)"],"ssh":\#(server.sshOptionsJSON)}]}"#)
        let live = try Live(box, ["--config", "cfg.json", "--work", "-d", "w"])
        let asked = live.waitFor("[Delete/No]")
        try box.write("rb/late", "created after the preview\n")
        try box.write("rb/latedir/c", "c\n")
        try box.setTime("rb", older)
        let r = try live.finish(stdin: "d\n")
        #expect(asked, "\(r)")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Delete") == ["del"], "\(r)")
        #expect(!box.exists("w/del") && !box.exists("w/late") && !box.exists("w/latedir"), "\(r)")
        #expect(r.stdout.contains("Done: 0 copied, 0 overwritten, 1 deleted"), "\(r)")
        // The location folder's time is the BACKUP's again after the deletion.
        #expect(box.mtime("w") == older, "\(r)")
    }

    @Test("an accepted top-level overwrite copies no top-level item that appeared during the question")
    func topLevelOverwriteCopiesNothingUnseen() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/a.txt", "new\n", mtime: old)
        try box.write("b1/a.txt", "old\n", mtime: older)
        try box.write("work/new.txt", "shown\n", mtime: old)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "work"])
        let asked = live.waitFor("[Modify/No]")
        try box.write("work/late.txt", "created after the preview\n")
        let r = try live.finish(stdin: "m\n")
        #expect(asked, "\(r)")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/a.txt") == "new\n" && box.read("b1/new.txt") == "shown\n", "\(r)")
        #expect(!box.exists("b1/late.txt"), "\(r)")
    }

    @Test("a folder kept by its excluded contents needs no folder-time run over SSH")
    func remoteFolderKeptByExclusion() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("rb/sub/keep", "k\n", mtime: old)
        try box.write("w/sub/keep", "k\n", mtime: old)
        try box.write("w/sub/gone/a.tmp", "excluded\n", mtime: old)
        try box.write("w/sub/gone/b", "b\n", mtime: old)
        let remote = server.url(box.path("rb"))
        try box.config(#"{"configs":[{"name":"Docs","work":["w"],"backup":["\#(remote)"],"exclude":["*.tmp"],"ssh":\#(server.sshOptionsJSON)}]}"#)
        let r = try box.run(["--config", "cfg.json", "--work", "-D", "w/sub"])
        #expect(!r.stderr.contains("link_stat"), "\(r)")
        #expect(box.read("w/sub/gone/a.tmp") == "excluded\n" && !box.exists("w/sub/gone/b"), "\(r)")
    }

    @Test("the SSH connection is micsync's own child and ends with it: after a run, and when micsync is killed at a question")
    func sshConnectionEndsWithMicsync() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/a.txt", "new version\n", mtime: old)
        try box.write("rb/a.txt", "old\n", mtime: older)
        let remote = server.url(box.path("rb"))
        try box.config(#"{"configs":[{"name":"Docs","work":["w"],"backup":["\#(remote)"],"ssh":\#(server.sshOptionsJSON)}]}"#)
        /// The ssh holding the connection: below micsync while it runs (a ControlPersist master
        /// would have left it for init), and the folder of its socket.
        func master(of live: Live) -> (pid: pid_t, folder: String)? {
            for pid in live.descendants() {
                let line = commandLine(pid)
                guard line.contains("ControlMaster=yes"), let option = line.split(separator: " ").first(where: { $0.hasPrefix("ControlPath=") }),
                      let slash = option.lastIndex(of: "/") else { continue }
                return (pid, String(option[option.index(option.startIndex, offsetBy: "ControlPath=".count)..<slash]))
            }
            return nil
        }
        func ended(_ pid: pid_t) -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
                // A zombie that nobody reaps (an orphan in a container) has ended too.
                if stat[stat.index(after: stat.lastIndex(of: ")")!)...].dropFirst().first == "Z" { return true }
                usleep(20_000)
            }
            return false
        }
        // A run that ends: its ssh ends with it, its sockets folder goes.
        let finished = try Live(box, ["--config", "cfg.json", "--backup", "w"])
        let askedFirst = finished.waitFor("[Modify/No]")
        let first = master(of: finished)
        let r = try finished.finish(stdin: "m\n")
        #expect(askedFirst && r.status == 0 && box.read("rb/a.txt") == "new version\n", "\(r)")
        #expect(first != nil, "no ssh holding the connection below micsync\n\(r)")
        if let first {
            #expect(ended(first.pid), "its ssh outlived the run\n\(r)")
            #expect(!FileManager.default.fileExists(atPath: first.folder), "\(first.folder) was left")
        }
        // micsync killed at a question: nothing can stop its ssh, which ends once its input is gone.
        try box.write("w/a.txt", "newer version\n", mtime: old + 10)
        let killed = try Live(box, ["--config", "cfg.json", "--backup", "w"])
        let askedSecond = killed.waitFor("[Modify/No]")
        let second = master(of: killed)
        kill(killed.process.processIdentifier, SIGKILL)
        _ = try? killed.finish()
        #expect(askedSecond && second != nil, "\(killed.stdout)")
        if let second {
            #expect(ended(second.pid), "the ssh of a killed micsync went on running")
            // A killed micsync cannot remove its sockets folder: the test does.
            try? FileManager.default.removeItem(atPath: second.folder)
        }
        #expect(box.read("rb/a.txt") == "new version\n")
    }

    @Test("Ctrl-C at a question after another destination's preview ended meanwhile: exit 130 with one message, both destinations unchanged")
    func interruptAtQuestionWhileAPreviewEnds() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/a.txt", "new version\n", mtime: old)
        try box.write("b1/a.txt", "old\n", mtime: older)
        try box.write("rb/a.txt", "old\n", mtime: older)
        // Enough for the remote preview to take a while.
        for folder in 0..<40 {
            for file in 0..<100 { try box.write("w/many/\(folder)/\(file)", "x\n", mtime: old) }
        }
        let remote = server.url(box.path("rb"))
        // The local BACKUP's question comes while the remote one is still being previewed: when
        // that preview's rsync ends, the handler it had needed must not take Ctrl-C from the question.
        try box.config(#"{"configs":[{"name":"Docs","work":["w"],"backup":["b1","\#(remote)"],"ssh":\#(server.sshOptionsJSON)}]}"#)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "w"])
        let asked = live.waitFor("[Modify/No]")
        // Ctrl-C once the remote preview's rsync has ended, the question still waiting.
        let deadline = Date().addingTimeInterval(30)
        while live.descendants().contains(where: { commandLine($0).hasPrefix("rsync") }) && Date() < deadline { usleep(10_000) }
        usleep(100_000)
        kill(live.process.processIdentifier, SIGINT)
        let r = try live.finish()
        #expect(asked, "\(r)")
        #expect(r.status == 130, "an exit, not death by the signal\n\(r)")
        #expect(r.stderr.hasPrefix("micsync: interrupted (Ctrl-C) at") && r.stderr.split(separator: "\n").count == 1, "\(r)")
        #expect(box.read("b1/a.txt") == "old\n" && box.read("rb/a.txt") == "old\n", "\(r)")
    }

    @Test("Ctrl-C while a host is probed through a ProxyCommand that hangs: micsync ends at once, the command with it")
    func interruptDuringAProbeThroughAProxyCommand() throws {
        let server = try SSHServer.shared()
        let box = try Sandbox()
        try box.write("w/a.txt", "a\n")
        try box.folder("rb")
        let remote = server.url(box.path("rb"))
        // A ProxyCommand that never connects: ssh waits for it, it holds ssh's standard error.
        let options = server.sshOptions + ["-o", "ProxyCommand=sleep 60"]
        let json = "[" + options.map { "\"" + $0 + "\"" }.joined(separator: ",") + "]"
        try box.config(#"{"configs":[{"name":"Docs","work":["w"],"backup":["\#(remote)"],"ssh":\#(json)}]}"#)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "w"])
        var proxy: pid_t?
        let deadline = Date().addingTimeInterval(30)
        while proxy == nil && Date() < deadline {
            proxy = live.descendants().first { commandLine($0).hasPrefix("sleep 60") }
            usleep(20_000)
        }
        let started = Date()
        kill(live.process.processIdentifier, SIGINT)
        let r = try live.finish()
        #expect(proxy != nil, "the ProxyCommand never ran\n\(r)")
        #expect(Date().timeIntervalSince(started) < 10, "micsync waited for the ProxyCommand\n\(r)")
        #expect(r.status == 130 || r.status == 1, "\(r)")
        if let proxy {
            let gone = Date().addingTimeInterval(5)
            while kill(proxy, 0) == 0 && !((try? String(contentsOfFile: "/proc/\(proxy)/stat", encoding: .utf8))?.contains(") Z") ?? true) && Date() < gone { usleep(20_000) }
            #expect(kill(proxy, 0) != 0 || ((try? String(contentsOfFile: "/proc/\(proxy)/stat", encoding: .utf8))?.contains(") Z") ?? true), "the ProxyCommand outlived micsync")
            kill(proxy, SIGKILL)
        }
    }

    @Test("a run killed while it holds a destination leaves no lock behind: the next run proceeds")
    func killedRunLeavesNoLock() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "work/docs"])
        let asked = live.waitFor("[Modify/No]")
        // While it waits at the question it holds b1: a second run is turned away...
        let second = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(second.status == 1 && second.stderr.contains("another micsync run"), "\(second)")
        kill(live.process.processIdentifier, SIGKILL)
        _ = try? live.finish()
        // ...and once it is killed, the lock dies with it.
        let third = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(asked, "\(third)")
        #expect(third.status == 0, "\(third)")
        #expect(box.read("b1/docs/a.txt") == "new version\n", "\(third)")
    }

    @Test("-v: a file changed while the commands are asked about is not overwritten; nothing runs for that destination")
    func changedWhileVerboseAsks() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        let live = try Live(box, ["--config", "cfg.json", "--backup", "-v", "work/docs"])
        _ = live.waitFor("[Modify/No]")
        live.send("m\n")
        let asked = live.waitFor("Run this command? [yes/no]")
        try box.write("b1/docs/a.txt", "edited while micsync was asking\n")
        let r = try live.finish(stdin: "yes\nyes\nyes\n")
        #expect(asked, "\(r)")
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("while the commands were asked about") && r.stderr.contains("docs/a.txt"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "edited while micsync was asking\n", "\(r)")
    }
}

// MARK: - Review of the direct deletions (micsync's own unlink/rmdir)

// Each test below showed a defect found in review of the direct deletions, now fixed.
@Suite("review: accepted deletions made by micsync itself")
struct DirectDeletionReviewTests {
    @Test("a folder to delete replaced by a link to where it was moved, while the question waits: nothing beyond the link is deleted")
    func linkOnTheWayIsNotFollowed() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n")
        try box.write("work/docs/keep.txt", "k\n")
        try box.write("work/docs/moved/s.txt", "precious\n")
        try box.write("work/docs/moved/inner/p.txt", "precious too\n")
        let live = try Live(box, ["--config", "cfg.json", "--work", "-d", "work/docs"])
        let asked = live.waitFor("[Delete/No]")
        // The user moves the folder to another disc and leaves a link in its place (mv keeps times).
        try box.folder("elsewhere")
        #expect(rename(box.path("work/docs/moved"), box.path("elsewhere/moved")) == 0)
        try box.link("work/docs/moved", to: box.path("elsewhere/moved"))
        let r = try live.finish(stdin: "d\n")
        #expect(asked, "\(r)")
            #expect(box.read("elsewhere/moved/s.txt") == "precious\n", "deleted through the link\n\(r)")
            #expect(box.read("elsewhere/moved/inner/p.txt") == "precious too\n", "deleted through the link\n\(r)")
            #expect(r.stdout.contains("0 deleted"), "\(r)")
        #expect(r.status == 1, "\(r)")
    }

    @Test("Ctrl-C while micsync deletes: it stops, says so, exits 130 and leaves the rest")
    func interruptDuringDeletions() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n")
        try box.write("work/docs/keep.txt", "k\n")
        let made = try box.shell("cd '\(box.path("work/docs"))' && for d in $(seq 1 40); do mkdir -p big/d$d && (cd big/d$d && seq 1 2000 | xargs touch); done")
        #expect(made.status == 0, "\(made)")
        let live = try Live(box, ["--config", "cfg.json", "--work", "-d", "work/docs"])
        #expect(live.waitFor("[Delete/No]"))
        live.send("d\n")
        // Once the deletions have begun (a folder has lost an item), Ctrl-C.
        let deadline = Date().addingTimeInterval(60)
        var started = false
        while !started && Date() < deadline && live.process.isRunning {
            started = (1...40).contains { ((try? FileManager.default.contentsOfDirectory(atPath: box.path("work/docs/big/d\($0)")))?.count ?? 0) < 2000 }
            if !started { usleep(2_000) }
        }
        kill(live.process.processIdentifier, SIGINT)
        let r = try live.finish()
        #expect(started, "\(r)")
        let left = (1...40).reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: box.path("work/docs/big/d\($1)")))?.count ?? 0) }
            #expect(r.status == 130, "\(r)")
            #expect(r.stdout.contains("Interrupted"), "\(r)")
        #expect(left > 0, "the deletions went on after Ctrl-C\n\(r)")
    }
}
