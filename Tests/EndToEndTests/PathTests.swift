// Section 3: which files — PATH arguments.

import Foundation
import Testing

@Suite("3 · PATH arguments")
struct PathTests {
    func setup(_ box: Sandbox) throws {
        try box.standard()
        try box.write("work/docs/a.txt", "a\n", mtime: old)
        try box.write("work/docs/b.txt", "b\n", mtime: old)
        try box.write("work/docs/sub/c.txt", "c\n", mtime: old)
        try box.write("work/top.txt", "top\n", mtime: old)
    }

    @Test("a PATH that does not exist: exit 2, `no such file or directory`")
    func missingPath() throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/a.txt", "work/docs/nope.txt"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("nope.txt")
                && r.stderr.contains("no such file or directory"), "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("PATHs with different parents: exit 2 naming two that differ")
    func differentParents() throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/a.txt", "work/docs/sub/c.txt"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("a.txt") && r.stderr.contains("c.txt"), "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("a PATH in no location: exit 2 naming the PATH and the configuration file")
    func pathInNoLocation() throws {
        let box = try Sandbox()
        try setup(box)
        try box.write("outside/x.txt", "x\n")
        let r = try box.run(["--config", "cfg.json", "--backup", "outside/x.txt"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("x.txt") && r.stderr.contains(box.path("cfg.json")),
                "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("PATHs in two different locations: exit 2")
    func pathsInTwoLocations() throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json", "--backup", "work", "b1"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:"), "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("several PATHs copy only those items; their siblings are left out")
    func severalPaths() throws {
        let box = try Sandbox()
        try setup(box)
        try box.folder("b1/docs")
        try box.folder("b2/docs")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/a.txt", "work/docs/sub"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), [
            "docs/": .folder, "docs/a.txt": .file("a\n"), "docs/sub/": .folder, "docs/sub/c.txt": .file("c\n"),
        ], "\(r)")
    }

    @Test("a PATH equal to the location copies the whole location, with its folder attributes")
    func wholeLocation() throws {
        let box = try Sandbox()
        try setup(box)
        try box.folder("work", mode: 0o750, mtime: older)
        let r = try box.run(["--config", "cfg.json", "--backup", "work"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "\(r)")
        #expect(box.mode("b1") == 0o750 && box.mtime("b1") == older, "\(r)")
    }

    @Test("a whole-location --work with -d deletes inside the location only when confirmed")
    func wholeLocationDelete() throws {
        let box = try Sandbox()
        try setup(box)
        try box.write("b1/only-b1.txt", "b1\n")
        let r = try box.run(["--config", "cfg.json", "--work", "-d", "-m", "b1"], stdin: "d\n")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), box.snapshot("b1"), "\(r)")
        #expect(box.exists("work"))
    }

    @Test("a PATH that is a symbolic link inside a location is copied as a link")
    func linkPathCopiedAsLink() throws {
        let box = try Sandbox()
        try setup(box)
        try box.link("work/docs/to-sub", to: "sub")
        try box.folder("b1/docs")
        try box.folder("b2/docs")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs/to-sub"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), ["docs/": .folder, "docs/to-sub": .link("sub")], "\(r)")
        expectTree(box.snapshot("b2"), ["docs/": .folder, "docs/to-sub": .link("sub")], "\(r)")
    }

    @Test("a link that leads to a whole location means that location")
    func linkToLocation() throws {
        let box = try Sandbox()
        try setup(box)
        try box.link("my-docs", to: "work")
        let r = try box.run(["--config", "cfg.json", "--backup", "my-docs"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "\(r)")
        #expect(box.snapshot("")["my-docs"] == .link("work"))
    }

    @Test("links in the PATH's folders are resolved")
    func linkedParentResolved() throws {
        let box = try Sandbox()
        try setup(box)
        try box.link("alias", to: "work/docs")
        try box.folder("b1/docs")
        try box.folder("b2/docs")
        let r = try box.run(["--config", "cfg.json", "--backup", "alias/sub"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/sub/c.txt") == "c\n", "\(r)")
    }

    @Test("an absolute PATH and `~` work like a relative one")
    func absoluteAndTilde() throws {
        let box = try Sandbox()
        try setup(box)
        try box.folder("b1/docs")
        try box.folder("b2/docs")
        let r = try box.run(["--config", "cfg.json", "--backup", box.path("work/docs/a.txt"), "~/work/docs/b.txt"])
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), ["docs/": .folder, "docs/a.txt": .file("a\n"), "docs/b.txt": .file("b\n")],
                   "\(r)")
    }
}
