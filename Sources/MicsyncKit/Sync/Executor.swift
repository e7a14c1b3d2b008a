/// One destination after its questions: the preview, the answers, and (with -v, where they were
/// shown and asked about) the runs made ready.
public struct AnsweredDestination: Sendable {
    public let previewed: DestinationPreview
    public internal(set) var answers = DestinationAnswers()
    /// Made while asking (-v); otherwise made just before applying.
    var prepared: PreparedRuns?

    init(previewed: DestinationPreview) { self.previewed = previewed }

    public var spec: TransferSpec { previewed.spec }

    /// Whether its apply stage has work: its preview found changes, or it gets a single run (the
    /// answers may still decline some of them; the apply then says so in its summary).
    public var applies: Bool {
        if case .finished = previewed.next { return false }
        return true
    }
}

/// The runs of a plan made ready: their lists written, their arguments built.
struct PreparedRuns: Sendable {
    var plan: RunPlan
    var steps: [Engine.Step]
    /// With the exclusion rules of the bulk run, when it has some.
    var command: RsyncCommand
    /// The preview as the destination still was when the plan was made.
    var current: Preview
    var outcome: Outcome
    var listFiles: [String]
    /// -v's question about the hard links micsync makes itself.
    var linksAccepted = true
}

extension DestinationPreview.Next {
    var isSingleRun: Bool {
        if case .singleRun = self { return true }
        return false
    }
}

extension Engine {
    // MARK: 3. Apply

    /// Runs what was shown and accepted, and still as it was shown; prints the results. Only
    /// rsync and the renames and links of the plan write to the destination.
    public func apply(_ answered: AnsweredDestination, progress: ProgressSlot?) -> Outcome {
        let previewed = answered.previewed
        defer { previewed.lock?.release() }
        switch previewed.next {
        case .finished(let outcome): return outcome
        case .singleRun, .changes: break
        }
        let ready = options.verbose ? answered.prepared : prepare(answered)
        guard let prepared = ready else {
            if !options.verbose { previewed.listFiles.forEach(lists.remove) }
            return .failed
        }
        defer { if !options.verbose { prepared.listFiles.forEach(lists.remove) } }
        if previewed.next.isSingleRun { return singleRun(prepared, spec: previewed.spec, started: previewed.started, progress: progress) }
        return execute(prepared, answered, progress: progress)
    }

    /// The plan for the destination as it is now (items changed since the preview are left
    /// alone, said here), with its lists written; nil (said why) when a list cannot be.
    func prepare(_ answered: AnsweredDestination) -> PreparedRuns? {
        let spec = answered.spec
        switch answered.previewed.next {
        case .finished: return nil
        case .singleRun: return prepare(answered.previewed, plan: RunPlan(runs: [.single]), current: Preview())
        case .changes(let preview):
            let (current, changedSince) = preview.keepingOnlyUnchanged(in: spec.destination.path, fileSystem: fileSystem.on(spec.destination))
            var outcome = answered.previewed.outcome
            if answered.answers.leftSomething { outcome = max(outcome, .incomplete) }
            if !changedSince.isEmpty && (answered.answers.overwrite || answered.answers.delete) {
                console.warning("\(changedSince.count) items changed in \(spec.destination.displayName) since the preview; left alone: "
                    + Self.some(changedSince))
                outcome = max(outcome, .incomplete)
            }
            // Folder times after deletions are set directly where both folders are on this
            // machine; otherwise by a run that lists the folders the source still has.
            let sourceFiles = fileSystem.on(spec.source)
            let local = !spec.source.isRemote && !spec.destination.isRemote
            let trash = answered.previewed.command?.trashFolder != nil
            // micsync deletes itself where it can (cheaper than a run asking the source about each
            // name); -v shows commands to paste, and -k's trash is rsync's, so those keep the run.
            let plan = RunPlan.make(preview: current, spec: spec, answers: answered.answers, local: local, keepsReplaced: trash,
                                    deletesDirectly: local && !trash && !options.verbose) { folders in
                let found = sourceFiles.stamps(of: folders.map { Paths.join(spec.source.path, $0 == "." ? "" : $0) })
                return zip(folders, found).filter { $0.1?.kind == .directory }.map(\.0)
            }
            guard var prepared = prepare(answered.previewed, plan: plan, current: current) else { return nil }
            prepared.outcome = max(prepared.outcome, outcome)
            return prepared
        }
    }

    /// Writes the plan's lists and builds each run's arguments.
    func prepare(_ previewed: DestinationPreview, plan: RunPlan, current: Preview) -> PreparedRuns? {
        guard var command = previewed.command else { return nil }
        var listFiles = previewed.listFiles
        if plan.runs.contains(.bulk) && !plan.unstorable.isEmpty {
            guard let rules = writeList(command.exclusionRules(for: plan.unstorable), into: &listFiles, for: previewed.spec) else {
                return abandoned(listFiles)
            }
            command.unstorableRules = rules
        }
        var steps: [Step] = []
        for run in plan.runs {
            var listFile: String?
            switch run {
            case .delete(let list), .replace(let list), .add(let list), .folderTimes(let list):
                guard let written = writeList(list, into: &listFiles, for: previewed.spec) else { return abandoned(listFiles) }
                listFile = written
            case .bulk, .single: break
            }
            steps.append(Step(arguments: command.arguments(for: run, listFile: listFile, plan: plan, overallProgress: options.showProgress),
                              printsLocationPaths: listFile != nil, showsProgress: options.showProgress && run.copies, deletes: run.deletes))
        }
        return PreparedRuns(plan: plan, steps: steps, command: command, current: current, outcome: previewed.outcome, listFiles: listFiles)
    }

    private func abandoned(_ listFiles: [String]) -> PreparedRuns? {
        if !options.verbose { listFiles.forEach(lists.remove) }
        return nil
    }

    /// Renames, runs, links and folder times, then the summary.
    private func execute(_ prepared: PreparedRuns, _ answered: AnsweredDestination, progress: ProgressSlot?) -> Outcome {
        let spec = answered.spec
        guard case .changes(let preview) = answered.previewed.next else { return .failed }
        let declined = answered.answers.declined
        let current = prepared.current
        // Answering -v's questions takes a person's time: if the destination changed meanwhile,
        // the commands shown no longer describe what they would do, so none of them runs.
        let changedWhileAsking = options.verbose ? current.keepingOnlyUnchanged(in: spec.destination.path, fileSystem: fileSystem.on(spec.destination)).changed : []
        if !changedWhileAsking.isEmpty && !prepared.steps.isEmpty {
            console.warning("\(changedWhileAsking.count) items changed in \(spec.destination.displayName) while the commands were asked about: "
                + Self.some(changedWhileAsking)
                + "; nothing was run for it (run micsync again to see the changes)")
            return finish(spec, .incomplete, ApplyTotals(), answered.previewed.started, declined)
        }
        let writes = !prepared.steps.isEmpty || !prepared.plan.deletions.isEmpty
        if writes || !current.caseRenames.isEmpty { warnUnlocked(spec) }
        var outcome = prepared.outcome
        let replaced = Set(prepared.plan.replaced)
        var totals = ApplyTotals()
        if !rename(current.caseRenames, spec: spec, totals: &totals) { outcome = max(outcome, .incomplete) }
        totals.declined = answered.answers.declinedCount(in: preview)
        totals.unstorable = preview.unstorable.count
        if !prepared.plan.deletions.isEmpty { outcome = max(outcome, delete(prepared.plan.deletions, spec: spec, totals: &totals)) }
        for step in prepared.steps {
            if outcome == .interrupted { break }
            outcome = max(outcome, apply(step, command: prepared.command, replaced: replaced, totals: &totals, progress: progress))
        }
        let links = prepared.linksAccepted ? prepared.plan.hardLinks : []
        if outcome < .failed && !links.isEmpty { outcome = max(outcome, link(links, spec: spec, totals: &totals)) }
        if outcome < .failed && writes {
            for folder in prepared.plan.folderTimes {
                _ = fileSystem.copyModificationTime(from: Paths.join(spec.source.path, folder), to: Paths.join(spec.destination.path, folder))
            }
        }
        return finish(spec, outcome, totals, answered.previewed.started, declined)
    }

    /// The destination had nothing of the items: one real run, its lines listed afterwards.
    private func singleRun(_ prepared: PreparedRuns, spec: TransferSpec, started: Double, progress: ProgressSlot?) -> Outcome {
        guard let step = prepared.steps.first else { return .done }
        var totals = ApplyTotals()
        var done = Preview()
        // Counted for the listing as they stream, as the preview counts new items.
        var copied = NewItemCollector(holding: Report.newItemListLimit + 1)
        var written = copied
        if options.verbose { (copied.log, written.log) = (SpillFile(environment: environment), SpillFile(environment: environment)) }
        let logs = [copied.log?.path, written.log?.path].compactMap { $0 }
        defer { logs.forEach(lists.remove) }
        let outcome = apply(step, command: prepared.command, replaced: [], totals: &totals, progress: progress, each: { line, path in
            let change = Change(kind: .new, path: path, isDirectory: line.isDirectory, itemize: line.itemize)
            if line.isCreation { copied.add(change) } else { done.folderUpdates.append(change) }
        }, written: { item in written.add(Change(kind: .new, path: item.path, isDirectory: item.isDirectory, itemize: "")) })
        // rsync names an item before writing it: after errors, only what was written is listed as copied.
        if outcome != .done { swap(&copied, &written) }
        done.newListing = copied.finish()
        (done.new, done.newBeyondHeld) = (copied.held, copied.beyond)
        if done.isEmpty && outcome == .done {
            report.nothingToDo()
            onFinished(spec, totals, outcome)
            return outcome
        }
        report.list(done)
        return finish(spec, outcome, totals, started, [])
    }
}
