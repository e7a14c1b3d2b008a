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

/// Preview → confirm → apply for one destination at a time (SPEC section 5). It receives every
/// side effect as a parameter: rsync through the runner, answers through the questions.
public struct Engine: Sendable {
    let runner: ProcessRunner
    let questions: Questions
    let console: Console
    let fileSystem: FileSystem
    let locking: LocationLocking
    let options: SyncOptions
    let environment: [String: String]
    let clock: @Sendable () -> Double
    /// The SSH connections for remote locations (nil: every location is local).
    public var sessions: SSHSessions?
    /// What each side's file system can store and each side's rsync can carry (nil: everything).
    public var probe: DriveProbing?
    /// Notices given once per run, however many destinations share their cause.
    private let notices = NoticeLog()
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
    }

    var report: Report { Report(console: console, options: options) }

    /// One rsync run that changes files, and how to read the names it prints.
    struct Step {
        var arguments: [String]
        /// Runs given a list print location-relative names; the others, names below the transfer root.
        var printsLocationPaths: Bool
        /// Draws the live progress line (rsync given `--info=progress2`).
        var showsProgress = false
    }

    /// A run that copies: with a terminal and no --no-progress, rsync reports its overall progress.
    func copying(_ arguments: [String], printsLocationPaths: Bool) -> Step {
        guard options.showProgress, let program = arguments.first else { return Step(arguments: arguments, printsLocationPaths: printsLocationPaths) }
        return Step(arguments: [program, "--info=progress2"] + arguments.dropFirst(), printsLocationPaths: printsLocationPaths, showsProgress: true)
    }

    public func sync(_ spec: TransferSpec) throws(CancelledError) -> Outcome {
        let started = clock()
        report.heading(spec)
        let destination = spec.destination.displayName
        let deleting = spec.action.mayDelete && options.deletion != .keep
        let sourceFiles = fileSystem.on(spec.source)
        let destinationFiles = fileSystem.on(spec.destination)
        // An empty source (an unmounted drive's mount point looks like one) is never taken as
        // "delete everything".
        if deleting && !options.allowEmptySource && sourceFiles.isEmptyDirectory(spec.source.path)
            && !destinationFiles.isEmptyDirectory(spec.destination.path) {
            console.warning("the source \(spec.source.displayName) is empty while \(destination) is not: "
                + "not deleting everything there (is a drive not mounted? --allow-empty-source does it anyway)")
            return .failed
        }
        // Held from the preview to the end of the apply: what was previewed must still hold.
        var heldLock: LocationLock?
        // A lock is an flock on the location folder, which only a local folder can have; a remote
        // destination is told about before anything is written to it.
        if !options.dryRun && !spec.destination.isRemote {
            switch locking.lock(spec.destination.path, wait: false) {
            case .locked(let lock): heldLock = lock
            case .busy where options.waitForLock:
                console.warning("another micsync run is writing to \(destination); waiting for it to finish")
                guard case .locked(let lock) = locking.lock(spec.destination.path, wait: true) else {
                    console.warning("cannot lock \(destination); nothing copied to it")
                    return .failed
                }
                heldLock = lock
            case .busy:
                console.warning("another micsync run is writing to \(destination); stopped without changing it (--wait waits for it)")
                return .failed
            case .failed(let reason):
                console.warning("cannot lock \(destination): \(reason); nothing copied to it")
                return .failed
            }
        }
        defer { withExtendedLifetime(heldLock) {} }
        let survey = fileSystem.survey(of: spec)
        if let (path, kind) = survey.nonFolderOnTheWay {
            // As --tree treats a non-folder in place of a folder: reported, left alone, exit 1.
            console.warning("\(destination) has a \(PreviewBuilder.describe(kind)) at \(PathBytes.display(path)) where a folder "
                + "holding the PATHs should be; it is outside what was selected, so nothing was copied there (left alone)")
            return .incomplete
        }
        var command = RsyncCommand(spec: spec, existingPrefix: survey.existingPrefix)
        command.checksum = options.checksum
        var listFiles: [String] = []
        defer { if !options.verbose { listFiles.forEach(removeFile) } }
        if let host = spec.destination.host ?? spec.source.host {
            guard let sessions else {
                console.warning("\(host.destination) is remote and this run has no SSH connections; nothing copied to \(destination)")
                return .failed
            }
            command.remoteShell = sessions.rsyncShell(for: host)
            if command.needsNamesList {
                guard let list = writeList(command.namesList) else {
                    console.warning("cannot write a temporary file list; nothing copied to \(destination)")
                    return .failed
                }
                listFiles.append(list)
                command.remoteNamesList = list
            }
        }
        if options.keep || spec.keep {
            // A remote destination's server runs in the location folder: the trash is given from there.
            let trash = Paths.join(ReservedName.trash, options.trashStamp)
            command.trashFolder = spec.destination.isRemote ? trash : Paths.join(spec.destination.path, trash)
        }
        guard let drives = learnDrives(spec, into: &command) else { return .failed }
        if !options.dryRun && survey.lacksEverything && !drives.destination.refusesSomeItems {
            warnUnlocked(spec)
            let outcome = try singleRun(command, started: started)
            if options.verbose && !listFiles.isEmpty {
                console.line("(the file list named above is kept for pasting: " + listFiles.map(PathBytes.display).joined(separator: " ") + ")")
            }
            return outcome
        }

        // 1. Preview: one dry run over the trees.
        var builder = PreviewBuilder(command: command, sourceFiles: sourceFiles, destinationFiles: destinationFiles,
                                     destination: drives.destination, source: drives.source, deleting: deleting)
        builder.holdChangesOnDisc(environment: environment)
        var newItemLog: String?
        defer { newItemLog.map(removeFile) }
        if options.verbose {
            newItemLog = builder.listEveryNewItem(environment: environment)
            guard newItemLog != nil else {
                console.warning("cannot write a temporary file list; nothing copied to \(destination)")
                return .failed
            }
        }
        let previewArguments = command.preview(deleting: deleting)
        if options.verbose { console.line("$ " + ShellQuote.command(previewArguments)) }
        guard let previewResult = run(previewArguments, onLine: { builder.add($0) }) else { return .failed }
        var outcome = outcome(of: previewResult, destination: spec.destination)
        if outcome == .interrupted || outcome == .failed { return outcome }
        let preview = builder.finish()
        if !preview.refusedFolders.isEmpty {
            outcome = max(outcome, .incomplete)
            console.warning("\(preview.refusedFolders.count) source folders have a non-folder in their place in \(destination); left alone")
        }
        // What the drive cannot store leaves the copy otherwise complete (so recorded), and
        // the exit status 1 (so that a timer notices).
        let cannotStore: Outcome = preview.unstorable.isEmpty ? .done : .incomplete
        if preview.isEmpty {
            report.listUnstorable(preview, destination: spec.destination, type: drives.destination.type)
            report.nothingToDo(unstorable: preview.unstorable.count)
            var totals = ApplyTotals()
            totals.unstorable = preview.unstorable.count
            if !options.dryRun { onFinished(spec, totals, outcome) }
            return max(outcome, cannotStore)
        }
        report.listUnstorable(preview, destination: spec.destination, type: drives.destination.type)
        report.list(preview)
        if options.dryRun {
            console.line("Dry run: nothing was changed.")
            return max(outcome, cannotStore)
        }

        // 2. Confirm: every question for this destination before anything is copied to it.
        let confirmed = try confirmChanges(preview, spec: spec)
        let (overwrite, delete, declined) = (confirmed.overwrite, confirmed.delete, confirmed.declined)
        if confirmed.leftSomething { outcome = max(outcome, .incomplete) }

        // 3. Apply exactly what was shown and accepted, and still as it was shown.
        let (current, changedSince) = preview.keepingOnlyUnchanged(in: spec.destination.path, fileSystem: destinationFiles)
        if !changedSince.isEmpty && (overwrite || delete) {
            console.warning("\(changedSince.count) items changed in \(destination) since the preview; left alone: "
                + changedSince.prefix(10).joined(separator: ", ") + (changedSince.count > 10 ? ", …" : ""))
            outcome = max(outcome, .incomplete)
        }
        let plan = ApplyPlan.make(preview: current, spec: spec, overwrite: overwrite, delete: delete, linksHardLinks: !spec.destination.isRemote,
                                  keepsReplaced: command.trashFolder != nil)
        // Folder times after deletions are set directly where both folders are on this machine;
        // otherwise by a run that lists the folders the source still has.
        let local = !spec.source.isRemote && !spec.destination.isRemote
        var timedFolders: [String] = []
        if !local && !plan.folderTimes.isEmpty {
            let found = sourceFiles.stamps(of: plan.folderTimes.map { Paths.join(spec.source.path, $0 == "." ? "" : $0) })
            timedFolders = zip(plan.folderTimes, found).filter { $0.1?.kind == .directory }.map(\.0)
        }

        if plan.bulk && !current.unstorable.isEmpty {
            guard let rules = writeList(command.exclusionRules(for: current.unstorable.map(\.path))) else {
                console.warning("cannot write a temporary file list; nothing copied to \(destination)")
                return .failed
            }
            listFiles.append(rules)
            command.unstorableRules = rules
        }
        var steps: [Step] = []
        let runs: [([String], (String) -> [String], Bool)] = [
            (plan.deletionList, command.deletion(listFile:), false),
            (plan.replaceList, command.replace(listFile:), true),
            (plan.addList, { command.add(listFile: $0, refused: plan.refused, topLevel: ApplyPlan.topLevel(of: plan.addList)) }, true),
            (timedFolders, { command.add(listFile: $0, refused: plan.refused, topLevel: ApplyPlan.topLevel(of: timedFolders)) }, false),
        ]
        for (list, arguments, copies) in runs where !list.isEmpty {
            guard let listFile = writeList(list) else {
                console.warning("cannot write a temporary file list; nothing copied to \(destination)")
                return .failed
            }
            listFiles.append(listFile)
            steps.append(copies ? copying(arguments(listFile), printsLocationPaths: true) : Step(arguments: arguments(listFile), printsLocationPaths: true))
        }
        if plan.bulk { steps.append(copying(command.bulkNew(refused: plan.refused + plan.hardLinks.map(\.path)), printsLocationPaths: false)) }
        steps = try confirmedWithVerbose(steps)
        var links = plan.hardLinks
        if options.verbose && !links.isEmpty {
            for link in links { console.line("link " + PathBytes.display(link.path) + " to " + PathBytes.display(link.leader) + (link.replaces ? " (replacing it)" : "")) }
            if !(try questions.confirm("Make these hard links?", yes: "yes", no: "no")) { links = []; console.line("Skipped.") }
        }
        if options.verbose && !listFiles.isEmpty {
            console.line("(the file lists named above are kept for pasting: " + listFiles.map(PathBytes.display).joined(separator: " ") + ")")
        }
        // Answering -v's questions takes a person's time: if the destination changed meanwhile,
        // the commands shown no longer describe what they would do, so none of them runs.
        let changedWhileAsking = options.verbose ? current.keepingOnlyUnchanged(in: spec.destination.path, fileSystem: destinationFiles).changed : []
        if !changedWhileAsking.isEmpty && !steps.isEmpty {
            console.warning("\(changedWhileAsking.count) items changed in \(destination) while the commands were asked about: "
                + changedWhileAsking.prefix(10).joined(separator: ", ") + (changedWhileAsking.count > 10 ? ", …" : "")
                + "; nothing was run for it (run micsync again to see the changes)")
            return finish(spec, .incomplete, ApplyTotals(), started, declined)
        }

        if !steps.isEmpty || !current.caseRenames.isEmpty { warnUnlocked(spec) }
        let replaced = Set(plan.replaceList)
        var totals = ApplyTotals()
        if !rename(current.caseRenames, spec: spec, totals: &totals) { outcome = max(outcome, .incomplete) }
        totals.declined = (overwrite ? 0 : preview.modified.count) + (delete ? 0 : preview.deletions.count)
        totals.unstorable = preview.unstorable.count
        for step in steps {
            outcome = max(outcome, apply(step, command: command, replaced: replaced, totals: &totals))
            if outcome == .interrupted { break }
        }
        if outcome < .failed && !links.isEmpty { outcome = max(outcome, link(links, spec: spec, totals: &totals)) }
        if outcome < .failed && !steps.isEmpty && local {
            for folder in plan.folderTimes {
                _ = fileSystem.copyModificationTime(from: Paths.join(spec.source.path, folder), to: Paths.join(spec.destination.path, folder))
            }
        }
        return finish(spec, outcome, totals, started, declined)
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
    private func rename(_ renames: [Change], spec: TransferSpec, totals: inout ApplyTotals) -> Bool {
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
    private func link(_ links: [ApplyPlan.HardLink], spec: TransferSpec, totals: inout ApplyTotals) -> Outcome {
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
    private func warnUnlocked(_ spec: TransferSpec) {
        guard spec.destination.isRemote else { return }
        console.warning("\(spec.destination.displayName) is remote, so it is not locked: do not let another micsync run write to it at the same time")
    }

    /// With -v, each command that changes files is shown and needs a yes; all are asked before
    /// the first runs, so that running out of answers leaves the destination untouched.
    private func confirmedWithVerbose(_ steps: [Step]) throws(CancelledError) -> [Step] {
        guard options.verbose else { return steps }
        var accepted: [Step] = []
        for step in steps {
            console.line("$ " + ShellQuote.command(step.arguments))
            if try questions.confirm("Run this command?", yes: "yes", no: "no") { accepted.append(step) } else { console.line("Skipped.") }
        }
        return accepted
    }

    private func finish(_ spec: TransferSpec, _ outcome: Outcome, _ totals: ApplyTotals, _ started: Double, _ declined: [String]) -> Outcome {
        onFinished(spec, totals, outcome)
        if outcome == .interrupted {
            // rsync names a file when it starts on it, so the last one counted may be unfinished.
            report.interrupted(totals, seconds: clock() - started)
        } else {
            report.summary(totals, seconds: clock() - started, declined: declined, complete: outcome == .done)
        }
        return totals.unstorable > 0 ? max(outcome, .incomplete) : outcome
    }

    /// The destination has nothing of the items yet: one real run, its lines listed afterwards.
    private func singleRun(_ command: RsyncCommand, started: Double) throws(CancelledError) -> Outcome {
        let steps = try confirmedWithVerbose([copying(command.singleRun(), printsLocationPaths: false)])
        guard let step = steps.first else { return .done }
        var totals = ApplyTotals()
        var done = Preview()
        // Counted for the listing as they stream, as the preview counts new items.
        var copied = NewItemCollector(holding: Report.newItemListLimit + 1)
        var written = copied
        if options.verbose { (copied.log, written.log) = (SpillFile(environment: environment), SpillFile(environment: environment)) }
        let logs = [copied.log?.path, written.log?.path].compactMap { $0 }
        defer { logs.forEach(removeFile) }
        let outcome = apply(step, command: command, replaced: [], totals: &totals, each: { line, path in
            let change = Change(kind: .new, path: path, isDirectory: line.isDirectory, itemize: line.itemize)
            if line.isCreation { copied.add(change) } else { done.folderUpdates.append(change) }
        }, written: { item in written.add(Change(kind: .new, path: item.path, isDirectory: item.isDirectory, itemize: "")) })
        // rsync names an item before writing it: after errors, only what was written is listed as copied.
        if outcome != .done { swap(&copied, &written) }
        done.newListing = copied.finish()
        (done.new, done.newBeyondHeld) = (copied.held, copied.beyond)
        if done.isEmpty && outcome == .done {
            report.nothingToDo()
            onFinished(command.spec, totals, outcome)
            return outcome
        }
        report.list(done)
        return finish(command.spec, outcome, totals, started, [])
    }

    /// Runs one command that changes files and counts what it reported doing.
    private func apply(_ step: Step, command: RsyncCommand, replaced: Set<String>, totals: inout ApplyTotals,
                       each: (ItemizedLine, String) -> Void = { _, _ in }, written: (CreatedItems.Item) -> Void = { _ in }) -> Outcome {
        // rsync would create a missing destination folder: a drive unplugged since the preview
        // must not turn into a new folder on the disc beneath its mount point. (A remote one is
        // guarded by the `cd` into it that starts rsync's server there.)
        guard command.spec.destination.isRemote || fileSystem.isDirectory(command.spec.destination.path) else {
            console.warning("\(command.spec.destination.displayName) is no longer accessible (unplugged, or its host unreachable?); nothing more copied to it")
            return .failed
        }
        var messages: [String] = []
        let sourceFiles = fileSystem.on(command.spec.source)
        /// What this run said it created, checked when it ends with errors: rsync names an item
        /// before writing it, and a drive may refuse it then.
        var created = CreatedItems(environment: environment)
        var live = LiveProgress(console: console, clock: clock)
        let result = run(step.arguments, showingProgress: step.showsProgress, onProgress: { live.update($0) }) { text in
            guard let line = command.parse(text, sourceFiles: sourceFiles) else {
                if !text.isEmpty { messages.append(text) }
                return
            }
            let path = step.printsLocationPaths ? line.name : command.locationPath(ofPrinted: line.name)
            if step.showsProgress && !line.isDeletion { live.file = PathBytes.display(path) }
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
        let outcome = outcome(of: result, destination: command.spec.destination)
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

    /// Runs rsync; nil (with a message) when it cannot be started.
    private func run(_ arguments: [String], showingProgress: Bool = false, onProgress: (String) -> Void = { _ in },
                     onLine: (String) -> Void) -> ProcessResult? {
        do {
            if showingProgress { return try runner.run(arguments, environment: environment, onLine: onLine, onProgress: onProgress) }
            return try runner.run(arguments, environment: environment, onLine: onLine)
        } catch {
            console.warning(error.description)
            return nil
        }
    }

    private func outcome(of result: ProcessResult, destination: Location) -> Outcome {
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

    func writeList(_ paths: [String]) -> String? { ListFile.write(paths, environment: environment) }

    func removeFile(_ path: String) { ListFile.remove(path) }
}

/// The live progress line of one rsync run: redrawn at most ten times a second, cleared at the end.
struct LiveProgress {
    let console: Console
    let clock: @Sendable () -> Double
    /// The item rsync named last (location-relative, for display).
    var file = ""
    private var lastDrawn: Double?
    private var shown = false

    init(console: Console, clock: @escaping @Sendable () -> Double) {
        self.console = console
        self.clock = clock
    }

    mutating func update(_ text: String) {
        guard let progress = ProgressLine.parse(text) else { return }
        let now = clock()
        if let lastDrawn, now - lastDrawn < 0.1 && progress.percent < 100 { return }
        lastDrawn = now
        console.progress(progress.formatted(file: file, width: console.terminalWidth))
        shown = true
    }

    mutating func clear() {
        guard shown else { return }
        console.clearProgress()
        shown = false
    }
}
