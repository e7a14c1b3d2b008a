#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the copy to one destination ended.
public enum Outcome: Int, Comparable, Sendable {
    case done = 0, incomplete, failed, interrupted
    public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Preview → confirm → apply for one destination, in three stages (see `Stages.swift` and the
/// README's "How a copy runs"): `preview` (read-only, may run beside other destinations'),
/// `ask` (the questions, one destination after another) and `apply` (may run beside others on
/// other drives). It receives every side effect as a parameter: rsync through the runner,
/// answers through the questions, temporary lists through `lists`.
public struct Engine: Sendable {
    let runner: ProcessRunner
    let questions: Questions
    /// Where this destination's output goes: the terminal, or its block kept for later.
    var console: Console
    let fileSystem: FileSystem
    let locking: LocationLocking
    let options: SyncOptions
    let environment: [String: String]
    let clock: @Sendable () -> Double
    /// Where the file lists rsync reads are written.
    public var lists: TemporaryLists
    /// The SSH connections for remote locations (nil: every location is local).
    public var sessions: SSHSessions?
    /// What each side's file system can store and each side's rsync can carry (nil: everything).
    public var probe: DriveProbing?
    /// Notices given once per run, however many destinations share their cause.
    private let notices = NoticeLog()
    /// Compares two local trees quickly, so that an unchanged tree needs no rsync run (nil:
    /// every preview is rsync's dry run).
    public var treeComparison: TreeComparing?
    /// Told of every destination a real run finished with (nothing to do included): the history.
    public var onFinished: @Sendable (TransferSpec, ApplyTotals, Outcome) -> Void = { _, _, _ in }

    public init(runner: ProcessRunner, questions: Questions, console: Console, fileSystem: FileSystem,
                locking: LocationLocking, options: SyncOptions, environment: [String: String],
                clock: @escaping @Sendable () -> Double) {
        self.locking = locking
        self.runner = runner
        self.questions = questions
        self.console = console
        self.fileSystem = fileSystem
        self.options = options
        self.environment = RsyncCommand.environment(from: environment)
        self.clock = clock
        self.lists = TemporaryListFiles(environment: environment)
    }

    var report: Report { Report(console: console, options: options) }

    /// The same engine writing to another console (a destination's block, printed later).
    public func writing(to console: Console) -> Engine {
        var engine = self
        engine.console = console
        return engine
    }

    /// One rsync run that changes files, and how to read the names it prints.
    struct Step: Equatable {
        var arguments: [String]
        /// Runs given a list print location-relative names; the others, names below the transfer root.
        var printsLocationPaths: Bool
        /// Draws the live progress line (rsync given `--info=progress2`).
        var showsProgress = false
        /// A deletion run: its names are missing from the source by design, so rsync's "vanished"
        /// (status 24, a listed item whose folder the source lacks too) is no fault.
        var deletes = false
    }

    /// The three stages one after another: one destination alone, its progress on `console`.
    public func sync(_ spec: TransferSpec) throws(CancelledError) -> Outcome {
        let previewed = preview(spec)
        let answered = try ask(previewed)
        return apply(answered, progress: options.showProgress ? ProgressSlot(board: ProgressBoard(console: console, clock: clock), slot: 0, name: "") : nil)
    }

    // MARK: 1. Preview

    /// Locks the destination, learns both drives and runs the dry run; lists what it found
    /// (unless nothing is left to do). Changes nothing.
    public func preview(_ spec: TransferSpec) -> DestinationPreview {
        var result = DestinationPreview(spec: spec, started: clock())
        report.heading(spec)
        guard claim(spec, into: &result) else { return discard(result) }
        guard var command = command(for: spec, into: &result) else { return discard(result.finished(.failed)) }
        guard let drives = learnDrives(spec, into: &command) else { return discard(result.finished(.failed)) }
        result.command = command
        if !options.dryRun && result.next.isSingleRun && !drives.destination.refusesSomeItems { return result }
        let deleting = spec.action.mayDelete && options.deletion != .never
        if QuickComparison.applies(to: spec, command: command, drives: drives, singleRun: result.next.isSingleRun), let treeComparison,
           runner.catchingInterrupts({ interrupted in
               treeComparison.compare(source: spec.source.path, destination: spec.destination.path, deleting: deleting,
                                      foldersOnly: spec.action == .tree, interrupted: interrupted)
           }) == .identical {
            if options.verbose { console.line(QuickComparison.verboseLine) }
            report.nothingToDo()
            if !options.dryRun { onFinished(spec, ApplyTotals(), result.outcome) }
            return discard(result.finished(result.outcome))
        }
        var builder = PreviewBuilder(command: command, sourceFiles: fileSystem.on(spec.source), destinationFiles: fileSystem.on(spec.destination),
                                     destination: drives.destination, source: drives.source, deleting: deleting)
        builder.holdChangesOnDisc(environment: environment)
        var newItemLog: String?
        defer { newItemLog.map(lists.remove) }
        if options.verbose {
            newItemLog = builder.listEveryNewItem(environment: environment)
            guard newItemLog != nil else {
                console.warning("cannot write a temporary file list; nothing copied to \(spec.destination.displayName)")
                return discard(result.finished(.failed))
            }
        }
        let previewArguments = command.preview(deleting: deleting)
        if options.verbose {
            console.line("$ " + ShellQuote.command(previewArguments))
            if command.itemizesEverything && !deleting {
                console.line("(a dry run: its --delete only lists the destination's own names, to find those renamed in case; nothing is deleted)")
            }
        }
        guard let previewResult = run(previewArguments, onLine: { builder.add($0) }) else { return discard(result.finished(.failed)) }
        result.outcome = outcome(of: previewResult, destination: spec.destination)
        if result.outcome == .interrupted || result.outcome == .failed { return discard(result.finished(result.outcome)) }
        let preview = builder.finish()
        if !preview.refusedFolders.isEmpty {
            result.outcome = max(result.outcome, .incomplete)
            console.warning("\(preview.refusedFolders.count) source folders have a non-folder in their place in \(spec.destination.displayName); left alone")
        }
        // What the drive cannot store leaves the copy otherwise complete (so recorded), and
        // the exit status 1 (so that a timer notices).
        let cannotStore: Outcome = preview.unstorable.isEmpty ? .done : .incomplete
        report.listUnstorable(preview, destination: spec.destination, type: drives.destination.type)
        if preview.isEmpty {
            report.nothingToDo(unstorable: preview.unstorable.count)
            var totals = ApplyTotals()
            totals.unstorable = preview.unstorable.count
            if !options.dryRun { onFinished(spec, totals, result.outcome) }
            return discard(result.finished(max(result.outcome, cannotStore)))
        }
        report.list(preview)
        if options.dryRun {
            // A limit or --unattended would leave something out: the dry run says so too.
            let left = (try? confirmChanges(preview, spec: spec, asking: false))?.leftSomething ?? false
            console.line("Dry run: nothing was changed.")
            return discard(result.finished(max(result.outcome, cannotStore, left ? .incomplete : .done)))
        }
        result.next = .changes(preview)
        return result
    }

    /// The guards before anything is read: the empty-source guard, the lock (held to the end of
    /// the apply), and what stands on the way to the items. Sets `result.next` to `.singleRun`
    /// when the destination has nothing of them; false (with `result` finished) when it stops.
    private func claim(_ spec: TransferSpec, into result: inout DestinationPreview) -> Bool {
        let destination = spec.destination.displayName
        let deleting = spec.action.mayDelete && options.deletion != .never
        // An empty source (an unmounted drive's mount point looks like one) is never taken as
        // "delete everything".
        if deleting && !options.allowEmptySource && fileSystem.on(spec.source).isEmptyDirectory(spec.source.path)
            && !fileSystem.on(spec.destination).isEmptyDirectory(spec.destination.path) {
            console.warning("the source \(spec.source.displayName) is empty while \(destination) is not: "
                + "not deleting everything there (is a drive not mounted? --allow-empty-source does it anyway)")
            result = result.finished(.failed)
            return false
        }
        // A lock is an flock on the location folder, which only a local folder can have; a remote
        // destination is told about before anything is written to it.
        if !options.dryRun && !spec.destination.isRemote {
            guard let lock = lock(spec.destination) else {
                result = result.finished(.failed)
                return false
            }
            result.lock = lock
        }
        let survey = fileSystem.survey(of: spec)
        if let (path, kind) = survey.nonFolderOnTheWay {
            // As --tree treats a non-folder in place of a folder: reported, left alone, exit 1.
            console.warning("\(destination) has a \(PreviewBuilder.describe(kind)) at \(PathBytes.display(path)) where a folder "
                + "holding the PATHs should be; it is outside what was selected, so nothing was copied there (left alone)")
            result = result.finished(.incomplete)
            return false
        }
        result.command = RsyncCommand(spec: spec, existingPrefix: survey.existingPrefix)
        if survey.lacksEverything { result.next = .singleRun }
        return true
    }

    /// The destination's lock, waited for with --wait; nil (said why) when it cannot be had.
    private func lock(_ location: Location) -> LocationLock? {
        let destination = location.displayName
        switch locking.lock(location.path, wait: false) {
        case .locked(let lock): return lock
        case .busy where options.waitForLock:
            // Said at once, not at this destination's turn: the wait may be long.
            let now = (console as? BufferedConsole)?.target ?? console
            now.warning("another micsync run is writing to \(destination); waiting for it to finish")
            guard case .locked(let lock) = locking.lock(location.path, wait: true) else {
                console.warning("cannot lock \(destination); nothing copied to it")
                return nil
            }
            return lock
        case .busy:
            console.warning("another micsync run is writing to \(destination); stopped without changing it (--wait waits for it)")
            return nil
        case .failed(let reason):
            console.warning("cannot lock \(destination): \(reason); nothing copied to it")
            return nil
        }
    }

    /// The rsync command of the copy: -c, the SSH connection and a remote source's names, the
    /// trash of -k and of `"keep"`. nil (said why) when a list cannot be written.
    private func command(for spec: TransferSpec, into result: inout DestinationPreview) -> RsyncCommand? {
        guard var command = result.command else { return nil }
        command.checksum = options.checksum
        if let host = spec.destination.host ?? spec.source.host {
            guard let sessions else {
                console.warning("\(host.destination) is remote and this run has no SSH connections; nothing copied to \(spec.destination.displayName)")
                return nil
            }
            command.remoteShell = sessions.rsyncShell(for: host)
            if command.needsNamesList {
                guard let list = writeList(command.namesList, into: &result.listFiles, for: spec) else { return nil }
                command.remoteNamesList = list
            }
        }
        if options.keep || spec.keep {
            // A remote destination's server runs in the location folder: the trash is given from there.
            let trash = Paths.join(ReservedName.trash, options.trashStamp)
            command.trashFolder = spec.destination.isRemote ? trash : Paths.join(spec.destination.path, trash)
        }
        return command
    }

    /// A preview that ends here: its lists go (unless -v keeps them for pasting).
    private func discard(_ result: DestinationPreview) -> DestinationPreview {
        result.lock?.release()
        if !options.verbose { result.listFiles.forEach(lists.remove) }
        var ended = result
        ended.listFiles = []
        return ended
    }

    /// Gives up a preview that will not be applied (a later question was cancelled): its lock
    /// is released and its lists removed.
    public func abandon(_ previewed: DestinationPreview) {
        previewed.lock?.release()
        _ = discard(previewed)
    }

    // MARK: 2. Questions

    /// Asks this destination's questions; with -v also shows each command and asks about it.
    /// Nothing is written to the destination.
    public func ask(_ previewed: DestinationPreview) throws(CancelledError) -> AnsweredDestination {
        var answered = AnsweredDestination(previewed: previewed)
        switch previewed.next {
        case .finished:
            return answered
        case .singleRun:
            warnUnlocked(previewed.spec)
            if options.verbose { answered.prepared = try confirmedWithVerbose(prepare(previewed, plan: RunPlan(runs: [.single]), current: Preview()), notesLists: false) }
            if options.verbose && !previewed.listFiles.isEmpty {
                console.line("(the file list named above is kept for pasting: " + previewed.listFiles.map(PathBytes.display).joined(separator: " ") + ")")
            }
        case .changes(let preview):
            answered.answers = try answers(to: preview, spec: previewed.spec)
            if options.verbose { answered.prepared = try confirmedWithVerbose(prepare(answered)) }
        }
        return answered
    }

    /// Every question for this destination, before anything is copied to it (`confirmChanges`:
    /// past a limit, or with nobody to answer, what would be asked is left alone instead).
    private func answers(to preview: Preview, spec: TransferSpec) throws(CancelledError) -> DestinationAnswers {
        let confirmed = try confirmChanges(preview, spec: spec)
        return DestinationAnswers(overwrite: confirmed.overwrite, delete: confirmed.delete, declined: confirmed.declined,
                                  leftSomething: confirmed.leftSomething)
    }

    /// What both sides' file systems can store and both rsyncs can carry decides what the copy
    /// keeps (`command.fidelity`) and how the preview looks; nil when the destination cannot be
    /// served at all (an rsync older than micsync needs, said before anything runs).
    private func learnDrives(_ spec: TransferSpec, into command: inout RsyncCommand)
        -> (source: FileSystemCapabilities, destination: FileSystemCapabilities)? {
        let source = probe?.capabilities(of: spec.source) ?? .everything()
        let destination = probe?.capabilities(of: spec.destination) ?? .everything()
        let sourceRsync = probe?.rsync(for: spec.source) ?? .full
        let destinationRsync = probe?.rsync(for: spec.destination) ?? .full
        for (location, rsync) in [(spec.source, sourceRsync), (spec.destination, destinationRsync)] {
            let machine = location.host.map { "on " + $0.destination } ?? "here"
            guard rsync.isSupported else {
                let found = rsync.version.map { $0.map(String.init).joined(separator: ".") } ?? "of unknown version"
                console.warning("the rsync \(machine) is \(found), older than the \(RsyncCapabilities.oldestSupported.map(String.init).joined(separator: ".")) micsync needs; nothing copied to \(spec.destination.displayName) (update rsync \(machine))")
                return nil
            }
            let lacking = (rsync.acls ? [] : ["ACLs"]) + (rsync.extendedAttributes ? [] : ["extended attributes"])
            if spec.aclsAndXattrs && !lacking.isEmpty && notices.first("rsync " + machine) {
                console.warning("the rsync \(machine) was built without support for \(lacking.joined(separator: " and ")): they are not copied (an rsync built with them keeps them)")
            }
        }
        command.fidelity = CopyFidelity.between(source: source, destination: destination, sourceRsync: sourceRsync, destinationRsync: destinationRsync,
                                                aclsAndAttributes: spec.aclsAndXattrs, asRoot: options.asRoot)
        command.itemizesEverything = !destination.caseSensitive
        if options.verbose {
            console.line("source \(spec.source.displayName): " + source.summary)
            console.line("destination \(spec.destination.displayName): " + destination.summary)
            console.line("the copy " + command.fidelity.description)
        }
        return (source, destination)
    }

    /// Gives destination items the source's case, each through a temporary name (a drive that
    /// does not tell case apart may take a direct rename for no change at all). Parents come
    /// first, so each item is found under its parent's new name. False when one failed.
    func rename(_ renames: [Change], spec: TransferSpec, totals: inout ApplyTotals) -> Bool {
        let location = spec.destination
        let files = fileSystem.on(location)
        var complete = true
        for change in renames {
            guard let from = change.renamedFrom else { continue }
            let current = Paths.join(location.path, Paths.join(Paths.parent(change.path), Paths.lastComponent(from)))
            let temporary = Paths.join(Paths.parent(current), ReservedName.renamePrefix + Paths.lastComponent(from))
            let target = Paths.join(location.path, change.path)
            do throws(FileError) {
                try files.rename(current, to: temporary, checked: true)
                do throws(FileError) {
                    // Only the item itself can answer to its new name here (the names differ in case only).
                    try files.rename(temporary, to: target, checked: false)
                } catch {
                    try? files.rename(temporary, to: current, checked: false)
                    throw error
                }
                totals.renamed += 1
            } catch {
                console.warning("cannot rename \(PathBytes.display(from)) to \(change.displayPath) in \(location.displayName): \(error.reason)")
                complete = false
            }
        }
        // A rename changes its folder's time: the folder keeps the source folder's.
        for folder in Set(renames.map { Paths.parent($0.path) }) {
            _ = fileSystem.copyModificationTime(from: Paths.join(spec.source.path, folder), to: Paths.join(location.path, folder))
        }
        return complete
    }

    /// Makes the hard links rsync could not (their leader was in no run of its own): each
    /// destination file linked to its leader's, which must be a file there; an accepted relink
    /// replaces the file at once (a new name, then a rename over it). The folders keep the
    /// source folders' times.
    func link(_ links: [ApplyPlan.HardLink], spec: TransferSpec, totals: inout ApplyTotals) -> Outcome {
        let files = fileSystem.on(spec.destination)
        var outcome = Outcome.done
        var folders = Set<String>()
        for link in links {
            let path = Paths.join(spec.destination.path, link.path)
            let leader = Paths.join(spec.destination.path, link.leader)
            do throws(FileError) {
                try files.makeHardLink(to: leader, at: path, replacing: link.replaces)
                if link.replaces { totals.overwritten += 1 } else { totals.copied += 1 }
                folders.insert(Paths.parent(link.path))
            } catch {
                console.warning("cannot link \(PathBytes.display(link.path)) to \(PathBytes.display(link.leader)) in \(spec.destination.displayName): \(error.reason)")
                outcome = .incomplete
            }
        }
        for folder in folders {
            _ = fileSystem.copyModificationTime(from: Paths.join(spec.source.path, folder), to: Paths.join(spec.destination.path, folder))
        }
        return outcome
    }

    /// Only a local folder can be locked (flock): before writing to a remote one, say so.
    func warnUnlocked(_ spec: TransferSpec) {
        guard spec.destination.isRemote else { return }
        console.warning("\(spec.destination.displayName) is remote, so it is not locked: do not let another micsync run write to it at the same time")
    }

    /// With -v, each command that changes files is shown and needs a yes, and the hard links
    /// micsync makes itself; all are asked before the first runs, so that running out of answers
    /// leaves the destination untouched. `notesLists`: say that the lists are kept for pasting.
    private func confirmedWithVerbose(_ prepared: PreparedRuns?, notesLists: Bool = true) throws(CancelledError) -> PreparedRuns? {
        guard var prepared else { return nil }
        var accepted: [Step] = []
        for step in prepared.steps {
            console.line("$ " + ShellQuote.command(step.arguments))
            if try questions.confirm("Run this command?", yes: "yes", no: "no") { accepted.append(step) } else { console.line("Skipped.") }
        }
        prepared.steps = accepted
        if !prepared.plan.hardLinks.isEmpty {
            for link in prepared.plan.hardLinks {
                console.line("link " + PathBytes.display(link.path) + " to " + PathBytes.display(link.leader) + (link.replaces ? " (replacing it)" : ""))
            }
            if !(try questions.confirm("Make these hard links?", yes: "yes", no: "no")) { prepared.linksAccepted = false; console.line("Skipped.") }
        }
        if notesLists && !prepared.listFiles.isEmpty {
            console.line("(the file lists named above are kept for pasting: " + prepared.listFiles.map(PathBytes.display).joined(separator: " ") + ")")
        }
        return prepared
    }

    func finish(_ spec: TransferSpec, _ outcome: Outcome, _ totals: ApplyTotals, _ started: Double, _ declined: [String]) -> Outcome {
        onFinished(spec, totals, outcome)
        if outcome == .interrupted {
            // rsync names a file when it starts on it, so the last one counted may be unfinished.
            report.interrupted(totals, seconds: clock() - started)
        } else {
            report.summary(totals, seconds: clock() - started, declined: declined, complete: outcome == .done)
        }
        return totals.unstorable > 0 ? max(outcome, .incomplete) : outcome
    }

    /// Runs one command that changes files and counts what it reported doing.
    func apply(_ step: Step, command: RsyncCommand, replaced: Set<String>, totals: inout ApplyTotals, progress: ProgressSlot?,
               each: (ItemizedLine, String) -> Void = { _, _ in }, written: (CreatedItems.Item) -> Void = { _ in }) -> Outcome {
        guard stillThere(command.spec.destination) else { return .failed }
        var messages: [String] = []
        let sourceFiles = fileSystem.on(command.spec.source)
        /// What this run said it created, checked when it ends with errors: rsync names an item
        /// before writing it, and a drive may refuse it then.
        var created = CreatedItems(environment: environment)
        var live = LiveProgress(slot: step.showsProgress ? progress : nil)
        var appeared: [String] = []
        let result = run(step.arguments, showingProgress: step.showsProgress, onProgress: { live.update($0) }) { text in
            guard let line = command.parse(text, sourceFiles: sourceFiles) else {
                if step.printsLocationPaths, let name = ItemizedLine.skippedAsExisting(text) {
                    appeared.append(name)
                } else if !text.isEmpty {
                    messages.append(text)
                }
                return
            }
            let path = step.printsLocationPaths ? line.name : command.locationPath(ofPrinted: line.name)
            if !line.isDeletion { live.file = PathBytes.display(path) }
            each(line, path)
            if line.isDeletion {
                // The contents of a folder that an accepted change replaces are part of that change.
                if !replaced.contains(where: { path.hasPrefix($0 + "/") }) { totals.deleted += 1 }
            } else if line.fileType == "d" && !line.isCreation {
                return  // folder attributes: not an item copied
            } else if replaced.contains(path) {
                totals.overwritten += 1
                totals.bytes += line.fileType == "f" ? line.length : 0
            } else if line.isCreation {
                totals.copied += 1
                totals.bytes += line.fileType == "f" ? line.length : 0
                created.append(.init(path: path, bytes: line.fileType == "f" ? line.length : 0, isDirectory: line.isDirectory))
            } else {
                totals.overwritten += 1
                totals.bytes += line.fileType == "f" ? line.length : 0
            }
        }
        live.clear()
        for message in messages { console.line("  rsync: " + PathBytes.display(message)) }
        guard let result else { return .failed }
        var outcome = step.deletes && result.status == 24 ? .done : outcome(of: result, destination: command.spec.destination)
        if !appeared.isEmpty {
            console.warning("\(appeared.count) items appeared in \(command.spec.destination.displayName) since the preview; left alone, not copied: "
                + Self.some(appeared.map(PathBytes.display)) + " (run micsync again to see them)")
            outcome = max(outcome, .incomplete)
        }
        if outcome != .done && !created.isEmpty {
            let files = fileSystem.on(command.spec.destination)
            created.forEachBatch { batch in
                let found = files.stamps(of: batch.map { Paths.join(command.spec.destination.path, $0.path) })
                for (item, stamp) in zip(batch, found) {
                    guard stamp == nil else { written(item); continue }
                    totals.copied -= 1
                    totals.bytes -= item.bytes
                }
            }
        }
        created.discard()
        return outcome
    }

    /// Whether the destination folder is still there before something is written to it, said
    /// when it is not: rsync (or micsync's own deletions) would otherwise work on the disc beneath
    /// an unplugged drive's mount point. A remote one is guarded by the `cd` into it that starts
    /// rsync's server there.
    func stillThere(_ destination: Location) -> Bool {
        guard !destination.isRemote && !fileSystem.isDirectory(destination.path) else { return true }
        console.warning("\(destination.displayName) is no longer accessible (unplugged, or its host unreachable?); nothing more copied to it")
        return false
    }

    /// The first ten of `names`, for a warning (", …" when there are more).
    static func some(_ names: [String]) -> String {
        names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", …" : "")
    }

    /// Runs rsync; nil (with a message) when it cannot be started.
    func run(_ arguments: [String], showingProgress: Bool = false, onProgress: (String) -> Void = { _ in },
                     onLine: (String) -> Void) -> ProcessResult? {
        do {
            if showingProgress { return try runner.run(arguments, environment: environment, onLine: onLine, onProgress: onProgress) }
            return try runner.run(arguments, environment: environment, onLine: onLine)
        } catch {
            console.warning(error.description)
            return nil
        }
    }

    func outcome(of result: ProcessResult, destination: Location) -> Outcome {
        if result.interrupted || result.status == 20 || result.status == 130 { return .interrupted }
        if result.status == 0 { return .done }
        for line in result.errorOutput.split(separator: "\n") where !line.isEmpty {
            let text = PathBytes.display(String(line))
            console.warning(text.hasPrefix("rsync") ? text : "rsync: " + text)
        }
        let destinationText = destination.displayName
        switch result.status {
        case 23:
            console.warning("copy to \(destinationText) incomplete: some items could not be copied (rsync exit status 23, see above)")
            return .incomplete
        case 24:
            console.warning("copy to \(destinationText) incomplete: some source files vanished while copying (rsync exit status 24)")
            return .incomplete
        default:
            console.warning("copy to \(destinationText) failed (rsync exit status \(result.status), see above)")
            return .failed
        }
    }

    /// Writes a file list for rsync, noted in `written`; nil (said why) when it cannot.
    func writeList(_ paths: [String], into written: inout [String], for spec: TransferSpec) -> String? {
        guard let list = lists.write(paths) else {
            console.warning("cannot write a temporary file list; nothing copied to \(spec.destination.displayName)")
            return nil
        }
        written.append(list)
        return list
    }
}

/// The live progress of one rsync run: its line on the board, removed at the end.
struct LiveProgress {
    let slot: ProgressSlot?
    /// The item rsync named last (location-relative, for display).
    var file = ""
    private var shown = false

    init(slot: ProgressSlot?) { self.slot = slot }

    mutating func update(_ text: String) {
        guard let slot, let progress = ProgressLine.parse(text) else { return }
        slot.board.update(slot.slot, progress, name: slot.name, file: file)
        shown = true
    }

    mutating func clear() {
        guard shown, let slot else { return }
        slot.board.end(slot.slot)
        shown = false
    }
}
