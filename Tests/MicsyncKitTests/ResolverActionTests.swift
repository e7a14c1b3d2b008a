import Testing
@testable import MicsyncKit

/// Source and destinations per action: the selection, the choice of config, the actions (README: "Usage").
@Suite("Resolver: configs, sources and destinations")
struct ResolverActionTests {
    /// Two WORKs, three BACKUPs of which `b3` is not plugged in; every location holds `a`.
    let docs = [("Docs", ["w1", "w2"], ["b1", "b2", "b3"])]
    let tree = ["w1/a", "w2/a", "b1/a", "b2/a"]

    func run(_ request: (TemporaryFolder) -> Request, answers: [String?] = [],
             _ check: (ResolverFixture, Resolver.Resolution, ScriptedPrompter) throws -> Void) throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, docs, existing: tree)
            let (resolution, prompter) = try fixture.resolve(request(temporary), answers: answers)
            try check(fixture, resolution, prompter)
        }
    }

    func usageError(_ request: (TemporaryFolder) -> Request, configs: [(String, [String], [String])]? = nil,
                    existing: [String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> (String, TemporaryFolder) {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, configs ?? docs, existing: existing ?? tree)
            let error = #expect(throws: UsageError.self, sourceLocation: sourceLocation) { try fixture.resolve(request(temporary)) }
            return (error?.message ?? "", temporary)
        }
    }

    @Test func backupCopiesFromTheOriginWorkToEveryAccessibleBackupSkippingTheRestWithANotice() throws {
        try run({ Request(action: .backup, paths: [$0.at("w1/a")]) }) { fixture, resolution, prompter in
            #expect(resolution.transfers.map(\.source) == [fixture.location("w1"), fixture.location("w1")])
            #expect(resolution.transfers.map(\.destination) == [fixture.location("b1"), fixture.location("b2")])
            #expect(prompter.askedCount == 0)
            #expect(fixture.console.errors == "micsync: skipping BACKUP \(fixture.temporary.at("b3")): not accessible (missing, not a folder, or its drive is not plugged in)\n")
        }
    }

    @Test func backupFromABackupPathAsksWhichWorkToCopyFrom() throws {
        try run({ Request(action: .backup, paths: [$0.at("b2/a")]) }, answers: ["1"]) { fixture, resolution, prompter in
            #expect(prompter.askedCount == 1)
            #expect(fixture.console.output.contains("[1] " + fixture.temporary.at("w2")))
            #expect(resolution.transfers.map(\.source) == [fixture.location("w2"), fixture.location("w2")])
            #expect(resolution.transfers.map(\.destination) == [fixture.location("b1"), fixture.location("b2")])
        }
    }

    @Test func toNarrowsTheBackupsOfABackup() throws {
        try run({ Request(action: .backup, paths: [$0.at("w1/a")], to: [$0.at("b2") + "/"]) }) { fixture, resolution, _ in
            #expect(resolution.transfers.map(\.destination) == [fixture.location("b2")])
        }
    }

    @Test func fromOverridesTheOrigin() throws {
        try run({ Request(action: .backup, paths: [$0.at("w1/a")], from: $0.at("w2")) }) { fixture, resolution, _ in
            #expect(resolution.transfers.first?.source == fixture.location("w2"))
        }
    }

    @Test func workCopiesFromTheOriginBackupIntoTheWorkChosen() throws {
        try run({ Request(action: .work, paths: [$0.at("b2/a")]) }, answers: ["0"]) { fixture, resolution, prompter in
            #expect(resolution.transfers.count == 1)
            #expect(resolution.transfers.first?.source == fixture.location("b2"))
            #expect(resolution.transfers.first?.destination == fixture.location("w1"))
            #expect(prompter.askedCount == 1)
        }
    }

    @Test func workIntoTheOriginWorkAsksWhichBackupToCopyFromListingOnlyAccessibleOnes() throws {
        try run({ Request(action: .work, paths: [$0.at("w2/a")]) }, answers: ["1"]) { fixture, resolution, _ in
            #expect(resolution.transfers.first?.source == fixture.location("b2"))
            #expect(resolution.transfers.first?.destination == fixture.location("w2"))
            #expect(!fixture.console.output.contains(fixture.temporary.at("b3")))
            #expect(fixture.console.errors.contains("skipping BACKUP " + fixture.temporary.at("b3")))
        }
    }

    @Test func transferFromTheOriginBackupChoosesSeveralOtherBackups() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, [("Docs", ["w"], ["b1", "b2", "b3"])], existing: ["w/", "b1/a", "b2/", "b3/"])
            let (resolution, _) = try fixture.resolve(Request(action: .transfer, paths: [temporary.at("b1/a")]), answers: ["a"])
            #expect(resolution.transfers.map(\.source) == [fixture.location("b1"), fixture.location("b1")])
            #expect(resolution.transfers.map(\.destination) == [fixture.location("b2"), fixture.location("b3")])
        }
    }

    @Test func transferNeedsTwoAccessibleBackups() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, [("Docs", ["w"], ["b1", "b2"])], existing: ["w/a", "b1/a"])
            let error = #expect(throws: SyncError.self) { try fixture.resolve(Request(action: .transfer, paths: [temporary.at("b1/a")])) }
            #expect(error?.message.contains("at least two accessible BACKUP") == true)
        }
    }

    @Test func noAccessibleDestinationIsASyncError() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, [("Docs", ["w"], ["b1", "b2"])], existing: ["w/a"])
            #expect(throws: SyncError.self) { try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/a")])) }
        }
    }

    @Test func fromMustNameALocationOfTheSourceRole() throws {
        let (message, temporary) = try usageError { Request(action: .backup, paths: [$0.at("w1/a")], from: $0.at("b1")) }
        #expect(message.contains("--from"))
        #expect(message.contains(temporary.at("w1")) && message.contains(temporary.at("w2")))
    }

    @Test func toMustNameALocationOfTheDestinationRole() throws {
        let (message, temporary) = try usageError { Request(action: .backup, paths: [$0.at("w1/a")], to: [$0.at("w2")]) }
        #expect(message.contains("--to"))
        #expect(message.contains(temporary.at("b1")) && message.contains(temporary.at("b3")))
    }

    @Test func toEqualToTheSourceIsAUsageError() throws {
        let (message, _) = try usageError { Request(action: .transfer, paths: [$0.at("b1/a")], to: [$0.at("b1")]) }
        #expect(message.contains("source"))
    }

    @Test func aSecondToWithWorkIsAUsageError() throws {
        let (message, _) = try usageError { Request(action: .work, paths: [$0.at("b1/a")], to: [$0.at("w1"), $0.at("w2")]) }
        #expect(message.contains("--to"))
        #expect(message.contains("once"))
    }

    // MARK: Which config

    let shared = [("Docs", ["w"], ["b1"]), ("Mirror", ["w"], ["b2"]), ("Other", ["o"], ["ob"])]

    @Test func severalConfigsHoldingThePathsAreAChoice() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, shared, existing: ["w/a", "b1/", "b2/"])
            let (resolution, prompter) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/a")]), answers: ["1"])
            #expect(prompter.askedCount == 1)
            #expect(fixture.console.output.contains("[0] Docs"))
            #expect(fixture.console.output.contains("[1] Mirror"))
            #expect(!fixture.console.output.contains("Other"))
            #expect(resolution.transfers.map(\.configName) == ["Mirror"])
            #expect(resolution.transfers.map(\.destination) == [fixture.location("b2")])
        }
    }

    @Test func configNamePicksTheConfigWithoutAsking() throws {
        try withTemporaryFolder { temporary in
            let fixture = try ResolverFixture(temporary, shared, existing: ["w/a", "b1/", "b2/"])
            let (resolution, prompter) = try fixture.resolve(Request(action: .backup, paths: [temporary.at("w/a")], configName: "Docs"))
            #expect(prompter.askedCount == 0)
            #expect(resolution.transfers.map(\.configName) == ["Docs"])
        }
    }

    @Test func anUnknownConfigNameIsAUsageErrorListingTheConfigsThatApply() throws {
        let (message, _) = try usageError({ Request(action: .backup, paths: [$0.at("w/a")], configName: "Nope") },
                                         configs: shared, existing: ["w/a", "o/"])
        #expect(message.contains("Nope"))
        #expect(message.contains("Docs") && message.contains("Mirror"))
        #expect(!message.contains("Other"))
    }

    @Test func aConfigNameWhoseConfigDoesNotHoldThePathsIsAUsageErrorEvenWhenOneApplies() throws {
        let configs = [("Docs", ["w"], ["b1"]), ("Other", ["o"], ["ob"])]
        let (message, _) = try usageError({ Request(action: .backup, paths: [$0.at("w/a")], configName: "Other") },
                                         configs: configs, existing: ["w/a", "o/"])
        #expect(message.contains("Other"))
        #expect(message.contains("Docs"))
    }
}
