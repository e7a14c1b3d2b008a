import Testing
@testable import MicsyncKit

/// A tree on disc with its configuration, and a resolver over it with scripted answers.
struct ResolverFixture {
    let temporary: TemporaryFolder
    let configuration: Configuration
    let console = RecordingConsole()

    /// `configs`: name → (WORK folders, BACKUP folders), relative to the temporary folder.
    init(_ temporary: TemporaryFolder, _ configs: [(String, [String], [String])], existing: [String] = []) throws {
        self.temporary = temporary
        for path in existing { if path.hasSuffix("/") { try temporary.folder(path) } else { try temporary.file(path) } }
        configuration = Configuration(file: temporary.at("micsync.json"), configs: configs.map { name, work, backup in
            Config(name: name, work: work.map { Location(role: .work, path: temporary.at($0)) },
                   backup: backup.map { Location(role: .backup, path: temporary.at($0)) })
        })
    }

    func location(_ relative: String) -> Location {
        configuration.configs.flatMap(\.locations).first { $0.path == temporary.at(relative) }!
    }

    func resolve(_ request: Request, answers: [String?] = [], cwd: String? = nil) throws -> (Resolver.Resolution, ScriptedPrompter) {
        let prompter = ScriptedPrompter(answers)
        let resolver = Resolver(fileSystem: LocalFileSystemIn(cwd: cwd ?? temporary.path),
                                questions: Questions(prompter: prompter, console: console), console: console)
        return (try resolver.resolve(request, in: configuration), prompter)
    }
}

/// PATH arguments → config, origin and relative paths (README: "Usage").
@Suite("Resolver: PATHs")
struct ResolverPathTests {
    let docs = [("Docs", ["w"], ["b"])]

    @Test func aPathInsideALocationGivesItsRelativePathInEveryLocation() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/sub/a", "w/sub/b c", "b/"])
            let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/sub/a"), temporary.at("w/sub/b c")]))
            #expect(resolution.transfers == [TransferSpec(action: .backup, configName: "Docs", source: fixture.location("w"),
                                                          destination: fixture.location("b"), parent: "sub", names: ["a", "b c"])])
            #expect(!resolution.incomplete)
        }
    }

    @Test func aPathMustExist() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/", "b/"])
            let error = #expect(throws: PathError.self) { try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/nope")])) }
            #expect(error?.message == temporary.at("w/nope") + ": no such file or directory")
        }
    }

    @Test func allPathsMustHaveTheSameParentFolder() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/a", "w/sub/b", "b/"])
            let error = #expect(throws: UsageError.self) {
                try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/a"), temporary.at("w/sub/b")]))
            }
            #expect(error?.message.contains("same folder") == true)
            #expect(error?.message.contains(temporary.at("w/a")) == true)
            #expect(error?.message.contains(temporary.at("w/sub/b")) == true)
        }
    }

    @Test func relativePathsAreTakenFromTheCurrentFolder() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/sub/a", "w/sub/b", "b/"])
            let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: ["a", "./b/"]), cwd: temporary.at("w/sub"))
            #expect(resolution.transfers.first?.parent == "sub")
            #expect(resolution.transfers.first?.names == ["a", "b"])
        }
    }

    @Test func aPathEqualToTheLocationMeansTheWholeLocation() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/sub/", "b/"])
            for (path, cwd) in [(temporary.at("w"), temporary.path), (temporary.at("w") + "/", temporary.path), (".", temporary.at("w")),
                                ("..", temporary.at("w/sub"))] {
                let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: [path]), cwd: cwd)
                #expect(resolution.transfers.first?.isWholeLocation == true, "\(path)")
                #expect(resolution.transfers.first?.parent == "", "\(path)")
            }
        }
    }

    @Test func linksInThePathsFoldersAreResolved() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/sub/a", "b/"])
            try temporary.link("shortcut", to: temporary.at("w/sub"))
            let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("shortcut/a")]))
            #expect(resolution.transfers.first?.parent == "sub")
            #expect(resolution.transfers.first?.names == ["a"])
        }
    }

    @Test func aLinkInsideALocationMeansTheLinkItself() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/target/", "b/"])
            try temporary.link("w/alias", to: temporary.at("w/target"))
            let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/alias")]))
            #expect(resolution.transfers.first?.names == ["alias"])
        }
    }

    @Test func aLinkToAWholeLocationMeansThatLocation() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/a", "b/"])
            try temporary.link("docs", to: temporary.at("w"))
            let (resolution, _) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("docs")]))
            #expect(resolution.transfers.first?.isWholeLocation == true)
            #expect(resolution.transfers.first?.source == fixture.location("w"))
        }
    }

    @Test func aPathInNoLocationIsAnErrorNamingThePathAndTheFile() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/", "b/", "elsewhere/x"])
            let error = #expect(throws: UsageError.self) { try fixture.resolve(Request(action: .backup, paths: [temporary.at("elsewhere/x")])) }
            #expect(error?.message.contains(temporary.at("elsewhere/x")) == true)
            #expect(error?.message.contains(temporary.at("micsync.json")) == true)
        }
    }

    @Test func aPathMissingFromTheChosenSourceIsLeftOutAndTheRunIsIncomplete() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/a", "w/c", "b/c"])
            // --work copies BACKUP → WORK: the PATHs are in the WORK, the BACKUP lacks `a`.
            let (resolution, _) = try fixture.resolve(Request(action: .work, paths: [temporary.at("w/a"), temporary.at("w/c")]))
            #expect(resolution.incomplete)
            #expect(resolution.transfers.map(\.names) == [["c"]])
            #expect(fixture.console.errors.contains("a is not in the source " + temporary.at("b")))
        }
    }

    @Test func whenNoPathIsInTheSourceNothingIsCopied() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: ["w/a", "b/"])
            let (resolution, _) = try fixture.resolve(Request(action: .work, paths: [temporary.at("w/a")]))
            #expect(resolution.incomplete)
            #expect(resolution.transfers.isEmpty)
        }
    }
}
