import Testing
@testable import MicsyncKit

/// The answers for one destination, from the preview's counts, the options and the limits.
@Suite("Change decisions")
struct ChangeDecisionTests {
    func options(unattended: Bool = false, m: Bool = false, deletion: DeletionMode = .never,
                 maxDelete: String? = nil, maxOverwrite: String? = nil) -> SyncOptions {
        var options = SyncOptions(overwriteWithoutAsking: m, deletion: deletion)
        options.unattended = unattended
        options.maxDelete = maxDelete.flatMap(ChangeLimit.init(parsing:))
        options.maxOverwrite = maxOverwrite.flatMap(ChangeLimit.init(parsing:))
        return options
    }

    @Test func limitsParseAsCountsOrPercentages() {
        #expect(ChangeLimit(parsing: "0") == .count(0))
        #expect(ChangeLimit(parsing: "250") == .count(250))
        #expect(ChangeLimit(parsing: "10%") == .percent(10))
        #expect(ChangeLimit(parsing: "100%") == .percent(100))
        for bad in ["", "%", "-1", "101%", "1.5", "ten", "10 %", "+3", "10%%", "9999999999"] {
            #expect(ChangeLimit(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func aLimitAllowsUpToItsValueAndNoMore() {
        #expect(ChangeLimit.count(3).allows(3, of: nil))
        #expect(!ChangeLimit.count(3).allows(4, of: nil))
        // 10% of 40 items is 4.
        #expect(ChangeLimit.percent(10).allows(4, of: 40))
        #expect(!ChangeLimit.percent(10).allows(5, of: 40))
        // 10% of 25 items is 2.5: two pass, three do not.
        #expect(ChangeLimit.percent(10).allows(2, of: 25))
        #expect(!ChangeLimit.percent(10).allows(3, of: 25))
        // Items that could not be counted prove no percentage.
        #expect(!ChangeLimit.percent(50).allows(1, of: nil))
        #expect(ChangeLimit.percent(50).allows(0, of: nil))
    }

    @Test func attendedRunsAskAsBeforeUnlessMOrD() {
        let asked = ChangeDecision.decide(modified: 2, deletions: 3, items: nil, options: options(deletion: .ask), policy: ChangePolicy())
        #expect(asked == ChangeDecision(overwrite: .ask, delete: .ask))
        #expect(!asked.leftSomething)
        let told = ChangeDecision.decide(modified: 2, deletions: 3, items: nil, options: options(m: true, deletion: .withoutAsking), policy: ChangePolicy())
        #expect(told == ChangeDecision(overwrite: .accepted, delete: .accepted))
        let nothing = ChangeDecision.decide(modified: 0, deletions: 0, items: nil, options: options(), policy: ChangePolicy())
        #expect(nothing == ChangeDecision(overwrite: .none, delete: .none))
        // No default limit when someone is there: a thousand changes are asked about.
        #expect(ChangeDecision.decide(modified: 1000, deletions: 0, items: 1000, options: options(), policy: ChangePolicy()).overwrite == .ask)
    }

    @Test func unattendedRunsLeaveWhatNobodyAllowed() {
        let left = ChangeDecision.decide(modified: 1, deletions: 1, items: 100, options: options(unattended: true, deletion: .ask), policy: ChangePolicy())
        #expect(left == ChangeDecision(overwrite: .leftUnattended, delete: .leftUnattended))
        #expect(left.leftSomething)
        let flags = ChangeDecision.decide(modified: 1, deletions: 1, items: 100, options: options(unattended: true, m: true, deletion: .withoutAsking), policy: ChangePolicy())
        #expect(flags == ChangeDecision(overwrite: .accepted, delete: .accepted))
        let keys = ChangePolicy(unattendedOverwrite: true, unattendedDelete: true)
        #expect(ChangeDecision.decide(modified: 1, deletions: 1, items: 100, options: options(unattended: true, deletion: .ask), policy: keys)
            == ChangeDecision(overwrite: .accepted, delete: .accepted))
        // The config's keys speak for unattended runs only.
        #expect(ChangeDecision.decide(modified: 1, deletions: 1, items: 100, options: options(deletion: .ask), policy: keys)
            == ChangeDecision(overwrite: .ask, delete: .ask))
    }

    @Test func unattendedRunsGetTheDefaultLimit() {
        let all = options(unattended: true, m: true, deletion: .withoutAsking)
        #expect(ChangeDecision.decide(modified: 10, deletions: 10, items: 100, options: all, policy: ChangePolicy())
            == ChangeDecision(overwrite: .accepted, delete: .accepted))
        #expect(ChangeDecision.decide(modified: 11, deletions: 11, items: 100, options: all, policy: ChangePolicy())
            == ChangeDecision(overwrite: .overLimit(.percent(10)), delete: .overLimit(.percent(10))))
        #expect(ChangeDecision.needsItemCount(modified: 1, deletions: 0, options: all, policy: ChangePolicy()))
        #expect(!ChangeDecision.needsItemCount(modified: 0, deletions: 0, options: all, policy: ChangePolicy()))
    }

    @Test func theCommandLineWinsOverTheConfigWhichWinsOverTheDefault() {
        let policy = ChangePolicy(maxDelete: .count(5), maxOverwrite: .percent(50))
        let unattended = options(unattended: true, m: true, deletion: .withoutAsking)
        #expect(ChangeDecision.decide(modified: 50, deletions: 5, items: 100, options: unattended, policy: policy)
            == ChangeDecision(overwrite: .accepted, delete: .accepted))
        #expect(ChangeDecision.decide(modified: 51, deletions: 6, items: 100, options: unattended, policy: policy)
            == ChangeDecision(overwrite: .overLimit(.percent(50)), delete: .overLimit(.count(5))))
        let tighter = options(unattended: true, m: true, deletion: .withoutAsking, maxDelete: "1", maxOverwrite: "1")
        #expect(ChangeDecision.decide(modified: 2, deletions: 2, items: 100, options: tighter, policy: policy)
            == ChangeDecision(overwrite: .overLimit(.count(1)), delete: .overLimit(.count(1))))
        #expect(!ChangeDecision.needsItemCount(modified: 2, deletions: 2, options: tighter, policy: policy))
    }

    @Test func anExplicitLimitAppliesToAttendedRunsTooWithoutAQuestion() {
        let decision = ChangeDecision.decide(modified: 3, deletions: 3, items: nil, options: options(deletion: .ask, maxDelete: "2", maxOverwrite: "2"), policy: ChangePolicy())
        #expect(decision == ChangeDecision(overwrite: .overLimit(.count(2)), delete: .overLimit(.count(2))))
        #expect(decision.leftSomething)
    }

    @Test func whatAFolderReplacedByAFileHoldsCountsAsDeletions() {
        var options = SyncOptions(overwriteWithoutAsking: true)
        options.unattended = true
        // Unattended -m without -D: replacing a folder would delete what it holds, so it is left.
        #expect(ChangeDecision.decide(modified: 1, deletions: 0, items: 300, options: options, policy: ChangePolicy(), removedInside: 200).overwrite
            == .replacesFolders(nil))
        // With -D (or the config's unattended_delete) the delete limit counts those items.
        options.deletion = .withoutAsking
        options.maxOverwrite = .count(1000)
        #expect(ChangeDecision.decide(modified: 1, deletions: 0, items: 300, options: options, policy: ChangePolicy(), removedInside: 200).overwrite
            == .replacesFolders(.percent(10)))
        options.maxDelete = .count(500)
        #expect(ChangeDecision.decide(modified: 1, deletions: 0, items: 300, options: options, policy: ChangePolicy(), removedInside: 200).overwrite
            == .accepted)
        // The overwrite limit counts them too.
        var attended = SyncOptions(overwriteWithoutAsking: true)
        attended.maxOverwrite = .count(1)
        #expect(ChangeDecision.decide(modified: 1, deletions: 0, items: nil, options: attended, policy: ChangePolicy(), removedInside: 200).overwrite
            == .overLimit(.count(1)))
        // An attended run with no limit asks, as before (the listing shows what the folder holds).
        #expect(ChangeDecision.decide(modified: 1, deletions: 0, items: nil, options: SyncOptions(), policy: ChangePolicy(), removedInside: 200).overwrite
            == .ask)
    }
}
