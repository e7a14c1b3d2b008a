// Safety net: locks, markers, the trash (-k) and the empty-source guard.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Safety: lock, markers, trash, empty source")
struct SafetyTests {
    /// Holds an flock on `path` (as another micsync run would) until the returned descriptor is closed.
    func holdLock(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0, flock(descriptor, LOCK_EX) == 0 else { throw Failure("cannot lock \(path)") }
        return descriptor
    }

    @Test("a destination held by another run: stop at once, exit 1, change nothing there; the other BACKUP still gets its copy")
    func lockedDestinationIsLeftAlone() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"])
        try box.write("work/docs/a.txt", "a\n")
        let descriptor = try holdLock(box.path("b1"))
        defer { close(descriptor) }
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("another micsync run") && r.stderr.contains(box.path("b1")), "\(r)")
        #expect(box.snapshot("b1").isEmpty, "\(r)")
        #expect(box.read("b2/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("--wait waits for the other run and then copies")
    func waitForLock() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        let descriptor = try holdLock(box.path("b1"))
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.0) { close(descriptor) }
        let started = Date()
        let r = try box.run(["--config", "cfg.json", "--backup", "--wait", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(Date().timeIntervalSince(started) >= 0.9, "it waited for the lock\n\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("a lock is not left behind: the next run after a finished one proceeds")
    func noStaleLock() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        #expect(try box.run(["--config", "cfg.json", "--backup", "work/docs"]).status == 0)
        try box.write("work/docs/b.txt", "b\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/b.txt") == "b\n", "\(r)")
    }

    @Test("require_marker: a location without the marker is skipped like an unplugged drive; --mark creates it")
    func markers() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1","b2"],"require_marker":true}]}"#)
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("b2")
        #expect(try box.run(["--config", "cfg.json", "--mark", "work/docs"]).status == 0)
        let mark = try box.run(["--config", "cfg.json", "--mark", "b1"])
        #expect(mark.status == 0 && mark.stdout.contains(".micsync-location"), "\(mark)")
        #expect(box.exists("b1/.micsync-location"))
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("skipping BACKUP") && r.stderr.contains(".micsync-location"), "\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
        #expect(box.snapshot("b2").isEmpty, "the unmarked location is never written to\n\(r)")
        #expect(!box.exists("b1/docs/.micsync-location"), "\(r)")
    }

    @Test("an empty source location never means delete everything; --allow-empty-source does it")
    func emptySourceGuard() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        let refused = try box.run(["--config", "cfg.json", "--work", "-D", "work"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("empty"), "\(refused)")
        #expect(box.read("work/docs/a.txt") == "a\n", "\(refused)")
        let allowed = try box.run(["--config", "cfg.json", "--work", "-D", "--allow-empty-source", "work"])
        #expect(allowed.status == 0, "\(allowed)")
        #expect(box.snapshot("work").isEmpty, "\(allowed)")
    }

    @Test("-k: overwritten and deleted files go to .micsync-trash/<time>/ at their paths; the trash is never listed, copied or deleted")
    func keepMovesToTrash() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/f", "new version\n", mtime: 2_000_000_000)
        try box.write("work/docs/f", "old\n", mtime: 1_000_000_000)
        try box.write("work/docs/gone/deep.txt", "deep\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-k", "-d", "work/docs"], stdin: "m\nd\n")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("work/docs/f") == "new version\n", "\(r)")
        #expect(!box.exists("work/docs/gone"), "\(r)")
        let trash = box.snapshot("work/.micsync-trash")
        let stamps = trash.keys.filter { !$0.dropLast().contains("/") }
        #expect(stamps.count == 1, "one folder for the run\n\(trash)")
        let stamp = try #require(stamps.first)
        #expect(trash[stamp + "docs/f"] == .file("old\n"), "\(trash)")
        #expect(trash[stamp + "docs/gone/deep.txt"] == .file("deep\n"), "\(trash)")
        // The next -d run neither lists nor deletes the trash; a --backup does not copy it.
        let again = try box.run(["--config", "cfg.json", "--work", "-d", "work"], stdin: "d\n")
        #expect(!again.stdout.contains(".micsync-trash"), "\(again)")
        #expect(box.exists("work/.micsync-trash"), "\(again)")
        let backup = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(backup.status == 0, "\(backup)")
        #expect(!box.exists("b1/.micsync-trash"), "\(backup)")
    }

    @Test("\"keep\": true in a config works like -k")
    func keepInConfig() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"],"keep":true}]}"#)
        try box.write("work/docs/f", "v2 longer\n")
        try box.write("b1/docs/f", "v1\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/f") == "v2 longer\n", "\(r)")
        #expect(box.snapshot("b1/.micsync-trash").values.contains(.file("v1\n")), "\(r)")
    }
}

@Suite("--list")
struct ListTests {
    @Test("--list shows every config and location, accessible or not, and changes nothing")
    func listsLocations() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","b2"]},{"name":"Pics","work":["pics"],"backup":["b1/pics"],"require_marker":true}]}"#)
        try box.folder("work")
        try box.folder("b1/pics")
        let before = (box.snapshot("work"), box.snapshot("b1"))
        let r = try box.run(["--config", "cfg.json", "--list"])
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.contains("Docs") && r.lines.contains("Pics  (require_marker)"), "\(r)")
        let line = { (path: String) in r.lines.first { $0.contains(box.path(path) + "  ") } ?? "" }
        #expect(line("work").hasSuffix("accessible"), "\(r)")
        #expect(line("b2").hasSuffix("missing, no completed copy recorded"), "\(r)")
        #expect(line("pics").hasSuffix("missing"), "\(r)")
        #expect(line("b1/pics").contains("no .micsync-location marker"), "\(r)")
        expectTree(box.snapshot("work"), before.0, "\(r)")
        expectTree(box.snapshot("b1"), before.1, "\(r)")
        #expect(!box.exists("b2"), "\(r)")
    }
}

@Suite("excludes")
struct ExcludeEndToEndTests {
    @Test("excluded items are neither copied, listed nor deleted, and -v shows the rules")
    func excludedItemsAreLeftAlone() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"],"exclude":["*.tmp","cache/","/docs/local.txt"]}]}"#)
        try box.write("work/docs/a.txt", "a\n")
        try box.write("work/docs/x.tmp", "t\n")
        try box.write("work/docs/cache/c", "c\n")
        try box.write("work/docs/local.txt", "l\n")
        try box.write("b1/docs/old.tmp", "keep me\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
        #expect(!box.exists("b1/docs/x.tmp") && !box.exists("b1/docs/cache") && !box.exists("b1/docs/local.txt"), "\(r)")
        #expect(!r.stdout.contains("x.tmp") && !r.stdout.contains("cache"), "\(r)")
        // Back the other way with -d: the BACKUP's excluded file is not a deletion in WORK, and
        // WORK's excluded files are not deleted.
        let back = try box.run(["--config", "cfg.json", "--work", "-D", "-v", "work/docs"], stdin: String(repeating: "yes\n", count: 5))
        #expect(back.status == 0, "\(back)")
        #expect(back.stdout.contains("--exclude=*.tmp"), "the printed commands show the rules\n\(back)")
        #expect(box.read("work/docs/x.tmp") == "t\n" && box.read("work/docs/local.txt") == "l\n" && box.exists("work/docs/cache/c"), "\(back)")
        #expect(!box.exists("work/docs/old.tmp"), "\(back)")
    }
}
