import Foundation
import Testing
@testable import MicsyncKit

/// `micsync --init`: asks for a config and adds it to the configuration file, keeping the
/// configs already there byte for byte, checking the result as loading does, writing atomically.
@Suite("Init: creating and extending the configuration file")
struct ConfigInitializerTests {
    static let file = "/home/user/micsync.json"

    /// An in-memory disc that records what is written (atomically or not at all).
    final class WritableFileSystem: FileSystem, @unchecked Sendable {
        private let lock = NSLock()
        private var state: FakeFileSystem
        private(set) var writes: [String] = []
        var failsWrites = false

        init(_ state: FakeFileSystem = FakeFileSystem()) { self.state = state }

        func kind(of path: String) -> FileKind { lock.withLock { state.kind(of: path) } }
        func isDirectory(_ path: String) -> Bool { lock.withLock { state.isDirectory(path) } }
        func realPath(_ path: String) -> String? { lock.withLock { state.realPath(path) } }
        func modificationTime(of path: String) -> Double? { nil }
        func device(of path: String) -> UInt64? { nil }
        func stamp(of path: String) -> FileStamp? { lock.withLock { state.stamp(of: path) } }
        func stamps(of paths: [String]) -> [FileStamp?] { paths.map { stamp(of: $0) } }
        func on(_ location: Location) -> FileSystem { self }
        func unreachableReason(_ location: Location) -> String? { nil }
        func freeSpace(at path: String) -> Int64? { nil }
        func copyModificationTime(from source: String, to path: String) -> Bool { false }
        func createFile(_ path: String, contents: [UInt8]) throws(FileError) { throw FileError(path: path, reason: "not used here") }
        func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) { throw FileError(path: path, reason: "not used here") }
        func itemCount(under path: String) -> Int? { nil }
        func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) { throw FileError(path: path, reason: "not used here") }
        func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) { throw FileError(path: relative, reason: "not used here") }
        func isEmptyDirectory(_ path: String) -> Bool { lock.withLock { state.isEmptyDirectory(path) } }
        func currentDirectory() -> String { state.cwd }
        func homeDirectory() -> String { state.home }
        func readFile(_ path: String) throws(FileError) -> [UInt8] {
            let content = lock.withLock { state.files[path] }
            guard let content else { throw FileError(path: path, reason: "No such file or directory") }
            return content
        }

        func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) {
            if failsWrites { throw FileError(path: path, reason: "No space left on device") }
            lock.withLock {
                writes.append(path)
                state.addFile(path, String(decoding: contents, as: UTF8.self))
            }
        }

        func text(_ path: String) -> String? { lock.withLock { state.files[path].map { String(decoding: $0, as: UTF8.self) } } }
    }

    /// A disc holding `text` at `file`, or only its folder when nil.
    func disc(_ text: String?) -> WritableFileSystem {
        var state = FakeFileSystem()
        if let text { state.addFile(Self.file, text) } else { state.kinds["/home/user"] = .directory; state.kinds["/home"] = .directory }
        return WritableFileSystem(state)
    }

    func initializer(_ fileSystem: FileSystem, _ answers: [String?]) -> (ConfigInitializer, ScriptedPrompter, RecordingConsole) {
        let prompter = ScriptedPrompter(answers)
        let console = RecordingConsole()
        return (ConfigInitializer(fileSystem: fileSystem, prompter: prompter, console: console), prompter, console)
    }

    @Test func aMissingFileIsCreatedAndLoads() throws {
        let fileSystem = disc(nil)
        let (initializer, prompter, console) = initializer(fileSystem, ["Documents", "~/docs", "", "/mnt/usb1/docs", "./nas", ""])
        let config = try initializer.run(path: Self.file)
        #expect(fileSystem.text(Self.file) == """
            {
              "configs": [
                { "name": "Documents", "work": ["~/docs"], "backup": ["/mnt/usb1/docs", "./nas"] }
              ]
            }

            """)
        #expect(prompter.prompts == ["Config name: ", "WORK folder (empty line to finish): ", "WORK folder (empty line to finish): ",
                                     "BACKUP folder (empty line to finish): ", "BACKUP folder (empty line to finish): ",
                                     "BACKUP folder (empty line to finish): "])
        #expect(console.output == "Wrote config \"Documents\" to \(Self.file)\n")
        let loaded = try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        #expect(loaded.configs.map(\.name) == ["Documents"])
        #expect(loaded.configs[0].work.map(\.path) == ["/home/user/docs"])
        #expect(loaded.configs[0].backup.map(\.path) == ["/mnt/usb1/docs", "/home/user/nas"], "relative to the file's folder")
        #expect(loaded.configs[0].backup.map(\.written) == ["/mnt/usb1/docs", "./nas"], "stored as typed")
        #expect(config == loaded.configs[0])
    }

    @Test func extendingKeepsEveryExistingByte() throws {
        let existing = """
            {
                "configs" : [
                    {
                        "backup": ["/b1"], "name": "Caf\\u00e9", "work": ["/w1"],
                        "keep": true, "exclude": ["*.tmp"]
                    },
                    { "name": "Photos", "work": ["~/photos"], "backup": ["./archive/photos"], "require_marker": true }
                ]
            }

            """
        let fileSystem = disc(existing)
        let (initializer, _, _) = initializer(fileSystem, ["Music", "/w2", "", "/b2", ""])
        try initializer.run(path: Self.file)
        let written = try #require(fileSystem.text(Self.file))
        let anchor = #""require_marker": true }"#
        let cut = try #require(existing.range(of: anchor)).upperBound
        #expect(written == String(existing[..<cut])
                + ",\n        { \"name\": \"Music\", \"work\": [\"/w2\"], \"backup\": [\"/b2\"] }"
                + String(existing[cut...]))
        let loaded = try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        #expect(loaded.configs.map(\.name) == ["Café", "Photos", "Music"])
        #expect(loaded.configs[0].keep && loaded.configs[0].exclude == ["*.tmp"] && loaded.configs[1].requireMarker)
    }

    @Test("the new config follows the layout of the list", arguments: [
        (#"{"configs":[{"name":"A","work":["/a"],"backup":["/b"]}]}"#,
         #"{"configs":[{"name":"A","work":["/a"],"backup":["/b"]},{ "name": "N", "work": ["/w"], "backup": ["/x"] }]}"#),
        (#"{"configs": [ {"name":"A","work":["/a"],"backup":["/b"]} ] }"#,
         #"{"configs": [ {"name":"A","work":["/a"],"backup":["/b"]}, { "name": "N", "work": ["/w"], "backup": ["/x"] } ] }"#),
        (#"{"configs":[]}"#,
         #"{"configs":[{ "name": "N", "work": ["/w"], "backup": ["/x"] }]}"#),
        ("{\n  \"configs\": [\n  ]\n}\n",
         "{\n  \"configs\": [\n    { \"name\": \"N\", \"work\": [\"/w\"], \"backup\": [\"/x\"] }\n  ]\n}\n"),
        ("{\r\n  \"configs\": [\r\n    {\"name\":\"A\",\"work\":[\"/a\"],\"backup\":[\"/b\"]}\r\n  ]\r\n}\r\n",
         "{\r\n  \"configs\": [\r\n    {\"name\":\"A\",\"work\":[\"/a\"],\"backup\":[\"/b\"]},\r\n    { \"name\": \"N\", \"work\": [\"/w\"], \"backup\": [\"/x\"] }\r\n  ]\r\n}\r\n"),
        ("\u{FEFF}{\"\\u0063onfigs\": [{\"name\": \"A,]}\\\"\", \"work\": [\"/a\"], \"backup\": [\"/b\"]}]}",
         "\u{FEFF}{\"\\u0063onfigs\": [{\"name\": \"A,]}\\\"\", \"work\": [\"/a\"], \"backup\": [\"/b\"]},{ \"name\": \"N\", \"work\": [\"/w\"], \"backup\": [\"/x\"] }]}"),
    ])
    func layout(existing: String, expected: String) throws {
        let fileSystem = disc(existing)
        let (initializer, _, _) = initializer(fileSystem, ["N", "/w", "", "/x", ""])
        try initializer.run(path: Self.file)
        #expect(fileSystem.text(Self.file) == expected)
        #expect(try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file).configs.last?.name == "N")
    }

    @Test func aDuplicateNameIsAnErrorAtOnceAndNothingIsWritten() {
        let existing = #"{"configs": [{"name": "Docs", "work": ["/w"], "backup": ["/b"]}]}"#
        let fileSystem = disc(existing)
        let (initializer, prompter, _) = initializer(fileSystem, [" Docs ", "/w2", "", "/b2", ""])
        let error = #expect(throws: ConfigError.self) { try initializer.run(path: Self.file) }
        #expect(error?.file == Self.file)
        #expect(error?.message.contains("\"Docs\" already exists") == true, "\(String(describing: error))")
        #expect(prompter.askedCount == 1, "no folder is asked for a name already taken")
        #expect(fileSystem.writes.isEmpty)
        #expect(fileSystem.text(Self.file) == existing)
    }

    @Test("overlapping folders are the loader's error, and nothing is written", arguments: [
        ["N", "/data", "", "/data/backup", ""],
        ["N", "/w", "/w/", "", "/b", ""],
        ["N", "/w", "", "/b", "/b/inner", ""],
        ["N", "/w", "", "/w", ""],
    ])
    func overlap(answers: [String]) {
        let fileSystem = disc(nil)
        let (initializer, _, console) = initializer(fileSystem, answers)
        let error = #expect(throws: ConfigError.self) { try initializer.run(path: Self.file) }
        #expect(error?.message.contains("config \"N\"") == true, "\(String(describing: error))")
        #expect(error?.message.contains("nothing was written") == true)
        #expect(fileSystem.writes.isEmpty)
        #expect(fileSystem.kind(of: Self.file) == .missing)
        #expect(!console.output.contains("Wrote"))
    }

    @Test("end of input at any question: cancelled, nothing written", arguments: [
        ([String](), "Config name"),
        (["Docs"], "WORK folder"),
        (["Docs", "/w"], "WORK folder"),
        (["Docs", "/w", ""], "BACKUP folder"),
        (["Docs", "/w", "", "/b"], "BACKUP folder"),
    ])
    func endOfInput(answers: [String], question: String) {
        for existing in [nil, #"{"configs": [{"name": "A", "work": ["/a"], "backup": ["/b1"]}]}"#] {
            let fileSystem = disc(existing)
            let (initializer, _, _) = initializer(fileSystem, answers)
            let error = #expect(throws: CancelledError.self) { try initializer.run(path: Self.file) }
            #expect(error == CancelledError(question: question, endOfInput: true))
            #expect(fileSystem.writes.isEmpty)
            #expect(fileSystem.text(Self.file) == existing)
        }
    }

    @Test func anEmptyNameOrAnEmptyFirstFolderIsAskedAgain() throws {
        let fileSystem = disc(nil)
        let (initializer, prompter, console) = initializer(fileSystem, ["", "  ", "Docs", "", "/w", "", " ", "/b", ""])
        try initializer.run(path: Self.file)
        #expect(prompter.askedCount == 9)
        #expect(console.output.contains("A config needs a name."))
        #expect(console.output.contains("A config needs at least one WORK folder."))
        #expect(console.output.contains("A config needs at least one BACKUP folder."))
        #expect(fileSystem.text(Self.file)?.contains(#"{ "name": "Docs", "work": ["/w"], "backup": ["/b"] }"#) == true)
    }

    @Test func namesAndPathsAreEscapedAsJSON() throws {
        let fileSystem = disc(nil)
        let (initializer, _, _) = initializer(fileSystem, [#"My "quoted" \ name"#, "/w\tx", "", #"./C:\b"#, ""])
        try initializer.run(path: Self.file)
        #expect(fileSystem.text(Self.file)?.contains(#"{ "name": "My \"quoted\" \\ name", "work": ["/w\tx"], "backup": ["./C:\\b"] }"#) == true)
        let loaded = try ConfigurationLoader(fileSystem: fileSystem).load(path: Self.file)
        #expect(loaded.configs[0].name == #"My "quoted" \ name"#)
        #expect(loaded.configs[0].work[0].written == "/w\tx")
        #expect(loaded.configs[0].backup[0].written == #"./C:\b"#)
    }

    @Test func anInvalidExistingFileIsReportedAndNothingIsAsked() {
        let existing = #"{"configs": [{"name": "A", "work": ["/a"], "bakup": ["/b"]}]}"#
        let fileSystem = disc(existing)
        let (initializer, prompter, _) = initializer(fileSystem, ["N", "/w", "", "/x", ""])
        let error = #expect(throws: ConfigError.self) { try initializer.run(path: Self.file) }
        #expect(error?.message.contains("unknown key \"bakup\"") == true)
        #expect(prompter.askedCount == 0)
        #expect(fileSystem.writes.isEmpty)
        #expect(fileSystem.text(Self.file) == existing)
    }

    @Test func aMissingFolderForANewFileIsReportedBeforeAsking() {
        let fileSystem = disc(nil)
        let (initializer, prompter, _) = initializer(fileSystem, ["N", "/w", "", "/x", ""])
        let error = #expect(throws: ConfigError.self) { try initializer.run(path: "/nowhere/micsync.json") }
        #expect(error?.message.contains("/nowhere does not exist") == true)
        #expect(prompter.askedCount == 0)
        #expect(fileSystem.writes.isEmpty)
    }

    @Test func aFailedWriteIsReported() {
        let fileSystem = disc(nil)
        fileSystem.failsWrites = true
        let (initializer, _, console) = initializer(fileSystem, ["N", "/w", "", "/x", ""])
        let error = #expect(throws: SyncError.self) { try initializer.run(path: Self.file) }
        #expect(error?.message.contains("No space left on device") == true)
        #expect(!console.output.contains("Wrote"))
    }

    // MARK: The real disc

    @Test func theAtomicWriteKeepsPermissionsFollowsALinkAndLeavesNoTemporaryFile() throws {
        try withTemporaryFolder { folder in
            let file = try folder.file("real/c.json", "old\n")
            chmod(file, 0o600)
            let link = try folder.link("c.json", to: "real/c.json")
            try LocalFileSystem().writeFileAtomically(link, contents: Array("new\n".utf8))
            #expect(LocalFileSystem().kind(of: link) == .symbolicLink, "the link stays a link")
            #expect(try LocalFileSystem().readFile(file) == Array("new\n".utf8))
            var info = stat()
            stat(file, &info)
            #expect(info.st_mode & 0o777 == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.at("real")) == ["c.json"])

            let fresh = folder.at("fresh.json")
            try LocalFileSystem().writeFileAtomically(fresh, contents: Array("x".utf8))
            #expect(try LocalFileSystem().readFile(fresh) == Array("x".utf8))
            stat(fresh, &info)
            #expect(info.st_mode & 0o777 & ~0o644 == 0, "a new file: 0644 less the umask")

            #expect(throws: FileError.self) { try LocalFileSystem().writeFileAtomically(folder.at("none/x.json"), contents: []) }
        }
    }
}
