// Unusual input (issue "Reliability"): long names and paths, Unicode forms, links.

import Foundation
import Testing

@Suite("Hostile input: long names, Unicode forms, links")
struct HostileInputTests {
    @Test("255-byte names and a path of about 4,000 bytes are copied exactly")
    func longNamesAndPaths() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        let longName = String(repeating: "n", count: 251) + ".txt"
        try box.write("work/docs/" + longName, "long name\n")
        // Folders of 200 bytes until the absolute path in the BACKUP is about 4,000 bytes long.
        var deep = "work/docs"
        let segment = String(repeating: "d", count: 200)
        while box.path(deep).utf8.count + 201 + 20 < 4000 { deep += "/" + segment }
        try box.write(deep + "/end.txt", "deep\n")
        #expect(box.path(deep + "/end.txt").utf8.count > 3800)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("the same name in NFC and NFD is two files, both copied exactly and listed")
    func unicodeForms() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.writeBytes(Array("work/docs/caf\u{E9}".utf8), Array("nfc\n".utf8))
        try box.writeBytes(Array("work/docs/cafe\u{301}".utf8), Array("nfd\n".utf8))
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(r.count("New") == 3, "the folder and both files\n\(r)")
        let copied = box.snapshot("b1")
        #expect(copied[Sandbox.show(Array("docs/caf\u{E9}".utf8))] == .file(Array("nfc\n".utf8)), "\(copied)")
        #expect(copied[Sandbox.show(Array("docs/cafe\u{301}".utf8))] == .file(Array("nfd\n".utf8)), "\(copied)")
    }

    @Test("a link loop inside a tree is copied as links, not followed")
    func linkLoop() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        try box.link("work/docs/loop1", to: "loop2")
        try box.link("work/docs/loop2", to: "loop1")
        try box.link("work/docs/self", to: ".")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
    }

    @Test("a link pointing outside the location is copied as that link; nothing outside is read or written")
    func linkOutside() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("outside/secret.txt", "outside\n")
        try box.link("work/docs/out", to: "../../outside")
        try box.link("b1/docs", to: "../outside")
        let before = box.snapshot("outside")
        // The destination's docs is a link out of the location: replacing it is asked about
        // (declined here), and nothing is written through it.
        let declined = try box.run(["--config", "cfg.json", "--backup", "work/docs"], stdin: "n\n")
        #expect(declined.status == 0, "\(declined)")
        expectTree(box.snapshot("outside"), before, "\(declined)")
        try FileManager.default.removeItem(atPath: box.path("b1/docs"))
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.snapshot("b1")["docs/out"] == .link("../../outside"), "\(r)")
        #expect(box.snapshot("b1")["docs/out/secret.txt"] == nil, "\(r)")
        expectTree(box.snapshot("outside"), before, "\(r)")
    }

    @Test("a location reached through a link in the configuration: PATHs given by either path work")
    func locationThroughLink() throws {
        let box = try Sandbox()
        try box.folder("real/work")
        try box.folder("b1")
        try box.link("alias", to: "real/work")
        try box.config(#"{"configs":[{"name":"D","work":["alias"],"backup":["b1"]}]}"#)
        try box.write("real/work/docs/a.txt", "a\n")
        let viaLink = try box.run(["--config", "cfg.json", "--backup", "alias/docs"])
        #expect(viaLink.status == 0, "\(viaLink)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(viaLink)")
        try box.write("real/work/docs/b.txt", "b\n")
        let direct = try box.run(["--config", "cfg.json", "--backup", "real/work/docs"])
        #expect(direct.status == 0, "\(direct)")
        #expect(box.read("b1/docs/b.txt") == "b\n", "\(direct)")
        #expect(box.snapshot("alias") == box.snapshot("real/work"), "the link itself is untouched")
    }
}
