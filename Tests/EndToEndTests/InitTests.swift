// `micsync --init`: creates or extends the configuration file by asking on standard input.

import Foundation
import Testing

@Suite("--init")
struct InitTests {
    static let existing = """
        {
          "configs": [
            { "name": "Docs",   "work": ["work"], "backup": ["b1", "b2"], "keep": true },
            {
              "name": "Pics", "work": ["pics"],
              "backup": ["b1/pics"]
            }
          ]
        }

        """

    @Test("a new file is created at the --config path, and it loads and works")
    func createsAFile() throws {
        let box = try Sandbox()
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("sub")
        let created = try box.run(["--init", "--config", "sub/my.json"], stdin: "Docs\n../work\n\n../b1\n\n")
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout.contains("Config name: Docs\n"), "the piped answers are shown with their questions\n\(created)")
        #expect(created.stdout.contains("WORK folder (empty line to finish): ../work\n"), "\(created)")
        #expect(created.stdout.hasSuffix("Wrote config \"Docs\" to \(box.path("sub/my.json"))\n"), "\(created)")
        #expect(box.read("sub/my.json") == """
            {
              "configs": [
                { "name": "Docs", "work": ["../work"], "backup": ["../b1"] }
              ]
            }

            """)
        let list = try box.run(["--config", "sub/my.json", "--list"])
        #expect(list.status == 0, "\(list)")
        #expect(list.lines.contains("Docs"), "\(list)")
        #expect(list.lines.contains { $0.contains("WORK   \(box.path("work"))  accessible") }, "relative to the file's folder\n\(list)")
        #expect(list.lines.contains { $0.contains("BACKUP \(box.path("b1"))  accessible") }, "\(list)")
        let backup = try box.run(["--config", "sub/my.json", "--backup", "work/docs"])
        #expect(backup.status == 0, "\(backup)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(backup)")
    }

    @Test("a folder that is not there yet for a new file: exit 2 before any question")
    func missingFolder() throws {
        let box = try Sandbox()
        let r = try box.run(["--init", "--config", "nowhere/my.json"], stdin: "Docs\nwork\n\nb1\n\n")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("does not exist"), "\(r)")
        #expect(!r.stdout.contains("Config name"), "\(r)")
        #expect(!box.exists("nowhere"), "\(r)")
    }

    @Test("an existing file is extended: its configs stay byte for byte, its permissions too")
    func extendsAFile() throws {
        let box = try Sandbox()
        try box.write("cfg.json", Self.existing, mode: 0o600)
        let r = try box.run(["--init", "--config", "cfg.json"], stdin: "Music\n~/music\n/srv/music\n\n/mnt/usb/music\n\n")
        #expect(r.status == 0, "\(r)")
        let anchor = "\"backup\": [\"b1/pics\"]\n    }"
        let cut = try #require(Self.existing.range(of: anchor)).upperBound
        #expect(box.read("cfg.json") == String(Self.existing[..<cut])
                + ",\n    { \"name\": \"Music\", \"work\": [\"~/music\", \"/srv/music\"], \"backup\": [\"/mnt/usb/music\"] }"
                + String(Self.existing[cut...]), "\(r)")
        #expect(box.mode("cfg.json") == 0o600, "\(r)")
        #expect(box.snapshot("").keys.filter { $0.contains("micsync-") }.isEmpty, "no temporary file is left\n\(r)")
        let list = try box.run(["--config", "cfg.json", "--list"])
        #expect(list.status == 0, "\(list)")
        #expect(list.lines.contains("Docs  (keep)") && list.lines.contains("Pics") && list.lines.contains("Music"), "\(list)")
        #expect(list.lines.contains { $0.contains("WORK   \(box.path("music"))  missing") }, "~ is the home folder\n\(list)")
    }

    @Test("MICSYNC_CONFIG names the file; without it and --config, ~/.micsync.json")
    func environmentAndDefault() throws {
        let box = try Sandbox()
        try box.folder("conf")
        let r = try box.run(["--init"], stdin: "Docs\nwork\n\nb1\n\n", env: ["MICSYNC_CONFIG": box.path("conf/env.json")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Wrote config \"Docs\" to \(box.path("conf/env.json"))"), "\(r)")
        #expect(box.read("conf/env.json")?.contains(#""name": "Docs""#) == true, "\(r)")
        #expect(!box.exists(".micsync.json"), "\(r)")
        let second = try box.run(["--init"], stdin: "Pics\npics\n\nb2\n\n", env: ["MICSYNC_CONFIG": box.path("conf/env.json")])
        #expect(second.status == 0, "\(second)")
        let list = try box.run(["--list"], env: ["MICSYNC_CONFIG": box.path("conf/env.json")])
        #expect(list.lines.contains("Docs") && list.lines.contains("Pics"), "\(list)")

        let home = try box.run(["--init"], stdin: "Home\nwork\n\nb1\n\n")
        #expect(home.status == 0, "\(home)")
        #expect(home.stdout.contains("Wrote config \"Home\" to \(box.path(".micsync.json"))"), "\(home)")
        #expect(try box.run(["--list"]).lines.contains("Home"))
    }

    @Test("a name already taken: exit 2 at once, the file unchanged byte for byte")
    func duplicateName() throws {
        let box = try Sandbox()
        try box.config(Self.existing)
        let before = box.snapshot("")
        let r = try box.run(["--init", "--config", "cfg.json"], stdin: "Pics\nother\n\nb3\n\n")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync: \(box.path("cfg.json")): a config named \"Pics\" already exists"), "\(r)")
        #expect(!r.stdout.contains("WORK folder"), "no folder is asked for\n\(r)")
        #expect(!r.stdout.contains("Wrote"), "\(r)")
        #expect(box.read("cfg.json") == Self.existing, "\(r)")
        expectTree(box.snapshot(""), before, "\(r)")
    }

    @Test("folders that overlap: exit 2 naming both, the file unchanged", arguments: [
        "New\ndata\n\ndata/backup\n\n", "New\nwork2\n\nb9\nb9/\n\n",
    ])
    func overlap(stdin: String) throws {
        let box = try Sandbox()
        try box.config(Self.existing)
        let r = try box.run(["--init", "--config", "cfg.json"], stdin: stdin)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("config \"New\""), "\(r)")
        #expect(r.stderr.contains("nothing was written"), "\(r)")
        #expect(box.read("cfg.json") == Self.existing, "\(r)")
    }

    @Test("an invalid existing file: its error, exit 2, no question, unchanged")
    func invalidFile() throws {
        let box = try Sandbox()
        let broken = #"{"configs": [{"name": "Docs", "work": ["work"], "bakup": ["b1"]}]}"#
        try box.config(broken)
        let r = try box.run(["--init", "--config", "cfg.json"], stdin: "New\nw\n\nb\n\n")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("unknown key \"bakup\""), "\(r)")
        #expect(!r.stdout.contains("Config name"), "\(r)")
        #expect(box.read("cfg.json") == broken, "\(r)")
    }

    @Test("end of input before the config is complete: exit 3, nothing written", arguments: [
        ("", "Config name"), ("New\n", "WORK folder"), ("New\nwork\n\n", "BACKUP folder"), ("New\nwork\n\nb1\n", "BACKUP folder"),
    ])
    func endOfInput(stdin: String, question: String) throws {
        let box = try Sandbox()
        let r = try box.run(["--init", "--config", "new.json"], stdin: stdin)
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("no answer to \"\(question)\""), "\(r)")
        #expect(!box.exists("new.json"), "\(r)")
        #expect(box.snapshot("").isEmpty, "no temporary file either\n\(r)")

        try box.config(Self.existing)
        let extending = try box.run(["--init", "--config", "cfg.json"], stdin: stdin)
        #expect(extending.status == 3, "\(extending)")
        #expect(box.read("cfg.json") == Self.existing, "\(extending)")
    }

    @Test("--init is an action of its own and takes no PATH", arguments: [
        ["--init", "work"], ["--init", "--list"], ["--init", "--backup", "work"], ["--init", "--mark", "work"],
    ])
    func usage(arguments: [String]) throws {
        let box = try Sandbox()
        let r = try box.run(arguments, stdin: "Docs\nwork\n\nb1\n\n")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--init"), "\(r)")
        #expect(box.snapshot("").isEmpty, "\(r)")
    }
}
