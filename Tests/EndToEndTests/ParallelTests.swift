// Several destinations in one run: previews and copies side by side on different devices (each
// destination its own tmpfs mount), one after another on one device, output blocks in the
// configuration's order, faults kept apart, Ctrl-C, end of input, progress lines, --parallel.
// Overlap is observed, never timed: a shim `rsync` first in PATH notes each copy's start and
// waits (a while at most) until another copy is running too.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs mount or umount and fails unless it exits 0.
private func mountCommand(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/" + arguments[0])
    process.arguments = Array(arguments.dropFirst())
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw Failure("\(arguments) exited \(process.terminationStatus)") }
}

/// A sandbox whose BACKUPs are tmpfs mounts of their own (different devices), unmounted at the
/// end whatever happened; `plain` BACKUPs are ordinary folders (the sandbox's device).
private final class Drives {
    let box: Sandbox
    private var mounted: [String] = []

    init(_ box: Sandbox, tmpfs: [String: String], plain: [String] = [], config extra: String = "") throws {
        self.box = box
        let names = tmpfs.keys.sorted() + plain
        for name in names { try box.folder(name) }
        try box.folder("work")
        for (name, options) in tmpfs.sorted(by: { $0.key < $1.key }) {
            try mountCommand(["mount", "-t", "tmpfs", "-o", options, "tmpfs", box.path(name)])
            mounted.append(box.path(name))
        }
        let list = names.sorted().map { "\"\($0)\"" }.joined(separator: ",")
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":[\#(list)]\#(extra)}]}"#)
    }

    deinit {
        for path in mounted.reversed() { try? mountCommand(["umount", "-l", path]) }
    }

    func remount(_ name: String, _ options: String) throws {
        try mountCommand(["mount", "-o", "remount," + options, box.path(name)])
    }
}

/// A shim `rsync` in `<sandbox>/shim`, put first in PATH. Dry runs (and the drive probe's
/// `rsync --version`) go straight to rsync. Each
/// copy writes `start DEST` to the log, marks itself running, and waits up to `waitTenths`
/// tenths of a second for another copy to be running too; `seen N` is how many ran at once.
/// `slow` (a part of a destination's path): that copy gets `--bwlimit`.
private func installShim(_ box: Sandbox, waitTenths: Int, slow: String? = nil, bwlimit: String = "2000") throws -> [String: String?] {
    try box.folder("shim/running")
    let rsync = ["/usr/bin/rsync", "/bin/rsync"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "rsync"
    let slowTest = slow.map { #"case "$last" in *\#($0)*) extra=--bwlimit=\#(bwlimit);; esac"# } ?? ""
    try box.write("shim/rsync", """
        #!/bin/bash
        for a in "$@"; do case "$a" in --dry-run|--version) exec \(rsync) "$@";; esac; done
        dir=\(box.path("shim"))
        last="${@: -1}"
        extra=
        \(slowTest)
        touch "$dir/running/$$"
        echo "start $last" >> "$dir/log"
        i=0
        while [ "$(ls "$dir/running" | wc -l)" -lt 2 ] && [ $i -lt \(waitTenths) ]; do sleep 0.1; i=$((i+1)); done
        echo "seen $(ls "$dir/running" | wc -l) $last" >> "$dir/log"
        \(rsync) $extra "$@"
        status=$?
        rm -f "$dir/running/$$"
        echo "end $last" >> "$dir/log"
        exit $status
        """, mode: 0o755)
    return ["PATH": box.path("shim") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
}

private func shimLog(_ box: Sandbox) -> [String] {
    (box.read("shim/log") ?? "").split(separator: "\n").map(String.init)
}

/// The most copies the shim saw running at once.
private func mostAtOnce(_ box: Sandbox) -> Int {
    shimLog(box).filter { $0.hasPrefix("seen ") }.compactMap { Int($0.split(separator: " ")[1]) }.max() ?? 0
}

@Suite("several drives at once", .serialized)
struct ParallelTests {
    @Test("destinations on different devices are copied side by side, each completely")
    func differentDevicesOverlap() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=64m", "b2": "size=64m"])
        try box.write("work/docs/a.txt", "a\n")
        try box.write("work/docs/sub/b.txt", "b\n")
        let env = try installShim(box, waitTenths: 300)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: env)
        #expect(r.status == 0, "\(r)")
        #expect(mostAtOnce(box) == 2, "the two copies ran at once\n\(shimLog(box))\n\(r)")
        for name in ["b1", "b2"] { expectTree(box.snapshot(name + "/docs"), box.snapshot("work/docs"), name) }
        withExtendedLifetime(drives) {}
    }

    @Test("two destinations on one device are copied one after another")
    func sameDeviceNeverOverlaps() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: [:], plain: ["b1", "b2"])
        try box.write("work/docs/a.txt", "a\n")
        let env = try installShim(box, waitTenths: 15)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: env)
        #expect(r.status == 0, "\(r)")
        let log = shimLog(box)
        #expect(log.filter { $0.hasPrefix("start ") }.count == 2 && mostAtOnce(box) == 1, "\(log)\n\(r)")
        // One after another: the first ended before the second started.
        let firstEnd = log.firstIndex { $0.hasPrefix("end ") }, secondStart = log.lastIndex { $0.hasPrefix("start ") }
        #expect(firstEnd != nil && secondStart != nil && firstEnd! < secondStart!, "\(log)")
        for name in ["b1", "b2"] { #expect(box.read(name + "/docs/a.txt") == "a\n") }
        withExtendedLifetime(drives) {}
    }

    @Test("--parallel 1 and the config's \"parallel\": 1 copy one destination at a time")
    func limitedToOne() throws {
        for (extra, option) in [("", ["--parallel", "1"]), (#", "parallel": 1"#, [])] {
            let box = try Sandbox()
            let drives = try Drives(box, tmpfs: ["b1": "size=16m", "b2": "size=16m"], config: extra)
            try box.write("work/docs/a.txt", "a\n")
            let env = try installShim(box, waitTenths: 15)
            let r = try box.run(["--config", "cfg.json", "--backup"] + option + ["work/docs"], env: env)
            #expect(r.status == 0, "\(r)")
            #expect(shimLog(box).filter { $0.hasPrefix("start ") }.count == 2 && mostAtOnce(box) == 1, "\(option) \(extra)\n\(shimLog(box))\n\(r)")
            withExtendedLifetime(drives) {}
        }
        let box = try Sandbox()
        try box.standard()
        let bad = try box.run(["--config", "cfg.json", "--backup", "--parallel", "0", "work"])
        #expect(bad.status == 2 && bad.stderr.contains("--parallel takes a number from 1 to 64"), "\(bad)")
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"parallel":"two"}]}"#)
        let badKey = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(badKey.status == 2 && badKey.stderr.contains(#""parallel" must be a whole number from 1 to 64"#), "\(badKey)")
    }

    @Test("results come in the configuration's order, one block each, whatever finishes first")
    func blocksInOrder() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=64m", "b2": "size=64m"])
        let random = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 1 << 20)
        try box.writeBytes(Array("work/docs/big.bin".utf8), Array(random))
        for index in 0..<30 { try box.write("work/docs/f\(index).txt", "\(index)\n") }
        // b1's copy is slowed down: b2 finishes first.
        let env = try installShim(box, waitTenths: 300, slow: "b1", bwlimit: "500")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: env)
        #expect(r.status == 0, "\(r)")
        let log = shimLog(box)
        let ends = log.filter { $0.hasPrefix("end ") }
        #expect(ends.count == 2 && ends[0].contains("b2"), "b2 finished first\n\(log)")
        let first = try #require(r.stdout.range(of: "Results for \(box.path("b1")):"), "\(r)")
        let second = try #require(r.stdout.range(of: "Results for \(box.path("b2")):"), "\(r)")
        #expect(first.upperBound < second.lowerBound, "\(r)")
        // Each block whole: b1's listing and summary lie between the two headings.
        let b1Block = r.stdout[first.upperBound..<second.lowerBound]
        #expect(b1Block.contains("New (32):") && b1Block.contains("Done: 32 copied"), "\(r)")
        #expect(r.stdout[second.upperBound...].contains("Done: 32 copied"), "\(r)")
        withExtendedLifetime(drives) {}
    }

    @Test("a full destination and a read-only one fail alone: the other completes, exit 1")
    func faultsStaySeparate() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=1m", "b2": "size=64m", "b3": "size=16m"])
        try drives.remount("b3", "ro")
        let random = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 3 << 20)
        try box.writeBytes(Array("work/docs/big.bin".utf8), Array(random))
        try box.write("work/docs/a.txt", "a\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains(box.path("b1")) && r.stderr.contains(box.path("b3")), "each failure names its destination\n\(r)")
        expectTree(box.snapshot("b2/docs"), box.snapshot("work/docs"), "b2 completes\n\(r)")
        #expect(box.snapshot("b3").isEmpty, "\(r)")
        // b1: whole files only.
        #expect(box.read("b1/docs/big.bin") == nil, "\(r)")
        withExtendedLifetime(drives) {}
    }

    @Test("input ending at the second destination's question leaves both untouched")
    func endOfInputAtSecondQuestion() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=16m", "b2": "size=16m"])
        for name in ["b1", "b2"] { try box.write(name + "/docs/a.txt", "old\n", mtime: 1_000_000_000) }
        try box.write("work/docs/a.txt", "new\n", mtime: 1_100_000_000)
        try box.write("work/docs/n.txt", "n\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 3, "\(r)")
        #expect(r.stdout.contains("Overwrite these 1 files in \(box.path("b2"))"), "\(r)")
        for name in ["b1", "b2"] {
            #expect(box.read(name + "/docs/a.txt") == "old\n" && !box.exists(name + "/docs/n.txt"), "\(name) untouched\n\(r)")
        }
        withExtendedLifetime(drives) {}
    }

    @Test("-v: every command of every destination is asked about before any runs")
    func verboseAsksEverythingFirst() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=16m", "b2": "size=16m"])
        for name in ["b1", "b2"] { try box.write(name + "/docs/a.txt", "old\n", mtime: 1_000_000_000) }
        try box.write("work/docs/a.txt", "new\n", mtime: 1_100_000_000)
        try box.write("work/docs/n.txt", "n\n")
        // b1: Modify, then yes to its two commands; input ends at b2's question.
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "work/docs"], stdin: "m\ny\ny\n")
        #expect(r.status == 3, "\(r)")
        #expect(r.stdout.components(separatedBy: "Run this command?").count == 3, "b1's two commands were asked about\n\(r)")
        for name in ["b1", "b2"] {
            #expect(box.read(name + "/docs/a.txt") == "old\n" && !box.exists(name + "/docs/n.txt"), "\(name) untouched\n\(r)")
        }
        // Answered in full, both are copied.
        let done = try box.run(["--config", "cfg.json", "--backup", "-v", "work/docs"], stdin: "m\ny\ny\nm\ny\ny\n")
        #expect(done.status == 0, "\(done)")
        for name in ["b1", "b2"] { #expect(box.read(name + "/docs/a.txt") == "new\n" && box.read(name + "/docs/n.txt") == "n\n", "\(done)") }
        withExtendedLifetime(drives) {}
    }

    @Test("Ctrl-C during two copies stops both: exit 130, no truncated file in either")
    func interruptStopsEveryCopy() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=64m", "b2": "size=64m"])
        let random = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 8 << 20)
        for index in 0..<3 { try box.writeBytes(Array("work/docs/big\(index).bin".utf8), Array(random)) }
        try box.folder("shim/running")
        // Both copies slow, each noting that it started, then rsync itself (SIGINT reaches it).
        try box.write("shim/rsync", """
            #!/bin/bash
            for a in "$@"; do case "$a" in --dry-run|--version) exec rsync "$@";; esac; done
            touch \(box.path("shim/running"))/$$
            PATH=/usr/bin:/bin exec rsync --bwlimit=1000 "$@"
            """, mode: 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = ["--config", "cfg.json", "--backup", "work/docs"]
        process.currentDirectoryURL = URL(fileURLWithPath: box.root)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = box.root
        environment["TMPDIR"] = box.temporaryFolder
        environment["PATH"] = box.path("shim") + ":/usr/bin:/bin"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try spawnWithSignalsUnblocked(process)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline
            && ((try? FileManager.default.contentsOfDirectory(atPath: box.path("shim/running")))?.count ?? 0) < 2 {
            usleep(10_000)
        }
        usleep(300_000)  // rsync under way in both
        process.interrupt()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(text)")
        for name in ["b1", "b2"] {
            for (path, entry) in box.snapshot(name) {
                if case .file(let bytes) = entry { #expect(bytes.count == random.count, "\(name)/\(path) is whole or absent\n\(text)") }
                #expect(!path.contains("/.big"), "no temporary file left: \(name)/\(path)")
            }
        }
        withExtendedLifetime(drives) {}
    }

    @Test("on a terminal: one progress line per running copy, redrawn in place and cleared")
    func progressLines() throws {
        let box = try Sandbox()
        let drives = try Drives(box, tmpfs: ["b1": "size=64m", "b2": "size=64m"])
        let random = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 6 << 20)
        try box.writeBytes(Array("work/docs/big.bin".utf8), Array(random))
        let env = try installShim(box, waitTenths: 300, slow: "b", bwlimit: "2000")
        let path = env["PATH"]!!
        let r = try box.shell("PATH='\(path)' NO_COLOR=1 script -qec '\(Binary.path) --config cfg.json --backup work/docs' /dev/null")
        #expect(r.status == 0, "\(r)")
        let pieces = r.stdout.components(separatedBy: "\r").filter { $0.contains("%") && $0.contains("\u{1B}[K") }
        for name in ["b1", "b2"] {
            #expect(pieces.contains { $0.contains("/\(name)  ") && $0.contains("B/s") }, "a line for \(name)\n\(r)")
        }
        #expect(r.stdout.contains("\u{1B}[1A"), "redrawn in place: the cursor goes back up\n\(r)")
        // Cleared: no progress after the last summary.
        let last = try #require(r.stdout.range(of: "Done: 2 copied", options: .backwards), "\(r)")
        #expect(!r.stdout[last.upperBound...].contains("%"), "\(r)")
        withExtendedLifetime(drives) {}
    }
}
