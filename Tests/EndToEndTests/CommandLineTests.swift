// Section 2: the command line — option placement, usage errors, --help, --version, selection.

import Foundation
import Testing

@Suite("2 · command line")
struct CommandLineTests {
    /// Standard config; work/docs/a.txt modified against b1 and b2 (source newer), n.txt new,
    /// and b1/docs/extra.txt only in b1.
    func setup(_ box: Sandbox) throws {
        try box.standard()
        try box.write("work/docs/a.txt", "new version\n", mtime: old)
        try box.write("work/docs/n.txt", "brand new\n")
        try box.write("b1/docs/a.txt", "old\n", mtime: older)
        try box.write("b2/docs/a.txt", "old\n", mtime: older)
        try box.write("b1/docs/extra.txt", "extra\n")
    }

    /// Expects a usage error: exit 2, `micsync:` on stderr with each of `mentions`, nothing changed.
    func expectUsageError(_ arguments: [String], mentions: [String],
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("")
        let r = try box.run(arguments, stdin: "m\nd\ny\n0\n")
        #expect(r.status == 2, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("micsync:"), "\(r)", sourceLocation: sourceLocation)
        for word in mentions {
            #expect(r.stderr.contains(word), "mentions \(word)\n\(r)", sourceLocation: sourceLocation)
        }
        expectTree(box.snapshot(""), before, "nothing changed", sourceLocation: sourceLocation)
    }

    @Test("options may stand before or after the action and the paths", arguments: [
        ["--config", "cfg.json", "--backup", "-m", "work/docs"],
        ["-m", "--backup", "work/docs", "--config", "cfg.json"],
        ["work/docs", "--backup", "--config", "cfg.json", "-m"],
        ["--config", "cfg.json", "work/docs", "-m", "--backup"],
    ])
    func optionPlacement(arguments: [String]) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(arguments, stdin: "")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "new version\n" && box.read("b2/docs/a.txt") == "new version\n", "\(r)")
    }

    @Test("short options combine", arguments: [["-mD"], ["-Dm"], ["-m", "-D"], ["-mdD"], ["-mDs"]])
    func combinedShortOptions(options: [String]) throws {
        let box = try Sandbox()
        try setup(box)
        let r = try box.run(["--config", "cfg.json", "--work", "--from", "b1"] + options + ["work/docs"], stdin: "")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("work"), box.snapshot("b1"), "\(r)")
    }

    @Test("`--` before a PATH that starts with `-`")
    func doubleDash() throws {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/-m", "dash file\n")
        try box.write("work/other", "other\n")
        let r = try box.run(["--config", box.path("cfg.json"), "--backup", "--", "-m"], cwd: "work")
        #expect(r.status == 0, "\(r)")
        expectTree(box.snapshot("b1"), ["-m": .file("dash file\n")], "\(r)")
    }

    @Test("an option the action does not take: exit 2 and the syntax of that action", arguments: [
        (["--backup", "-d"], "micsync --backup"), (["--backup", "-D"], "micsync --backup"),
        (["--tree", "-m"], "micsync --tree"), (["--tree", "-d"], "micsync --tree"),
    ])
    func optionNotTaken(options: [String], syntax: String) throws {
        let box = try Sandbox()
        try setup(box)
        let before = box.snapshot("")
        let r = try box.run(["--config", "cfg.json"] + options + ["work/docs"], stdin: "m\nd\n")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains(options[1]), "\(r)")
        #expect((r.stderr + r.stdout).contains(syntax), "the valid syntax of that action\n\(r)")
        expectTree(box.snapshot(""), before)
    }

    @Test("no PATH: exit 2 with the syntax of the action")
    func noPath() throws {
        try expectUsageError(["--config", "cfg.json", "--work"], mentions: ["micsync --work"])
    }

    @Test("two actions: exit 2")
    func twoActions() throws {
        try expectUsageError(["--config", "cfg.json", "--backup", "--work", "work/docs"], mentions: ["--backup", "--work"])
    }

    @Test("no action: exit 2")
    func noAction() throws {
        try expectUsageError(["--config", "cfg.json", "-m", "work/docs"], mentions: ["--backup"])
    }

    @Test("--version prints the version, exit 0")
    func version() throws {
        let box = try Sandbox()
        let r = try box.run(["--version"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains { $0.isNumber } && r.stdout.contains("."), "\(r)")
    }

    @Test("--help prints usage for all actions and each option, exit 0")
    func help() throws {
        let box = try Sandbox()
        let r = try box.run(["--help"])
        #expect(r.status == 0, "\(r)")
        for word in ["--backup", "--work", "--transfer", "--tree", "--version", "-m", "-d", "-D", "-s", "-v", "-n",
                     "--dry-run", "--config", "--config-name", "--from", "--to"] {
            #expect(r.stdout.contains(word), "help mentions \(word)\n\(r)")
        }
    }

    @Test("--config-name picks the config among several without a question")
    func configNamePicks() throws {
        let box = try Sandbox()
        try box.config(#"""
            {"configs":[{"name":"Docs","work":["work"],"backup":["b1"]},
                        {"name":"Other","work":["work/docs"],"backup":["b2"]}]}
            """#)
        try box.write("work/docs/sub/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("b2")
        let r = try box.run(["--config", "cfg.json", "--backup", "--config-name", "Other", "work/docs/sub"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2/sub/a.txt") == "a\n" && box.snapshot("b1").isEmpty, "\(r)")
    }

    @Test("--config-name naming no config: exit 2 listing the valid ones")
    func configNameWrong() throws {
        try expectUsageError(["--config", "cfg.json", "--backup", "--config-name", "Nope", "work/docs"],
                             mentions: ["Nope", "Docs"])
    }

    @Test("--config-name naming a config that does not hold the PATHs: exit 2 listing those that do")
    func configNameNotHolding() throws {
        let box = try Sandbox()
        try box.config(#"""
            {"configs":[{"name":"Docs","work":["work"],"backup":["b1"]},
                        {"name":"Photos","work":["photos"],"backup":["b2"]}]}
            """#)
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("photos")
        try box.folder("b1")
        try box.folder("b2")
        let r = try box.run(["--config", "cfg.json", "--backup", "--config-name", "Photos", "work/docs"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("Docs"), "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty)
    }

    @Test("--from that is not a location: exit 2 listing the valid ones")
    func fromNotALocation() throws {
        try expectUsageError(["--config", "cfg.json", "--work", "--from", "work/docs", "work/docs"],
                             mentions: ["--from", "b1", "b2"])
    }

    @Test("--to that is not a location: exit 2 listing the valid ones")
    func toNotALocation() throws {
        try expectUsageError(["--config", "cfg.json", "--backup", "--to", "nowhere", "work/docs"],
                             mentions: ["--to", "nowhere", "b1", "b2"])
    }

    @Test("a location given with a trailing slash or through a link still matches")
    func locationNormalised() throws {
        let box = try Sandbox()
        try setup(box)
        try box.link("alias-b2", to: "b2")
        let r = try box.run(["--config", "cfg.json", "--backup", "-m", "--to", "alias-b2/", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2/docs/a.txt") == "new version\n" && box.read("b1/docs/a.txt") == "old\n", "\(r)")
    }

    @Test("a second --to with --work: exit 2")
    func secondToWithWork() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"Docs","work":["w1","w2"],"backup":["b1"]}]}"#)
        try box.write("b1/docs/a.txt", "a\n")
        try box.folder("w1")
        try box.folder("w2")
        let r = try box.run(["--config", "cfg.json", "--work", "--to", "w1", "--to", "w2", "b1/docs"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains("--to"), "\(r)")
        #expect(box.snapshot("w1").isEmpty && box.snapshot("w2").isEmpty, "\(r)")
    }

    @Test("a --to equal to the source: exit 2")
    func toEqualsSource() throws {
        try expectUsageError(["--config", "cfg.json", "--transfer", "--from", "b1", "--to", "b1", "work/docs"],
                             mentions: ["--to"])
    }
}

@Suite("2 · command line under a preloaded library")
struct PreloadTests {
    /// libfaketime's LD_PRELOAD (a common way to test time-dependent behaviour) leaves the
    /// argument count at 0: micsync must still read its arguments, never trap. `make test`
    /// installs libfaketime (Debian's package) when it is missing.
    @Test("under libfaketime's LD_PRELOAD micsync reads its arguments and runs")
    func underLibfaketime() throws {
        let box = try Sandbox()
        let found = try box.shell("ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1")
        let library = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!library.isEmpty, "libfaketime is not installed (make test installs it: apt-get install libfaketime)")
        let version = try box.run(["--version"], env: ["LD_PRELOAD": library, "FAKETIME": "-1d", "FAKETIME_DISABLE_SHM": "1"])
        #expect(version.status == 0 && version.stdout.contains("micsync "), "\(version)")
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        let backup = try box.run(["--config", "cfg.json", "--backup", "work/docs"], env: ["LD_PRELOAD": library, "FAKETIME": "-1d", "FAKETIME_DISABLE_SHM": "1"])
        #expect(backup.status == 0, "\(backup)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(backup)")
    }
}
