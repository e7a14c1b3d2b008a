import Testing
@testable import MicsyncKit

/// What runs is exactly what was shown and accepted (README: "How it works, and what it promises").
@Suite("ApplyPlan")
struct ApplyPlanTests {
    static let source = Location(role: .work, path: "/src")
    static let destination = Location(role: .backup, path: "/dst")

    func spec(_ action: Action = .work, parent: String = "", names: [String] = []) -> TransferSpec {
        TransferSpec(action: action, configName: "Docs", source: Self.source, destination: Self.destination, parent: parent, names: names)
    }

    func change(_ kind: Change.Kind, _ path: String, folder: Bool = false, replaces: String? = nil) -> Change {
        Change(kind: kind, path: path, isDirectory: folder, itemize: folder ? "cd+++++++++" : ">f+++++++++", replaces: replaces)
    }

    /// New files and a folder update, one plain modification, and one change of type (a file
    /// replaced by a folder that holds a new file).
    var mixed: Preview {
        var preview = Preview()
        preview.new = [change(.new, "n"), change(.new, "t/a"), change(.new, "d/n2")]
        preview.modified = [change(.modified, "m"), change(.modified, "t", folder: true, replaces: "file")]
        preview.folderUpdates = [change(.folderUpdate, "d", folder: true)]
        return preview
    }

    @Test func aDeclinedOverwriteLeavesEveryModifiedPathOutOfTheRuns() {
        let plan = ApplyPlan.make(preview: mixed, spec: spec(), overwrite: false, delete: false)
        #expect(plan.replaceList.isEmpty)
        #expect(!plan.addList.contains("m"))
        #expect(!plan.addList.contains("t"))
        #expect(plan.refused == ["t"])
        #expect(plan.deletionList.isEmpty)
        #expect(!plan.bulk)
    }

    @Test func newItemsUnderADeclinedChangeOfTypeAreDropped() {
        let plan = ApplyPlan.make(preview: mixed, spec: spec(), overwrite: false, delete: false)
        #expect(plan.addList == ["n", "d/n2", "d", "."])
    }

    @Test func anAcceptedOverwriteListsTheModifiedItemsAndMayReplace() {
        let plan = ApplyPlan.make(preview: mixed, spec: spec(), overwrite: true, delete: false)
        // Only the accepted modifications may replace; everything else is added after them.
        #expect(plan.replaceList == ["m", "t"])
        #expect(plan.addList == ["n", "t/a", "d/n2", "d", ".", "t"])
        #expect(plan.refused.isEmpty)
    }

    @Test func aDeclinedChangeOfTypeIsKeptOutOfTheBulkRun() {
        var preview = mixed
        preview.new += (0...ApplyPlan.exactNewItemLimit).map { change(.new, "many/\($0)") }
        let plan = ApplyPlan.make(preview: preview, spec: spec(.backup), overwrite: false, delete: false)
        #expect(plan.bulk)
        #expect(plan.refused == ["t"])
        #expect(plan.addList.isEmpty)
    }

    @Test func anAcceptedChangeOfTypeIsNotRefusedInTheBulkRun() {
        var preview = mixed
        preview.new += (0...ApplyPlan.exactNewItemLimit).map { change(.new, "many/\($0)") }
        let plan = ApplyPlan.make(preview: preview, spec: spec(.backup), overwrite: true, delete: false)
        #expect(plan.bulk)
        #expect(plan.refused.isEmpty)
        #expect(plan.replaceList == ["m", "t"])
    }

    @Test func moreNewItemsThanTheLimitAreCopiedByOneBulkRun() {
        var preview = Preview()
        preview.new = (0...ApplyPlan.exactNewItemLimit).map { change(.new, "f\($0)") }
        let bulk = ApplyPlan.make(preview: preview, spec: spec(), overwrite: false, delete: false)
        #expect(bulk.bulk)
        #expect(bulk.addList.isEmpty)

        preview.new.removeLast()
        let listed = ApplyPlan.make(preview: preview, spec: spec(), overwrite: false, delete: false)
        #expect(!listed.bulk)
        #expect(listed.addList.count == ApplyPlan.exactNewItemLimit + 1)
        #expect(listed.addList.last == ".")
    }

    @Test func treeAlwaysUsesTheBulkRun() {
        var preview = Preview()
        preview.new = [change(.new, "a", folder: true)]
        preview.folderUpdates = [change(.folderUpdate, ".", folder: true)]
        let plan = ApplyPlan.make(preview: preview, spec: spec(.tree), overwrite: false, delete: false)
        #expect(plan.bulk)
        #expect(plan.addList.isEmpty)
    }

    @Test func treeKeepsRefusedFoldersOutOfTheBulkRun() {
        var preview = Preview()
        preview.new = [change(.new, "open", folder: true)]
        preview.refusedFolders = [change(.modified, "blocked", folder: true, replaces: "file")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(.tree), overwrite: true, delete: false)
        #expect(plan.bulk)
        #expect(plan.refused == ["blocked"])
    }

    @Test func deletionsListOnlyTheTopMostDeletedItems() {
        var preview = Preview()
        preview.deletions = [change(.deletion, "old", folder: true), change(.deletion, "old/x"),
                             change(.deletion, "old/sub", folder: true), change(.deletion, "old/sub/y"),
                             change(.deletion, "gone"), change(.deletion, "keep/z")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(), overwrite: false, delete: true)
        #expect(plan.deletionList == ["old", "gone", "keep/z"])
        // Deleting changes the times of the folders deleted from: they are set again.
        // Deleting changes only the times of the folders deleted from: they are set again
        // directly, without another rsync run.
        #expect(plan.folderTimes == [".", "keep"])
        #expect(plan.addList.isEmpty)
        #expect(plan.replaceList.isEmpty)
    }

    @Test func aDeclinedDeletionDeletesNothing() {
        var preview = Preview()
        preview.deletions = [change(.deletion, "old", folder: true), change(.deletion, "gone")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(), overwrite: true, delete: false)
        #expect(plan.deletionList.isEmpty)
        #expect(plan.addList.isEmpty)
        #expect(plan.isEmpty)
    }

    @Test func parentsAreAddedOnlyInsideTheCopiedItems() {
        var preview = Preview()
        preview.new = [change(.new, "p/d", folder: true), change(.new, "p/d/a"), change(.new, "p/e")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(parent: "p", names: ["d", "e"]), overwrite: false, delete: false)
        // "p" holds the PATHs but is not one of them: its attributes are left alone.
        #expect(plan.addList == ["p/d", "p/d/a", "p/e"])
    }

    @Test func foldersOfDeletionsInsideTheCopiedItemsAreSetAgain() {
        var preview = Preview()
        preview.deletions = [change(.deletion, "p/d/x", folder: true), change(.deletion, "p/d/x/y"), change(.deletion, "p/d/z")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(parent: "p", names: ["d"]), overwrite: false, delete: true)
        #expect(plan.deletionList == ["p/d/x", "p/d/z"])
        #expect(plan.folderTimes == ["p/d"])
    }

    @Test func withNothingToAddTheFoldersRideAlongWithTheReplacingRun() {
        var preview = Preview()
        preview.modified = [change(.modified, "d/m"), change(.modified, "e/n")]
        let plan = ApplyPlan.make(preview: preview, spec: spec(), overwrite: true, delete: false)
        #expect(plan.replaceList == ["d/m", "e/n", "d", "e"])
        #expect(plan.addList.isEmpty)
        // A modified item at the top needs "." set again: that stays in the adding run, since
        // "." with --dirs brings in every top-level item.
        preview.modified.append(change(.modified, "top"))
        let withTop = ApplyPlan.make(preview: preview, spec: spec(), overwrite: true, delete: false)
        #expect(withTop.replaceList == ["d/m", "e/n", "top"])
        #expect(withTop.addList == ["d", "e", "."])
    }

    @Test func transferSpecIsInsideOnlyTheCopiedItems() {
        let paths = spec(parent: "p", names: ["d", "e f"])
        #expect(paths.roots == ["p/d", "p/e f"])
        #expect(paths.isInside("p/d"))
        #expect(paths.isInside("p/d/deep/x"))
        #expect(paths.isInside("p/e f/x"))
        #expect(!paths.isInside("p"))
        #expect(!paths.isInside("p/dd"))
        #expect(!paths.isInside("."))
        #expect(spec().isInside("."))
        #expect(spec().roots == ["."])
    }
}
