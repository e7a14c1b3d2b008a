import Testing
@testable import MicsyncKit

/// README "Configuration": each problem of the configuration file is one error that names the file, the
/// config (by name, or by position where it has no name) and what is wrong.
@Suite("Configuration file errors")
struct ConfigurationErrorTests {
    static let file = "/etc/micsync/config.json"

    /// Loads `json` as the configuration file and returns the error it must raise.
    func loadError(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        var fileSystem = FakeFileSystem()
        fileSystem.addFile(Self.file, json)
        let error = #expect(throws: ConfigError.self, sourceLocation: sourceLocation) {
            try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        }
        #expect(error?.file == Self.file, sourceLocation: sourceLocation)
        return error?.description ?? ""
    }

    func expect(_ message: String, names fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(message.hasPrefix(Self.file + ": "), "the file is named first", sourceLocation: sourceLocation)
        for fragment in fragments {
            // Case aside: the role may be written WORK or work.
            #expect(message.lowercased().contains(fragment.lowercased()), "\(message) should name \(fragment)", sourceLocation: sourceLocation)
        }
    }

    /// A config around the given members, second in the list (so its position is 2).
    func second(_ members: String) -> String {
        #"{"configs": [{"name": "First", "work": ["/w1"], "backup": ["/b1"]}, {\#(members)}]}"#
    }

    @Test func aMissingFileIsAnErrorWithAMinimalExample() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigurationLoader(fileSystem: FakeFileSystem()).load(path: "/nowhere/micsync.json")
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("/nowhere/micsync.json: "))
        #expect(message.contains("no such configuration file"))
        #expect(message.contains(#""configs": ["#))
        #expect(message.contains(#""name": "Documents""#))
    }

    @Test func aMissingExplicitFileDoesNotFallBackToTheEnvironment() {
        var fileSystem = FakeFileSystem()
        fileSystem.addFile("/env.json", #"{"configs": []}"#)
        let error = #expect(throws: ConfigError.self) {
            try ConfigurationLoader(fileSystem: fileSystem).load(explicit: "/given.json", environment: "/env.json")
        }
        #expect(error?.file == "/given.json")
    }

    @Test func anUnreadableFileIsAnErrorWithTheReason() {
        // The fake lists the file but has no content for it: reading fails.
        let error = #expect(throws: ConfigError.self) {
            try ConfigurationLoader(fileSystem: FakeFileSystem(["/etc/locked.json": .regularFile])).load(path: "/etc/locked.json")
        }
        #expect(error?.description.hasPrefix("/etc/locked.json: cannot be read: No such file or directory") == true)
        #expect(error?.hint == ConfigError.exampleHint)
    }

    @Test func aFolderInPlaceOfTheFileIsAnError() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigurationLoader(fileSystem: FakeFileSystem(["/etc": .directory])).load(path: "/etc")
        }
        #expect(error?.description.contains("folder") == true)
    }

    @Test func invalidJSONIsReportedWithLineAndColumn() {
        let message = loadError("{\n  \"configs\": [\n    {\"name\": \"A\",}\n  ]\n}")
        expect(message, names: "not valid JSON", "line 3, column 18")
    }

    @Test func aKeyGivenTwiceIsAnErrorNamingTheKeyAndWhereItStands() {
        let message = loadError("{\"configs\": [\n  {\"name\": \"A\", \"work\": [\"/w\"], \"backup\": [\"/b\"],\n   \"backup\": [\"/c\"]}\n]}")
        expect(message, names: "\"backup\"", "twice", "line 3, column 4")
    }

    @Test func aFileWithoutATopLevelConfigsListIsAnError() {
        expect(loadError("{}"), names: "no top-level \"configs\" list")
        expect(loadError("[]"), names: "\"configs\"", "not a list")
        expect(loadError(#"{"configs": {}}"#), names: "\"configs\" must be a list", "not an object")
    }

    @Test func aConfigThatIsNotAnObjectIsAnError() {
        let message = loadError(#"{"configs": [{"name": "A", "work": ["/w"], "backup": ["/b"]}, "B"]}"#)
        expect(message, names: "config at position 2", "must be an object", "not a string")
    }

    @Test func aMissingNameIsAnErrorNamingThePosition() {
        expect(loadError(second(#""work": ["/w"], "backup": ["/b"]"#)), names: "config at position 2", "\"name\" is missing")
    }

    @Test func anEmptyNameIsAnError() {
        expect(loadError(second(#""name": "", "work": ["/w"], "backup": ["/b"]"#)),
               names: "config at position 2", "\"name\" must be a non-empty string", "empty")
    }

    @Test func aNameThatIsNotAStringIsAnError() {
        expect(loadError(second(#""name": 7, "work": ["/w"], "backup": ["/b"]"#)),
               names: "config at position 2", "\"name\" must be a non-empty string", "a number")
    }

    @Test func twoConfigsWithTheSameNameAreAnError() {
        expect(loadError(second(#""name": "First", "work": ["/w2"], "backup": ["/b2"]"#)),
               names: "\"First\"", "two configs")
    }

    @Test func aMissingWorkOrBackupListIsAnError() {
        expect(loadError(second(#""name": "Docs", "backup": ["/b"]"#)), names: "config \"Docs\"", "\"work\" is missing")
        expect(loadError(second(#""name": "Docs", "work": ["/w"]"#)), names: "config \"Docs\"", "\"backup\" is missing")
    }

    @Test func anEmptyWorkOrBackupListIsAnError() {
        expect(loadError(second(#""name": "Docs", "work": [], "backup": ["/b"]"#)),
               names: "config \"Docs\"", "\"work\" must be a non-empty list", "an empty list")
        expect(loadError(second(#""name": "Docs", "work": ["/w"], "backup": []"#)),
               names: "config \"Docs\"", "\"backup\" must be a non-empty list")
    }

    @Test func aWorkOrBackupThatIsNotAListOfNonEmptyStringsIsAnError() {
        expect(loadError(second(#""name": "Docs", "work": "/w", "backup": ["/b"]"#)),
               names: "config \"Docs\"", "\"work\"", "not a string")
        expect(loadError(second(#""name": "Docs", "work": ["/w"], "backup": ["/b", 3]"#)),
               names: "config \"Docs\"", "\"backup\" must list non-empty strings", "a number")
        expect(loadError(second(#""name": "Docs", "work": [""], "backup": ["/b"]"#)),
               names: "config \"Docs\"", "\"work\" must list non-empty strings", "an empty string")
    }

    @Test func anUnknownKeyAtTheTopLevelIsAnError() {
        expect(loadError(#"{"configs": [], "config": []}"#), names: "unknown key \"config\"", "top level")
    }

    @Test func anUnknownKeyInAConfigIsAnErrorSoATypoDropsNoBackup() {
        expect(loadError(second(#""name": "Docs", "work": ["/w"], "backup": ["/b"], "bakup": ["/c"]"#)),
               names: "config \"Docs\"", "unknown key \"bakup\"")
        expect(loadError(second(#""work": ["/w"], "backup": ["/b"], "nmae": "Docs""#)),
               names: "config at position 2", "unknown key \"nmae\"")
    }

    @Test func theSameFolderTwiceInOneConfigIsAnErrorNamingBoth() {
        expect(loadError(second(#""name": "Docs", "work": ["/data/docs"], "backup": ["/data//docs/"]"#)),
               names: "config \"Docs\"", "WORK \"/data/docs\"", "BACKUP \"/data//docs/\"", "same folder")
        expect(loadError(second(#""name": "Docs", "work": ["/w", "/w/."], "backup": ["/b"]"#)),
               names: "config \"Docs\"", "\"/w\"", "\"/w/.\"", "same folder")
    }

    @Test func aWorkInsideAWorkIsAnError() {
        expect(loadError(second(#""name": "Docs", "work": ["/w", "/w/sub"], "backup": ["/b"]"#)),
               names: "config \"Docs\"", "WORK \"/w/sub\" lies inside WORK \"/w\"")
    }

    @Test func aBackupInsideABackupIsAnError() {
        expect(loadError(second(#""name": "Docs", "work": ["/w"], "backup": ["/b/x/y", "/b/x"]"#)),
               names: "config \"Docs\"", "BACKUP \"/b/x/y\" lies inside BACKUP \"/b/x\"")
    }

    @Test func aBackupInsideAWorkOrAWorkInsideABackupIsAnError() {
        expect(loadError(second(#""name": "Docs", "work": ["/data"], "backup": ["/data/backup"]"#)),
               names: "config \"Docs\"", "BACKUP \"/data/backup\" lies inside WORK \"/data\"")
        expect(loadError(second(#""name": "Docs", "work": ["/b/work"], "backup": ["/b"]"#)),
               names: "config \"Docs\"", "WORK \"/b/work\" lies inside BACKUP \"/b\"")
    }

    @Test func nestingIsDecidedOnWholeComponents() throws {
        var fileSystem = FakeFileSystem()
        fileSystem.addFile(Self.file, #"{"configs": [{"name": "A", "work": ["/a/b"], "backup": ["/a/bc", "/a/b-c"]}]}"#)
        let configuration = try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        #expect(configuration.configs[0].locations.map(\.path) == ["/a/b", "/a/bc", "/a/b-c"])
    }

    @Test func differentConfigsMayShareLocations() throws {
        var fileSystem = FakeFileSystem()
        fileSystem.addFile(Self.file, """
            {"configs": [{"name": "A", "work": ["/w"], "backup": ["/b"]},
                         {"name": "B", "work": ["/w"], "backup": ["/w2", "/b/sub"]}]}
            """)
        let configuration = try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        #expect(configuration.configs.map(\.name) == ["A", "B"])
        #expect(configuration.configs[1].backup.map(\.path) == ["/w2", "/b/sub"])
    }
}
