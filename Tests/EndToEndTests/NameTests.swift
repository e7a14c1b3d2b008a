// Section 8 / names: any byte but `/` and NUL is copied exactly, and deleted only when confirmed.

import Foundation
import Testing

@Suite("names with unusual bytes")
struct NameTests {
    /// Names (raw bytes) that tend to break quoting, parsing or escaping.
    static let names: [[UInt8]] = [
        Array("with space".utf8),
        Array(" leading space".utf8),
        Array("trailing space ".utf8),
        Array("new\nline".utf8),
        Array("tab\there".utf8),
        Array("-leading-dash".utf8),
        Array("--delete".utf8),
        Array("back\\#012slash".utf8),
        Array("back\\slash".utf8),
        Array("arrow -> name".utf8),
        Array("quote'and\"dq$(x)`y`".utf8),
        Array("star*quest?[br]".utf8),
        Array("café ü 日本".utf8),
        [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x74],  // "bad" + invalid UTF-8
        [0xE9, 0x74, 0xE9],  // Latin-1 "été"
        [0x01, 0x7F, 0x1B, 0x5B, 0x33, 0x31, 0x6D],  // control bytes and an escape sequence
    ]

    /// Every name as a file in `base`, plus a folder named with a newline holding every name.
    func populate(_ box: Sandbox, _ base: String, content: (Int) -> String, mtime: Int? = nil) throws {
        for (i, name) in Self.names.enumerated() {
            try box.writeBytes(Array((base + "/").utf8) + name, Array(content(i).utf8), mtime: mtime)
            try box.writeBytes(Array((base + "/dir\nname\\#/").utf8) + name, Array(content(i).utf8), mtime: mtime)
        }
    }

    @Test("unusual names are copied exactly (bytes compared)")
    func copiedExactly() throws {
        let box = try Sandbox()
        try box.standard()
        try populate(box, "work/docs", content: { "content \($0)\n" })
        try box.writeBytes(Array("work/docs/".utf8) + [0xFF], [1, 2, 3])
        try box.link("work/docs/link -> \n", to: "with space")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "\(r)")
        #expect(r.listed("New").contains("docs/with space"), "\(r)")
    }

    @Test("unusual names: accepted overwrite replaces exactly those files")
    func overwriteAccepted() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try populate(box, "work/docs", content: { "new content \($0)\n" }, mtime: old)
        try populate(box, "b1/docs", content: { "old \($0)\n" }, mtime: older)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "m\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.count("Modified") == 2 * Self.names.count, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("unusual names: declined overwrite leaves them; new ones are copied")
    func overwriteDeclined() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try populate(box, "work/docs", content: { "new content \($0)\n" }, mtime: old)
        try populate(box, "b1/docs", content: { "old \($0)\n" }, mtime: older)
        try box.writeBytes(Array("work/docs/fresh\n".utf8) + [0xFF], Array("fresh\n".utf8))
        let before = box.snapshot("b1")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        var expected = before
        expected[Sandbox.show(Array("docs/fresh\n".utf8) + [0xFF])] = .file("fresh\n")
        expectTree(box.snapshot("b1"), expected, "\(r)")
    }

    /// --work -d setup: the WORK holds every unusual name (to be deleted); b1 holds `keep`.
    func deletionSetup(_ box: Sandbox) throws {
        try box.standard(backups: ["b1"])
        try box.write("b1/docs/keep", "keep\n", mtime: old)
        try box.write("work/docs/keep", "keep\n", mtime: old)
        try populate(box, "work/docs", content: { "doomed \($0)\n" })
        try box.writeBytes(Array("work/".utf8) + Self.names[3], Array("sibling\n".utf8))
    }

    @Test("unusual names: deletion declined deletes nothing")
    func deleteDeclined() throws {
        let box = try Sandbox()
        try deletionSetup(box)
        let before = box.snapshot("work")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        #expect((r.count("Delete") ?? 0) >= Self.names.count + 1, "\(r)")
        expectTree(box.snapshot("work"), before, "\(r)")
    }

    @Test("unusual names: deletion accepted deletes exactly them")
    func deleteAccepted() throws {
        let box = try Sandbox()
        try deletionSetup(box)
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "b1/docs"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), [
            "docs/": .folder, "docs/keep": .file("keep\n"), Sandbox.show(Self.names[3]): .file("sibling\n"),
        ], "\(r)")
    }

    @Test("wildcard names with a declined file → folder change do not exclude look-alikes")
    func wildcardExclusion() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        for name in ["a[1]", "*", "q?", "back\\x"] {
            try box.write("work/docs/\(name)/in.txt", "folder now\n")
            try box.write("b1/docs/\(name)", "still a file\n")
        }
        for name in ["a1", "zz", "qq", "back\\y", "backxx"] {
            try box.write("work/docs/\(name)/in.txt", "new\n")
        }
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(r.status == 0, "\(r)")
        for name in ["a[1]", "*", "q?", "back\\x"] {
            #expect(box.snapshot("b1")["docs/" + Sandbox.show(name)] == .file("still a file\n"), "\(name)\n\(r)")
        }
        for name in ["a1", "zz", "qq", "back\\y", "backxx"] {
            #expect(box.read("b1/docs/\(name)/in.txt") == "new\n", "\(name) must still be copied\n\(r)")
        }
    }

    @Test("-v prints commands that can be pasted into a shell")
    func commandsArePasteable() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["w o'rk \"$HOME\""],"backup":["b -> 1\\"]}]}"#)
        try box.write("w o'rk \"$HOME\"/docs/a.txt", "a\n")
        try box.folder("b -> 1\\")
        let r = try box.run(["--config", "cfg.json", "--backup", "-v", "w o'rk \"$HOME\"/docs"],
                            stdin: String(repeating: "no\n", count: 5))
        #expect(r.status == 0, "\(r)")
        let commands = r.lines.filter { $0.hasPrefix("$ rsync ") }.map { String($0.dropFirst(2)) }
        #expect(!commands.isEmpty, "\(r)")
        #expect(box.snapshot("b -> 1\\").isEmpty, "answered no\n\(r)")
        // Pasting the (non-dry-run) command into a shell must copy into the right folder.
        guard let real = commands.last(where: { !$0.contains("--dry-run") && !$0.contains("--files-from") })
        else { return }
        let s = try box.shell(real)
        #expect(s.status == 0, "\(real)\n\(s)")
        #expect(box.read("b -> 1\\/docs/a.txt") == "a\n", "\(real)\n\(s)")
    }
}
