import Testing
@testable import MicsyncKit

/// `"exclude"`: rsync patterns left out of every action of a config.
@Suite("Excludes")
struct ExcludeTests {
    func command(parent: String = "", names: [String] = [], prefix: String = "", exclude: [String]) -> RsyncCommand {
        var spec = TransferSpec(action: .backup, configName: "D", source: Location(role: .work, path: "/w"),
                                destination: Location(role: .backup, path: "/b"), parent: parent, names: names)
        spec.exclude = exclude
        return RsyncCommand(spec: spec, existingPrefix: prefix)
    }

    @Test func everyRunCarriesThePatterns() {
        let whole = command(exclude: ["*.tmp", "node_modules/"])
        let rules = ["--exclude=*.tmp", "--exclude=node_modules/"]
        for arguments in [whole.preview(deleting: true), whole.singleRun(), whole.bulkNew(refused: []),
                          whole.replace(listFile: "/l"), whole.add(listFile: "/l", refused: []), whole.deletion(listFile: "/l")] {
            #expect(rules.allSatisfy(arguments.contains), "\(arguments)")
        }
    }

    @Test func anAnchoredPatternMeansTheLocationsTopEvenForPaths() {
        // PATHs in p/q, which the destination has: the transfer is rooted at p/q.
        let paths = command(parent: "p/q", names: ["x"], prefix: "p/q", exclude: ["/p/q/x/build/", "/other/", "*.o"])
        let preview = paths.preview(deleting: false)
        #expect(preview.contains("--exclude=/x/build/"))
        #expect(!preview.contains { $0.contains("other") }, "cannot match below p/q: dropped")
        #expect(preview.contains("--exclude=*.o"))
        // The listed runs are rooted at the location: patterns as written.
        #expect(paths.add(listFile: "/l", refused: []).contains("--exclude=/p/q/x/build/"))
    }

    func load(_ json: String) throws -> Configuration {
        var fileSystem = FakeFileSystem()
        fileSystem.addFile("/home/cfg.json", json)
        return try ConfigurationLoader(fileSystem: fileSystem).load(path: "/home/cfg.json")
    }

    @Test func theConfigKeyTakesAListOfNonEmptyStrings() throws {
        let loaded = try load(#"{"configs":[{"name":"D","work":["/w"],"backup":["/b"],"exclude":["*.tmp",".cache/"]}]}"#)
        #expect(loaded.configs[0].exclude == ["*.tmp", ".cache/"])
        for bad in [#""*.tmp""#, #"[""]"#, "[1]", "{}"] {
            #expect(throws: ConfigError.self) {
                try load(#"{"configs":[{"name":"D","work":["/w"],"backup":["/b"],"exclude":\#(bad)}]}"#)
            }
        }
    }
}
