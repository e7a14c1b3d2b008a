import Foundation
import Testing
@testable import MicsyncKit

/// The engine's use of the quick comparison, with a fake one: "identical" ends the preview as
/// rsync's empty dry run would, without running it; "don't know" runs the dry run as always;
/// and it is asked only where it is stricter than rsync's preview.
@Suite("the preview's quick comparison")
struct QuickComparisonTests {
    final class FakeComparison: TreeComparing, @unchecked Sendable {
        let answer: TreeComparison
        let asked = Locked([(source: String, destination: String, deleting: Bool, foldersOnly: Bool)]())
        init(_ answer: TreeComparison) { self.answer = answer }

        func compare(source: String, destination: String, deleting: Bool, foldersOnly: Bool, interrupted: () -> Bool) -> TreeComparison {
            asked.withLock { $0.append((source, destination, deleting, foldersOnly)) }
            return answer
        }
        var count: Int { asked.withLock { $0.count } }
    }

    let stages = StagesTests()

    func run(_ answer: TreeComparison, spec: TransferSpec, options: SyncOptions = SyncOptions(),
             previews: [String] = StagesTests.changes) -> (DestinationPreview, StagesTests.FakeRsync, FakeComparison, RecordingConsole, Int) {
        let runner = StagesTests.FakeRsync(previews: [spec.destination.path: previews])
        var (engine, console) = stages.engine(runner, stages.disc([spec.destination.path], devices: [:]), answers: [], options: options)
        let comparison = FakeComparison(answer)
        engine.treeComparison = comparison
        let finished = Locked(0)
        engine.onFinished = { _, _, _ in finished.withLock { $0 += 1 } }
        let previewed = engine.preview(spec)
        return (previewed, runner, comparison, console, finished.withLock { $0 })
    }

    @Test func identicalTreesAreInStepWithoutAnyRsyncRun() {
        let (previewed, runner, comparison, console, finished) = run(.identical, spec: stages.spec("/b1"))
        guard case .finished(.done) = previewed.next else { Issue.record("\(previewed.next)"); return }
        #expect(runner.calls.isEmpty, "\(runner.calls)")
        #expect(comparison.asked.withLock { $0.map { [$0.source, $0.destination] } } == [["/w", "/b1"]])
        #expect(console.output.contains("Nothing to do: the destination is in step."), "\(console.output)")
        #expect(!console.output.contains(QuickComparison.verboseLine))
        #expect(finished == 1, "the history records it")
    }

    @Test func aDryRunSaysTheSameAndRecordsNothing() {
        let (previewed, runner, _, console, finished) = run(.identical, spec: stages.spec("/b1"), options: SyncOptions(dryRun: true))
        guard case .finished(.done) = previewed.next else { Issue.record("\(previewed.next)"); return }
        #expect(runner.calls.isEmpty && finished == 0)
        #expect(console.output.contains("Nothing to do"))
    }

    @Test func verboseSaysTheTreesWereComparedInsteadOfShowingTheDryRun() {
        let (_, runner, _, console, _) = run(.identical, spec: stages.spec("/b1"), options: SyncOptions(verbose: true))
        #expect(runner.calls.isEmpty)
        #expect(console.output.contains(QuickComparison.verboseLine) && !console.output.contains("--dry-run"), "\(console.output)")
    }

    @Test func unknownRunsTheDryRunAsAlways() {
        let (previewed, runner, comparison, _, _) = run(.unknown, spec: stages.spec("/b1"))
        guard case .changes(let preview) = previewed.next else { Issue.record("\(previewed.next)"); return }
        #expect(preview.modified.map(\.path) == ["m"])
        #expect(comparison.count == 1 && runner.calls.count == 1 && runner.calls[0].contains("--dry-run"))
    }

    @Test func deletingIsPassedOnAsThePreviewDeletes() {
        var options = SyncOptions(deletion: .ask)
        options.dryRun = true
        let (_, _, comparison, _, _) = run(.identical, spec: stages.spec("/b1", action: .work), options: options)
        let (_, _, without, _, _) = run(.identical, spec: stages.spec("/b1", action: .work))
        #expect(comparison.asked.withLock { $0.map(\.deleting) } == [true])
        #expect(without.asked.withLock { $0.map(\.deleting) } == [false])
    }

    @Test func treeComparesItsFoldersOnly() {
        let (previewed, runner, comparison, _, _) = run(.identical, spec: stages.spec("/b1", action: .tree))
        #expect(runner.calls.count == 0 && comparison.asked.withLock { $0.map(\.foldersOnly) } == [true])
        if case .finished(.done) = previewed.next {} else { Issue.record("in step: \(previewed.next)") }
        let (_, _, files, _, _) = run(.identical, spec: stages.spec("/b1"))
        #expect(files.asked.withLock { $0.map(\.foldersOnly) } == [false])
    }

    @Test func notAskedWhereRsyncsPreviewComparesDifferently() {
        var checksum = SyncOptions()
        checksum.checksum = true
        let host = RemoteHost(user: "me", host: "nas", port: nil, sshOptions: [], timeout: 10)
        var paths = stages.spec("/b1")
        paths = TransferSpec(action: .backup, configName: "Docs", source: StagesTests.work, destination: paths.destination, parent: "", names: ["m"])
        for (spec, options) in [(stages.spec("/b1"), checksum), (paths, SyncOptions())] {
            let (_, runner, comparison, _, _) = run(.identical, spec: spec, options: options)
            #expect(comparison.count == 0 && runner.calls.count == 1, "\(spec.action) \(options.checksum) \(spec.names)")
        }
        let remote = TransferSpec(action: .backup, configName: "Docs", source: StagesTests.work,
                                  destination: Location(role: .backup, path: "/b1", written: "nas:/b1", host: host), parent: "", names: [])
        let command = RsyncCommand(spec: remote, existingPrefix: "")
        #expect(!QuickComparison.applies(to: remote, command: command, drives: (.everything(), .everything()), singleRun: false))
        #expect(QuickComparison.applies(to: stages.spec("/b1"), command: RsyncCommand(spec: stages.spec("/b1"), existingPrefix: ""),
                                        drives: (.everything(), .everything()), singleRun: false))
        #expect(!QuickComparison.applies(to: stages.spec("/b1"), command: RsyncCommand(spec: stages.spec("/b1"), existingPrefix: ""),
                                         drives: (.everything(), .everything()), singleRun: true))
        var fat = FileSystemCapabilities.everything()
        fat.caseSensitive = false
        #expect(!QuickComparison.applies(to: stages.spec("/b1"), command: RsyncCommand(spec: stages.spec("/b1"), existingPrefix: ""),
                                         drives: (.everything(), fat), singleRun: false))
        #expect(!QuickComparison.applies(to: stages.spec("/b1"), command: RsyncCommand(spec: stages.spec("/b1"), existingPrefix: ""),
                                         drives: (fat, .everything()), singleRun: false))
        var excluding = stages.spec("/b1")
        excluding.exclude = [".cache/"]
        #expect(!QuickComparison.applies(to: excluding, command: RsyncCommand(spec: excluding, existingPrefix: ""),
                                         drives: (.everything(), .everything()), singleRun: false), "an excluded item would be a difference every time")
    }

    @Test func aDestinationWithNothingYetGetsItsSingleRun() {
        let runner = StagesTests.FakeRsync(previews: [:])
        var fileSystem = stages.disc([], devices: [:])
        fileSystem.kinds["/b1"] = .directory
        var (engine, _) = stages.engine(runner, fileSystem, answers: [], options: SyncOptions(dryRun: true))
        let comparison = FakeComparison(.identical)
        engine.treeComparison = comparison
        _ = engine.preview(stages.spec("/b1"))
        #expect(comparison.count == 0 && runner.calls.count == 1)
    }
}
