// Accepted deletions between two local folders are made by micsync itself (one unlink or rmdir
// per listed item, contents first) instead of by an rsync run: what is deleted, counted and left
// must be what that run gave.

import Foundation
import Testing

/// A shim `rsync` first in PATH that logs every command line before running the real rsync.
private func loggingShim(_ box: Sandbox) throws -> [String: String?] {
    let rsync = ["/usr/bin/rsync", "/bin/rsync"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "rsync"
    try box.write("shim/rsync", """
        #!/bin/bash
        printf '%s\\n' "$*" >> \(box.path("shim/log"))
        exec \(rsync) "$@"
        """, mode: 0o755)
    return ["PATH": box.path("shim") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
}

@Suite("accepted deletions made by micsync itself")
struct DirectDeletionTests {
    @Test("-D deletes every listed item, nested folders too, with no rsync run for it; counted once each; the folders keep the source's times")
    func deletesNestedFolders() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/gone.txt", "g\n")
        try box.write("work/docs/old/x.txt", "x\n")
        try box.write("work/docs/old/deeper/y.txt", "y\n")
        try box.link("work/docs/old/link", to: "x.txt")
        try box.setTime("b1/docs", old)
        let r = try box.run(["--config", "cfg.json", "--work", "-D", "work/docs"], env: try loggingShim(box))
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("0 copied, 0 overwritten, 6 deleted"), "\(r)")
        for gone in ["work/docs/gone.txt", "work/docs/old"] { #expect(!box.exists(gone), "\(gone)\n\(r)") }
        #expect(box.read("work/docs/keep.txt") == "k\n")
        #expect(box.mtime("work/docs") == old, "the folder keeps the source folder's time\n\(r)")
        let log = box.read("shim/log") ?? ""
        #expect(log.contains("--dry-run") && !log.contains("--delete-missing-args"), "no rsync run deletes\n\(log)")
    }

    /// rsync's dry run says "cannot delete non-empty directory" for a folder two levels above an
    /// excluded item and yet lists it as deleted: the preview leaves it out.
    @Test("a folder whose excluded contents keep it, one or two levels down: the rest is deleted, the folders and the excluded item stay, exit 0",
          arguments: [("old", ["old/x.txt"]), ("old/sub", ["old/x.txt", "old/sub/y.txt"])])
    func excludedContentsKeepTheirFolders(excludedIn: String, deleted: [String]) throws {
        let box = try Sandbox()
        try box.folder("work")
        try box.folder("b1")
        try box.config(#"{"configs":[{"name":"Docs","work":["work"],"backup":["b1"],"exclude":["*.tmp"]}]}"#)
        try box.write("b1/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/keep.txt", "k\n", mtime: old)
        for path in deleted { try box.write("work/docs/" + path, "x\n") }
        try box.write("work/docs/\(excludedIn)/scratch.tmp", "excluded\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-D", "work/docs"])
        #expect(r.status == 0, "\(r)")
        for path in deleted { #expect(!box.exists("work/docs/" + path), "\(path)\n\(r)") }
        #expect(box.read("work/docs/\(excludedIn)/scratch.tmp") == "excluded\n", "an excluded item is never deleted\n\(r)")
        #expect(r.stdout.contains("0 overwritten, \(deleted.count) deleted"), "\(r)")
        #expect(!r.stderr.contains("cannot delete"), "\(r)")
    }

    @Test("-v keeps the rsync deletion run, shown to paste; -k keeps it too, so the trash gets the deleted file")
    func verboseAndKeepUseTheRun() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/keep.txt", "k\n", mtime: old)
        try box.write("work/docs/gone.txt", "g\n")
        let verbose = try box.run(["--config", "cfg.json", "--work", "-D", "-v", "work/docs"], stdin: "yes\nyes\nyes\n")
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stdout.contains("--delete-missing-args"), "\(verbose)")
        #expect(!box.exists("work/docs/gone.txt"), "\(verbose)")
        try box.write("work/docs/gone.txt", "g\n")
        let kept = try box.run(["--config", "cfg.json", "--work", "-D", "-k", "work/docs"])
        #expect(kept.status == 0, "\(kept)")
        #expect(!box.exists("work/docs/gone.txt"), "\(kept)")
        let trash = (try? FileManager.default.contentsOfDirectory(atPath: box.path("work/.micsync-trash"))) ?? []
        #expect(trash.count == 1 && box.read("work/.micsync-trash/\(trash.first ?? "")/docs/gone.txt") == "g\n", "\(trash)\n\(kept)")
    }
}
