import Foundation
import Testing
@testable import MicsyncKit

/// The stages of a copy: the run plan (pure), the engine's preview → answers → apply with fakes,
/// and the scheduler of several destinations.
@Suite("stages and scheduler")
struct StagesTests {
    static let work = Location(role: .work, path: "/w")

    func spec(_ destination: String, action: Action = .backup) -> TransferSpec {
        TransferSpec(action: action, configName: "Docs", source: Self.work, destination: Location(role: .backup, path: destination), parent: "", names: [])
    }

    func change(_ kind: Change.Kind, _ path: String, folder: Bool = false) -> Change {
        Change(kind: kind, path: path, isDirectory: folder, itemize: folder ? "cd+++++++++" : ">f+++++++++")
    }

    /// Two new files, one modified, one deleted.
    var preview: Preview {
        var preview = Preview()
        preview.new = [change(.new, "n1"), change(.new, "d/n2")]
        preview.modified = [change(.modified, "m")]
        preview.deletions = [change(.deletion, "gone")]
        return preview
    }

    // MARK: The plan

    @Test func acceptedChangesGiveTheDeletionReplacingAndAddingRunsInThatOrder() {
        let plan = RunPlan.make(preview: preview, spec: spec("/b", action: .transfer), answers: DestinationAnswers(overwrite: true, delete: true), local: true)
        #expect(plan.runs == [.delete(["gone"]), .replace(["m"]), .add(["n1", "d/n2", ".", "d"])])
        #expect(plan.replaced == ["m"])
        #expect(plan.folderTimes.isEmpty && plan.hardLinks.isEmpty)
    }

    @Test func declinedChangesGiveNoRunForThem() {
        let plan = RunPlan.make(preview: preview, spec: spec("/b", action: .transfer), answers: DestinationAnswers(overwrite: false, delete: false), local: true)
        #expect(plan.runs == [.add(["n1", "d/n2", ".", "d"])])
        #expect(plan.replaced.isEmpty)
    }

    @Test func folderTimesAfterDeletionsAreSetDirectlyWhenLocalElseByARunOfTheFoldersTheSourceKeeps() {
        var deletions = Preview()
        deletions.deletions = [change(.deletion, "a/x"), change(.deletion, "b/y")]
        let answers = DestinationAnswers(overwrite: true, delete: true)
        let local = RunPlan.make(preview: deletions, spec: spec("/b", action: .transfer), answers: answers, local: true)
        #expect(local.runs == [.delete(["a/x", "b/y"])])
        #expect(local.folderTimes == ["a", "b"])
        let remote = RunPlan.make(preview: deletions, spec: spec("/b", action: .transfer), answers: answers, local: false) { folders in folders.filter { $0 != "b" } }
        #expect(remote.runs == [.delete(["a/x", "b/y"]), .folderTimes(["a"])])
        #expect(remote.folderTimes.isEmpty)
    }

    /// A folder kept in the destination for what it holds (excluded items, items the source's
    /// drive cannot store) has no time in the source: no run lists it, which would fail on it.
    @Test func aFolderAboveADeletionThatTheSourceLacksIsListedInNoRun() {
        var mixed = Preview()
        mixed.new = [change(.new, "n")]
        mixed.deletions = [change(.deletion, "kept/x"), change(.deletion, "d/y")]
        let answers = DestinationAnswers(overwrite: true, delete: true)
        for local in [true, false] {
            let plan = RunPlan.make(preview: mixed, spec: spec("/b", action: .transfer), answers: answers, local: local) { $0.filter { $0 != "kept" } }
            #expect(plan.runs == [.delete(["kept/x", "d/y"]), .add(["n", ".", "d"])], "\(local)")
            let onlyDeletions = RunPlan.make(preview: { var p = mixed; p.new = []; return p }(), spec: spec("/b", action: .transfer),
                                             answers: answers, local: local) { $0.filter { $0 != "kept" } }
            #expect((local ? onlyDeletions.folderTimes : onlyDeletions.runs.compactMap { if case .folderTimes(let f) = $0 { f } else { nil } }.first ?? []) == ["d"],
                    "\(local) \(onlyDeletions)")
        }
    }

    @Test func deletionsMadeDirectlyTakeEveryListedItemContentsFirstAndNoRun() {
        var deletions = Preview()
        deletions.deletions = [change(.deletion, "old", folder: true), change(.deletion, "old/sub/y"), change(.deletion, "old/sub", folder: true),
                               change(.deletion, "old/x"), change(.deletion, "z")]
        let plan = RunPlan.make(preview: deletions, spec: spec("/b", action: .transfer), answers: DestinationAnswers(overwrite: true, delete: true),
                                local: true, deletesDirectly: true)
        #expect(plan.runs.isEmpty)
        let order = plan.deletions.map(\.path)
        #expect(Set(order) == ["old", "old/sub/y", "old/sub", "old/x", "z"])
        for (index, path) in order.enumerated() {
            #expect(!order[..<index].contains { path.hasPrefix($0 + "/") }, "\(path) comes before the folders above it: \(order)")
        }
        #expect(plan.folderTimes == ["."])
        let declined = RunPlan.make(preview: deletions, spec: spec("/b", action: .transfer), answers: DestinationAnswers(overwrite: true, delete: false),
                                    local: true, deletesDirectly: true)
        #expect(declined.deletions.isEmpty && declined.runs.isEmpty)
    }

    @Test func manyNewItemsAreOneBulkRunThatLeavesOutWhatTheDriveCannotStore() {
        var many = Preview()
        many.new = (0...ApplyPlan.exactNewItemLimit).map { change(.new, "f\($0)") }
        many.unstorable = [change(.new, "a:b")]
        let plan = RunPlan.make(preview: many, spec: spec("/b"), answers: DestinationAnswers(), local: true)
        #expect(plan.runs == [.bulk])
        #expect(plan.unstorable == ["a:b"])
    }

    @Test func onlyTheRunsThatCopyShowProgress() {
        let command = RsyncCommand(spec: spec("/b", action: .transfer), existingPrefix: "")
        let plan = RunPlan(runs: [.delete(["x"]), .replace(["m"])])
        #expect(!command.arguments(for: .delete(["x"]), listFile: "/l", plan: plan, overallProgress: true).contains("--info=progress2"))
        let replacing = command.arguments(for: .replace(["m"]), listFile: "/l", plan: plan, overallProgress: true)
        #expect(replacing.prefix(2) == ["rsync", "--info=progress2"] && replacing.contains("--files-from=/l"))
        #expect(!command.arguments(for: .replace(["m"]), listFile: "/l", plan: plan).contains("--info=progress2"))
    }

    // MARK: The engine and the scheduler, with fakes

    /// rsync as a script: a dry run prints `previews[destination]`; a copy prints nothing and,
    /// with `waitsForCompany`, waits (half a second at most) until another copy runs too.
    final class FakeRsync: ProcessRunner, @unchecked Sendable {
        let previews: [String: [String]]
        let waitsForCompany: Bool
        private let state = Locked((calls: [[String]](), running: 0, mostAtOnce: 0))

        init(previews: [String: [String]], waitsForCompany: Bool = false) {
            self.previews = previews
            self.waitsForCompany = waitsForCompany
        }

        var calls: [[String]] { state.withLock { $0.calls } }
        var copies: [[String]] { calls.filter { !$0.contains("--dry-run") } }
        var mostAtOnce: Int { state.withLock { $0.mostAtOnce } }

        func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
            state.withLock { $0.calls.append(arguments) }
            if arguments.contains("--dry-run") {
                let destination = previews.keys.first { arguments.last == $0 + "/" }
                previews[destination ?? ""]?.forEach(onLine)
                return ProcessResult(status: 0)
            }
            state.withLock { state in
                state.running += 1
                state.mostAtOnce = max(state.mostAtOnce, state.running)
            }
            for _ in 0..<50 where waitsForCompany && state.withLock({ $0.running }) < 2 { usleep(10_000) }
            state.withLock { state in
                state.mostAtOnce = max(state.mostAtOnce, state.running)
                state.running -= 1
            }
            return ProcessResult(status: 0)
        }
    }

    struct AlwaysLocked: LocationLocking {
        func lock(_ path: String, wait: Bool) -> LocationLockResult { .locked(LocationLock(descriptor: -1)) }
    }

    final class MemoryLists: TemporaryLists, @unchecked Sendable {
        let lists = Locked([String: [String]]())
        func write(_ paths: [String]) -> String? {
            lists.withLock { lists in
                let name = "/lists/\(lists.count)"
                lists[name] = paths
                return name
            }
        }
        func remove(_ path: String) { _ = lists.withLock { $0.removeValue(forKey: path) } }
        func makeFolder(prefix: String) -> String? { nil }
        func removeFolder(_ path: String) {}
    }

    /// WORK /w with a modified `m` and a new `n`; each BACKUP has the older `m`.
    func disc(_ backups: [String], devices: [String: UInt64]) -> FakeFileSystem {
        var fileSystem = FakeFileSystem(["/w": .directory, "/w/m": .regularFile, "/w/n": .regularFile])
        for backup in backups { fileSystem.kinds[backup] = .directory; fileSystem.kinds[backup + "/m"] = .regularFile }
        fileSystem.devices = devices
        return fileSystem
    }

    func engine(_ runner: ProcessRunner, _ fileSystem: FileSystem, answers: [String?], options: SyncOptions = SyncOptions(),
                lists: MemoryLists = MemoryLists()) -> (Engine, RecordingConsole) {
        let console = RecordingConsole()
        var engine = Engine(runner: runner, questions: Questions(prompter: ScriptedPrompter(answers), console: console), console: console,
                            fileSystem: fileSystem, locking: AlwaysLocked(), options: options, environment: [:], clock: { 0 })
        engine.lists = lists
        return (engine, console)
    }

    static let changes = [">f.st...... 2 m", ">f+++++++++ 1 n"]

    @Test func nothingIsWrittenBeforeTheAnswersAndTheApplyRunsWhatWasAccepted() throws {
        let runner = FakeRsync(previews: ["/b1": Self.changes])
        let lists = MemoryLists()
        let (engine, console) = engine(runner, disc(["/b1"], devices: [:]), answers: ["m"], lists: lists)
        let previewed = engine.preview(spec("/b1"))
        guard case .changes(let found) = previewed.next else { Issue.record("\(previewed.next)"); return }
        #expect(found.modified.map(\.path) == ["m"] && found.new.map(\.path) == ["n"])
        let answered = try engine.ask(previewed)
        #expect(answered.answers == DestinationAnswers(overwrite: true, delete: false))
        #expect(runner.copies.isEmpty, "only the dry run before the apply")
        #expect(engine.apply(answered, progress: nil) == .done)
        #expect(runner.copies.count == 2, "\(runner.copies)")
        #expect(runner.copies.allSatisfy { $0.contains { $0.hasPrefix("--files-from=/lists/") } })
        #expect(lists.lists.withLock { $0.isEmpty }, "lists removed after the apply")
        #expect(console.output.contains("Done: "), "\(console.output)")
    }

    @Test func endOfInputAtTheSecondDestinationRunsNoCopyAnywhere() {
        let runner = FakeRsync(previews: ["/b1": Self.changes, "/b2": Self.changes])
        let fileSystem = disc(["/b1", "/b2"], devices: ["/b1": 1, "/b2": 2])
        let (engine, console) = engine(runner, fileSystem, answers: ["m"])
        let scheduler = DestinationScheduler(engine: engine, console: console, fileSystem: fileSystem, limit: 4, showsProgress: false, clock: { 0 })
        #expect(throws: CancelledError.self) { try scheduler.run([spec("/b1"), spec("/b2")]) }
        #expect(runner.calls.count == 2 && runner.copies.isEmpty, "\(runner.calls)")
    }

    @Test func copiesToDifferentDevicesOverlapAndToOneDeviceDoNot() throws {
        for (devices, limit, expected) in [([UInt64(1), 2], 4, 2), ([1, 1], 4, 1), ([1, 2], 1, 1)] {
            let runner = FakeRsync(previews: ["/b1": Self.changes, "/b2": Self.changes], waitsForCompany: true)
            let fileSystem = disc(["/b1", "/b2"], devices: ["/b1": devices[0], "/b2": devices[1]])
            let (engine, console) = engine(runner, fileSystem, answers: [], options: SyncOptions(overwriteWithoutAsking: true))
            let scheduler = DestinationScheduler(engine: engine, console: console, fileSystem: fileSystem, limit: limit, showsProgress: false, clock: { 0 })
            #expect(try scheduler.run([spec("/b1"), spec("/b2")]) == .done)
            #expect(runner.copies.count == 4)
            #expect(runner.mostAtOnce == expected, "devices \(devices), limit \(limit)")
            // One block per destination, in the configuration's order.
            let first = try #require(console.output.range(of: "Results for /b1:")), second = try #require(console.output.range(of: "Results for /b2:"))
            #expect(first.upperBound < second.lowerBound)
        }
    }

    @Test func aRemoteHostIsOneDevice() {
        let fileSystem = disc([], devices: ["/b1": 7])
        let (engine, console) = engine(FakeRsync(previews: [:]), fileSystem, answers: [])
        let scheduler = DestinationScheduler(engine: engine, console: console, fileSystem: fileSystem, limit: 4, showsProgress: false, clock: { 0 })
        let host = RemoteHost(user: "me", host: "nas", port: nil, sshOptions: [], timeout: 10)
        let one = Location(role: .backup, path: "/x", written: "nas:/x", host: host)
        let other = Location(role: .backup, path: "/y", written: "nas:/y", host: host)
        #expect(scheduler.device(of: one) == scheduler.device(of: other))
        #expect(scheduler.device(of: Location(role: .backup, path: "/b1")) == "device 7")
    }
}
