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
    let options: SyncOptions
    let environment: [String: String]
    let clock: @Sendable () -> Double

    public init(runner: ProcessRunner, questions: Questions, console: Console, fileSystem: FileSystem,
                options: SyncOptions, environment: [String: String], clock: @escaping @Sendable () -> Double) {
        self.runner = runner
        self.questions = questions
        self.console = console
        self.fileSystem = fileSystem
        self.options = options
        self.environment = RsyncCommand.environment(from: environment)
        self.clock = clock
    }

    var report: Report { Report(console: console, options: options) }

    public func sync(_ spec: TransferSpec) throws(CancelledError) -> Outcome {
        let started = clock()
        report.heading(spec)
        let command = RsyncCommand(spec: spec, existingPrefix: existingPrefix(of: spec))
        let deleting = spec.action.mayDelete && options.deletion != .keep
        let noQuestionCanArise = spec.action.copiesFiles && options.overwriteWithoutAsking && options.deletion != .ask
        if !options.dryRun && (noQuestionCanArise || destinationLacksEverything(spec)) {
            return try singleRun(command, deleting: deleting, started: started)
        }

        // 1. Preview: one dry run over the trees.
        var builder = PreviewBuilder(command: command, fileSystem: fileSystem)
        let previewArguments = command.preview(deleting: deleting)
        if options.verbose { console.line("$ " + ShellQuote.command(previewArguments)) }
        guard let previewResult = run(previewArguments, destination: spec.destination, onLine: { builder.add($0) }) else { return .failed }
        var outcome = outcome(of: previewResult, destination: spec.destination)
        if outcome == .interrupted || outcome == .failed { return outcome }
        let preview = builder.finish()
        if !preview.refusedFolders.isEmpty {
            outcome = max(outcome, .incomplete)
            console.warning("\(preview.refusedFolders.count) source folders have a non-folder in their place in \(PathBytes.display(spec.destination.path)); left alone")
        }
        if preview.isEmpty {
            report.nothingToDo()
            return outcome
        }
        report.list(preview)
        if options.dryRun {
            console.line("Dry run: nothing was changed.")
            return outcome
        }

        // 2. Confirm: every question for this destination before anything is copied to it.
        let destination = PathBytes.display(spec.destination.path)
        var overwrite = true
        if !preview.modified.isEmpty && !options.overwriteWithoutAsking {
            overwrite = try questions.confirm("Overwrite these \(preview.modified.count) files in \(destination)? (everything else is copied anyway)", yes: "Modify")
        }
        var delete = false
        if !preview.deletions.isEmpty {
            switch options.deletion {
            case .withoutAsking: delete = true
            case .ask: delete = try questions.confirm("Delete these \(preview.deletions.count) items in \(destination)?", yes: "Delete")
            case .keep: delete = false
            }
        }
        var declined: [String] = []
        if !overwrite { declined.append("\(preview.modified.count) modified left as they were") }
        if !delete && !preview.deletions.isEmpty { declined.append("\(preview.deletions.count) not deleted") }

        // 3. Apply exactly what was shown and accepted.
        let plan = ApplyPlan.make(preview: preview, spec: spec, overwrite: overwrite, delete: delete)
        let acceptedReplacements = Set(overwrite ? preview.modified.map(\.path) : [])
        var totals = ApplyTotals()
        let runs: [(list: [String], arguments: (String) -> [String])] = [
            (plan.deletionList, command.deletion(listFile:)),
            (plan.exactList, { command.exact(listFile: $0, replacing: plan.exactReplaces) }),
        ]
        for (list, arguments) in runs where !list.isEmpty {
            guard let listFile = writeList(list) else {
                console.warning("cannot write a temporary file list; nothing more copied to \(destination)")
                return .failed
            }
            defer { _ = PathBytes.bytes(listFile).withCString { unlink($0) } }
            let step = try apply(arguments(listFile), command: command, accepted: acceptedReplacements, totals: &totals)
            outcome = max(outcome, step)
            if step == .interrupted { return finish(outcome, totals, started, declined) }
        }
        if let refused = plan.bulkRefused {
            outcome = max(outcome, try apply(command.bulkNew(refused: refused), command: command, accepted: acceptedReplacements, totals: &totals))
        }
        return finish(outcome, totals, started, declined)
    }

    private func finish(_ outcome: Outcome, _ totals: ApplyTotals, _ started: Double, _ declined: [String]) -> Outcome {
        if outcome == .interrupted {
            // rsync names a file when it starts on it, so the last one counted may be unfinished.
            report.interrupted(totals, seconds: clock() - started)
        } else {
            report.summary(totals, seconds: clock() - started, declined: declined)
        }
        return outcome
    }

    /// No question can arise: one real run, its itemized lines listed afterwards.
    private func singleRun(_ command: RsyncCommand, deleting: Bool, started: Double) throws(CancelledError) -> Outcome {
        var totals = ApplyTotals()
        var done = Preview()
        let outcome = try apply(command.singleRun(deleting: deleting), command: command, accepted: [], totals: &totals) { line in
            let path = command.locationPath(ofPrinted: line.name)
            let change = Change(kind: .new, path: path, isDirectory: line.isDirectory, itemize: line.itemize)
            if line.isDeletion { done.deletions.append(change) }
            else if line.isCreation { done.new.append(change) }
            else if line.fileType == "d" { done.folderUpdates.append(change) }
            else { done.modified.append(change) }
        }
        if done.isEmpty && outcome == .done {
            report.nothingToDo()
            return outcome
        }
        report.list(done)
        return finish(outcome, totals, started, [])
    }

    /// Runs one command that changes files (asking first with -v) and counts what it did.
    private func apply(_ arguments: [String], command: RsyncCommand, accepted: Set<String>, totals: inout ApplyTotals,
                       each: (ItemizedLine) -> Void = { _ in }) throws(CancelledError) -> Outcome {
        if options.verbose {
            console.line("$ " + ShellQuote.command(arguments))
            guard try questions.confirm("Run this command?", yes: "yes", no: "no") else {
                console.line("Skipped.")
                return .done
            }
        }
        var counted = ApplyTotals()
        var messages: [String] = []
        let result = run(arguments, destination: command.spec.destination) { text in
            guard let line = ItemizedLine.parse(text) else {
                if !text.isEmpty { messages.append(text) }
                return
            }
            each(line)
            let path = command.locationPath(ofPrinted: line.name)
            if line.isDeletion {
                counted.deleted += 1
            } else if line.fileType == "d" && !line.isCreation {
                return  // folder attributes: not an item copied
            } else if line.isCreation && !accepted.contains(path) {
                counted.copied += 1
                counted.bytes += line.fileType == "d" ? 0 : line.length
            } else {
                counted.overwritten += 1
                counted.bytes += line.fileType == "d" ? 0 : line.length
            }
        }
        totals.copied += counted.copied
        totals.overwritten += counted.overwritten
        totals.deleted += counted.deleted
        totals.bytes += counted.bytes
        for message in messages { console.line("  rsync: " + PathBytes.display(message)) }
        guard let result else { return .failed }
        return outcome(of: result, destination: command.spec.destination)
    }

    /// Runs rsync; nil (with a message) when it cannot be started.
    private func run(_ arguments: [String], destination: Location, onLine: (String) -> Void) -> ProcessResult? {
        do {
            return try runner.run(arguments, environment: environment, onLine: onLine)
        } catch {
            console.warning("cannot run \(error.program): \(error.reason) (is rsync installed? On Debian or Ubuntu: apt-get install rsync)")
            return nil
        }
    }

    private func outcome(of result: ProcessResult, destination: Location) -> Outcome {
        if result.interrupted || result.status == 20 || result.status == 130 { return .interrupted }
        if result.status == 0 { return .done }
        for line in result.errorOutput.split(separator: "\n") where !line.isEmpty {
            console.warning("rsync: " + PathBytes.display(String(line)))
        }
        let destinationText = PathBytes.display(destination.path)
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

    /// The deepest folder of the PATHs' parent that the destination already has.
    func existingPrefix(of spec: TransferSpec) -> String {
        var prefix = ""
        for component in spec.parent.split(separator: "/") {
            let next = Paths.join(prefix, String(component))
            guard fileSystem.kind(of: Paths.join(spec.destination.path, next)) == .directory else { break }
            prefix = next
        }
        return prefix
    }

    /// Nothing is at the destination yet: nothing can be overwritten or deleted, so no question.
    func destinationLacksEverything(_ spec: TransferSpec) -> Bool {
        if spec.isWholeLocation { return fileSystem.isEmptyDirectory(spec.destination.path) }
        return spec.roots.allSatisfy { fileSystem.kind(of: Paths.join(spec.destination.path, $0)) == .missing }
    }

    /// Writes a NUL-separated list for `--files-from --from0` into a private temporary file.
    func writeList(_ paths: [String]) -> String? {
        let base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/micsync-list.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        for path in paths { bytes += PathBytes.bytes(path) + [0] }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 { if errno == EINTR { continue }; return nil }
            offset += written
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
