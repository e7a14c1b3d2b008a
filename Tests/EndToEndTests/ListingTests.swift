// Section 5: what counts as modified, and how listings look with -s.

import Foundation
import Testing

@Suite("5 · listings and modifications")
struct ListingTests {
    /// Item lines (indented) of standard output, trimmed.
    func items(_ r: RunResult) -> [String] {
        r.lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("  [") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test("a link whose target changed is a modification; declined keeps the old link")
    func linkTargetChanged() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.link("work/docs/l", to: "new-target")
        try box.link("b1/docs/l", to: "old-target")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified").contains { $0.hasPrefix("docs/l") }, "\(r)")
        #expect(box.snapshot("b1")["docs/l"] == .link("old-target"), "\(r)")
    }

    @Test("a file whose permissions alone differ is a modification; declined keeps them")
    func permissionsOnly() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/p.txt", "same\n", mtime: old, mode: 0o600)
        try box.write("b1/docs/p.txt", "same\n", mtime: old, mode: 0o644)
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.listed("Modified") == ["docs/p.txt"], "\(r)")
        #expect(box.mode("b1/docs/p.txt") == 0o644, "\(r)")
        let accepted = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(accepted.status == 0, "\(accepted)")
        #expect(box.mode("b1/docs/p.txt") == 0o600, "\(accepted)")
    }

    @Test("-s hides folder-attribute lines too")
    func summaryHidesFolderAttributes() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.folder("work/docs/sub", mode: 0o750, mtime: old)
        try box.folder("b1/docs/sub", mode: 0o755, mtime: older)
        try box.setTime("work/docs", old)
        try box.setTime("b1/docs", old)
        let r = try box.run(["--config", "cfg.json", "--backup", "-s", "work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(!items(r).contains { $0.hasSuffix("/") }, "\(r)")
        #expect(box.mode("b1/docs/sub") == 0o750, "the update still happens\n\(r)")
    }

    @Test("-s with -d lists the files to delete but no folder line")
    func summaryDeletions() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep", "k\n", mtime: old)
        try box.write("work/docs/keep", "k\n", mtime: old)
        try box.write("work/docs/gone/deep/f.txt", "f\n")
        try box.write("work/docs/gone/g.txt", "g\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "-s", "b1/docs"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        let shown = items(r)
        #expect(shown.contains("docs/gone/deep/f.txt") && shown.contains("docs/gone/g.txt"), "\(r)")
        #expect(!shown.contains { $0.hasSuffix("/") }, "\(r)")
        expectTree(box.snapshot("work"), ["docs/": .folder, "docs/keep": .file("k\n")], "\(r)")
    }

    @Test("deletion of a folder lists everything inside it")
    func deletedFolderListedInFull() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.folder("b1/docs")
        try box.write("work/docs/gone/deep/f.txt", "f\n")
        try box.write("work/docs/gone/g.txt", "g\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        let listed = r.listed("Delete")
        for item in ["docs/gone/", "docs/gone/deep/", "docs/gone/deep/f.txt", "docs/gone/g.txt"] {
            #expect(listed.contains(item), "\(item)\n\(r)")
        }
        #expect(r.stdout.contains("Delete these \(listed.count) items"), "\(r)")
        #expect(box.read("work/docs/gone/g.txt") == "g\n")
    }

    @Test("the summary line counts what was done")
    func summaryCounts() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/m1.txt", "new 1\n", mtime: old)
        try box.write("b1/docs/m2.txt", "new 2\n", mtime: old)
        try box.write("b1/docs/n.txt", "n\n")
        try box.write("work/docs/m1.txt", "o1\n", mtime: older)
        try box.write("work/docs/m2.txt", "o2\n", mtime: older)
        try box.write("work/docs/x1.txt", "x\n")
        try box.write("work/docs/x2.txt", "x\n")
        try box.write("work/docs/x3.txt", "x\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "m\nd\n")
        #expect(r.status == 0, "\(r)")
        let done = r.lines.first { $0.hasPrefix("Done:") } ?? ""
        #expect(done.contains("1 copied") && done.contains("2 overwritten") && done.contains("3 deleted"), "\(r)")
        expectTree(box.snapshot("work"), box.snapshot("b1"), "\(r)")
    }

    @Test("a long listing of new items, when summarised, still shows the big folder")
    func longListingShowsBigFolder() throws {
        // The summary is meant to be scanned (section 5): a folder holding most of the new
        // items must not be hidden behind a "… and N more" line while single files are shown.
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for i in 0..<40 { try box.write("work/docs/f\(i).txt", "\(i)\n") }
        for i in 0..<300 { try box.write("work/docs/big/g\(i).txt", "\(i)\n") }
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"))
        #expect(r.lines.contains { $0.hasPrefix("  docs/big/") }, "\(r.stdout.prefix(2000))")
    }

    @Test("per-folder counts say \"1 item\" for a single new item (here the new folder docs itself)")
    func countsInTheSingular() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for i in 0..<150 { try box.write("work/docs/big/g\(i).txt", "\(i)\n") }
        try box.write("work/docs/one/only.txt", "1\n")  // with its folder: 2 items
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.lines.contains("  docs/  1 item"), "\(r.stdout.prefix(2000))")
        #expect(r.lines.contains("  docs/one/  2 items"), "\(r.stdout.prefix(2000))")
        #expect(r.lines.contains("  docs/big/  151 items"), "the folder itself and its 150 files\n\(r.stdout.prefix(2000))")
        #expect(!r.stdout.contains(" 1 items"), "\(r.stdout.prefix(2000))")
    }

    @Test("-v lists each of 2,500 new files (more than are held) in a preview and in a single run, and keeps no list of them")
    func verboseListsManyNewItems() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1", "b2"])
        for i in 0..<2500 { try box.write("work/docs/f\(i).txt", "x") }
        try box.write("b1/other", "o")
        let expected = ["  docs/"] + (0..<2500).map { "  docs/f\($0).txt" }.sorted()
        // The preview (a dry run).
        let preview = try box.run(["--config", "cfg.json", "--backup", "-n", "-v", "--to", "b1", "work/docs"])
        #expect(preview.status == 0, "\(preview.stderr)")
        let listed = preview.lines.drop { $0 != "New (2501):" }.dropFirst().prefix { $0.hasPrefix("  ") }
        #expect(Array(listed).sorted() == expected, "\(preview.stdout.prefix(500))")
        #expect(box.fileLists().isEmpty, "\(box.fileLists())")
        // The single run (b2 is empty), each command answered.
        let single = try box.run(["--config", "cfg.json", "--backup", "-v", "--to", "b2", "work/docs"], stdin: "yes\n")
        #expect(single.status == 0, "\(single)")
        let copied = single.lines.drop { $0 != "New (2501):" }.dropFirst().prefix { $0.hasPrefix("  ") }
        #expect(Array(copied).sorted() == expected, "\(single.stdout.prefix(500))")
        #expect(box.fileLists().isEmpty, "\(box.fileLists())")
        expectTree(box.snapshot("b2"), box.snapshot("work"))
    }
}

