// Section 1: the configuration file — where it is found, and each error.

import Foundation
import Testing

@Suite("1 · configuration file")
struct ConfigTests {
    /// A tree that a valid config would copy: work/docs/a.txt, empty b1 and b2.
    func tree(_ box: Sandbox) throws {
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("b1")
        try box.folder("b2")
    }

    /// Runs --backup with `text` as the config; expects exit 2, a `micsync:` error naming the
    /// file and each of `mentions`, and nothing changed.
    func expectConfigError(_ text: String, mentions: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let box = try Sandbox()
        try tree(box)
        let file = try box.config(text, name: "bad.json")
        let before = box.snapshot("")
        let r = try box.run(["--config", "bad.json", "--backup", "work/docs"], stdin: "m\nd\ny\n0\n")
        #expect(r.status == 2, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("micsync:"), "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file), "the error names the file\n\(r)", sourceLocation: sourceLocation)
        for word in mentions {
            #expect(r.stderr.contains(word), "the error mentions \(word)\n\(r)", sourceLocation: sourceLocation)
        }
        expectTree(box.snapshot(""), before, "nothing changed", sourceLocation: sourceLocation)
    }

    @Test("missing file: exit 2 with the path and a minimal example")
    func missingFile() throws {
        let box = try Sandbox()
        try tree(box)
        let r = try box.run(["--config", "nope.json", "--backup", "work/docs"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains(box.path("nope.json")), "\(r)")
        #expect(r.stderr.contains("\"configs\""), "a hint with a minimal example\n\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty)
    }

    @Test("not valid JSON: the line and column of the fault")
    func badJSON() throws {
        try expectConfigError("{\n  \"configs\": [\n    {\"name\": \"D\" \"work\": [\"work\"], \"backup\": [\"b1\"]}\n  ]\n}\n",
                              mentions: ["line 3, column 18"])
    }

    @Test("not valid JSON: a trailing comma")
    func trailingComma() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"],}]}"#,
                              mentions: ["line 1, column 57"])
    }

    @Test("a key given twice in a config: the error names the key, the config and the place")
    func duplicateKey() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"],"backup":["b2"]}]}"#,
                              mentions: ["\"backup\"", "\"D\"", "line 1, column 57"])
    }

    @Test("a key given twice in a config without a name: the config is named by position")
    func duplicateKeyUnnamed() throws {
        try expectConfigError(#"""
            {"configs":[{"name":"D","work":["work"],"backup":["b1"]},
                        {"work":["x"],"backup":["b2"],"work":["y"]}]}
            """#, mentions: ["\"work\"", "position 2"])
    }

    @Test("a key given twice at the top level")
    func duplicateTopLevelKey() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}],"configs":[]}"#,
                              mentions: ["\"configs\"", "twice"])
    }

    @Test("no top-level configs list")
    func noConfigs() throws {
        try expectConfigError(#"{"config":[{"name":"D","work":["work"],"backup":["b1"]}]}"#, mentions: ["configs"])
    }

    @Test("a config that is not an object")
    func configNotObject() throws {
        try expectConfigError(#"{"configs":[["work"]]}"#, mentions: ["object"])
    }

    @Test("an unknown key in a config")
    func unknownKeyInConfig() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"],"bakup":["b2"]}]}"#,
                              mentions: ["\"bakup\"", "\"D\""])
    }

    @Test("an unknown key at the top level")
    func unknownTopLevelKey() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}],"extra":1}"#,
                              mentions: ["\"extra\""])
    }

    @Test("name missing or empty (the config is named by position)", arguments: [
        #"{"configs":[{"work":["work"],"backup":["b1"]}]}"#,
        #"{"configs":[{"name":"","work":["work"],"backup":["b1"]}]}"#,
        #"{"configs":[{"name":3,"work":["work"],"backup":["b1"]}]}"#,
    ])
    func badName(text: String) throws {
        try expectConfigError(text, mentions: ["name"])
    }

    @Test("two configs with the same name")
    func duplicateNames() throws {
        try expectConfigError(#"""
            {"configs":[{"name":"Same","work":["work"],"backup":["b1"]},
                        {"name":"Same","work":["w2"],"backup":["b2"]}]}
            """#, mentions: ["\"Same\""])
    }

    @Test("an empty work list", arguments: [
        #"{"configs":[{"name":"D","work":[],"backup":["b1"]}]}"#,
        #"{"configs":[{"name":"D","backup":["b1"]}]}"#,
        #"{"configs":[{"name":"D","work":[""],"backup":["b1"]}]}"#,
        #"{"configs":[{"name":"D","work":"work","backup":["b1"]}]}"#,
    ])
    func badWork(text: String) throws {
        try expectConfigError(text, mentions: ["work", "\"D\""])
    }

    @Test("an empty backup list")
    func emptyBackup() throws {
        try expectConfigError(#"{"configs":[{"name":"D","work":["work"],"backup":[]}]}"#, mentions: ["backup", "\"D\""])
    }

    @Test("nested locations are an error naming both", arguments: [
        (#"{"configs":[{"name":"D","work":["work"],"backup":["work/docs/b"]}]}"#, "work/docs/b"),
        (#"{"configs":[{"name":"D","work":["work"],"backup":["b1","b1/inner"]}]}"#, "b1/inner"),
        (#"{"configs":[{"name":"D","work":["work","work/"],"backup":["b1"]}]}"#, "work"),
    ])
    func nesting(text: String, inner: String) throws {
        let box = try Sandbox()
        try tree(box)
        try box.config(text)
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.hasPrefix("micsync:") && r.stderr.contains(box.path("cfg.json")), "\(r)")
        #expect(r.stderr.contains(inner), "\(r)")
        #expect(box.snapshot("b1").isEmpty && box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("nesting is decided on whole components: /a/b does not contain /a/bc")
    func nestingWholeComponents() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["workbackup"]}]}"#)
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("workbackup")
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("workbackup/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("relative locations are taken from the config file's folder, not the current folder")
    func relativeToConfigFolder() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}]}"#, name: "conf/cfg.json")
        try box.write("conf/work/docs/a.txt", "a\n")
        try box.folder("conf/b1")
        try box.folder("elsewhere/work/docs")
        let r = try box.run(["--config", "../conf/cfg.json", "--backup", "../conf/work/docs"], cwd: "elsewhere")
        #expect(r.status == 0, "\(r)")
        #expect(box.read("conf/b1/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("MICSYNC_CONFIG is used when --config is not given")
    func environmentVariable() throws {
        let box = try Sandbox()
        try tree(box)
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}]}"#, name: "env.json")
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b2"]}]}"#, name: ".micsync.json")
        let r = try box.run(["--backup", "work/docs"], env: ["MICSYNC_CONFIG": box.path("env.json")])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n" && box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("--config wins over MICSYNC_CONFIG")
    func configOptionWins() throws {
        let box = try Sandbox()
        try tree(box)
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}]}"#, name: "env.json")
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b2"]}]}"#, name: "opt.json")
        let r = try box.run(["--config", "opt.json", "--backup", "work/docs"],
                            env: ["MICSYNC_CONFIG": box.path("env.json")])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2/docs/a.txt") == "a\n" && box.snapshot("b1").isEmpty, "\(r)")
    }

    @Test("a missing MICSYNC_CONFIG file is an error, with no fall-back to ~/.micsync.json")
    func noFallBack() throws {
        let box = try Sandbox()
        try tree(box)
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b2"]}]}"#, name: ".micsync.json")
        let r = try box.run(["--backup", "work/docs"], env: ["MICSYNC_CONFIG": box.path("missing.json")])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains(box.path("missing.json")), "\(r)")
        #expect(box.snapshot("b2").isEmpty, "\(r)")
    }

    @Test("an empty MICSYNC_CONFIG counts as unset: ~/.micsync.json is used")
    func emptyEnvironmentVariable() throws {
        let box = try Sandbox()
        try tree(box)
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b2"]}]}"#, name: ".micsync.json")
        let r = try box.run(["--backup", "work/docs"], env: ["MICSYNC_CONFIG": ""])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b2/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("`~` in a location is the home folder")
    func tildeLocation() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["~/work/"],"backup":["~/b1"]}]}"#, name: "conf/cfg.json")
        try box.write("work/docs/a.txt", "a\n")
        try box.folder("b1")
        let r = try box.run(["--config", "conf/cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("b1/docs/a.txt") == "a\n", "\(r)")
    }

    @Test("a config file named through a link: relative locations are taken from the link's folder")
    func configThroughLink() throws {
        let box = try Sandbox()
        try box.config(#"{"configs":[{"name":"D","work":["work"],"backup":["b1"]}]}"#, name: "real/cfg.json")
        try box.link("links/cfg.json", to: "../real/cfg.json")
        try box.write("links/work/docs/a.txt", "a\n")
        try box.folder("links/b1")
        try box.folder("real/work/docs")
        try box.folder("real/b1")
        let r = try box.run(["--config", "links/cfg.json", "--backup", "links/work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(box.read("links/b1/docs/a.txt") == "a\n" && box.snapshot("real/b1").isEmpty, "\(r)")
    }
}
