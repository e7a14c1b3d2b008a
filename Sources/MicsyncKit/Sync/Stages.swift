/// The stages of a copy to one destination, as values: what its preview found
/// (`DestinationPreview`), the answers to its questions (`DestinationAnswers`), and the runs
/// that follow from both (`RunPlan`, pure). `Engine` makes the first two and carries out the
/// third; `DestinationScheduler` decides which destinations run side by side.

/// What the preview of one destination found, with what its copy needs later: the lock on the
/// destination (held from before the preview to the end of the apply) and the rsync command.
public struct DestinationPreview: Sendable {
    public enum Next: Sendable {
        /// Nothing more to do: it failed, was in step, or the run is a dry run.
        case finished(Outcome)
        /// The destination has nothing of the items yet: one run copies them (listed afterwards).
        case singleRun
        /// These changes were listed: they are asked about, then applied.
        case changes(Preview)
    }

    public let spec: TransferSpec
    public internal(set) var next: Next = .finished(.failed)
    /// How it ends at best so far (a folder left alone, an item the drive cannot store).
    public internal(set) var outcome = Outcome.done
    var command: RsyncCommand?
    var lock: LocationLock?
    /// Temporary file lists written for it (removed after the apply, kept with -v).
    var listFiles: [String] = []
    /// When its preview started (the summary gives the time from there).
    let started: Double

    init(spec: TransferSpec, started: Double) {
        self.spec = spec
        self.started = started
    }

    func finished(_ outcome: Outcome) -> DestinationPreview {
        var result = self
        result.next = .finished(outcome)
        return result
    }
}

/// The answers to one destination's questions.
public struct DestinationAnswers: Equatable, Sendable {
    /// Modified files are replaced (-m, or answered yes).
    public var overwrite = true
    /// Items the source lacks are deleted (-D, or -d answered yes).
    public var delete = false
    /// For the summary line: what was not done, e.g. "3 modified left as they were".
    public var declined: [String] = []
    /// Something wanted was left alone (nobody to answer, or past a limit): the run is incomplete.
    public var leftSomething = false

    public init(overwrite: Bool = true, delete: Bool = false, declined: [String] = [], leftSomething: Bool = false) {
        self.overwrite = overwrite
        self.delete = delete
        self.declined = declined
        self.leftSomething = leftSomething
    }

    /// How many shown changes were declined (the history's count).
    func declinedCount(in preview: Preview) -> Int {
        (overwrite ? 0 : preview.modified.count) + (delete ? 0 : preview.deletions.count)
    }
}

/// The rsync runs that carry out one destination's answers, in order, and what micsync does
/// itself around them. Pure: the preview (as it still is) and the answers give it.
public struct RunPlan: Equatable, Sendable {
    public enum Run: Equatable, Sendable {
        /// Deletes these items (the top-most of each deleted subtree).
        case delete([String])
        /// Replaces these items (the accepted modifications, with folders riding along).
        case replace([String])
        /// Adds these items and sets these folders again (`--ignore-existing`).
        case add([String])
        /// Gives these folders the source's times again after deletions (one side remote).
        case folderTimes([String])
        /// One `--ignore-existing` run over the trees for many new items.
        case bulk
        /// The whole copy in one run: the destination has nothing of the items yet.
        case single

        /// Whether it is the deletion run.
        public var deletes: Bool {
            if case .delete = self { return true }
            return false
        }

        /// Whether it copies file contents (and so shows progress on a terminal).
        public var copies: Bool {
            switch self {
            case .delete, .folderTimes: false
            case .replace, .add, .bulk, .single: true
            }
        }
    }

    public var runs: [Run] = []
    /// Declined changes of type and folders left alone: kept out of the adding and bulk runs.
    public var refused: [String] = []
    /// Items the destination cannot store, kept out of the bulk run by exclusion rules.
    public var unstorable: [String] = []
    /// Items the replacing run replaces (their contents deleted with them are not counted).
    public var replaced: [String] = []
    /// Renamed by micsync before the runs: items whose name differs in case only.
    public var caseRenames: [Change] = []
    /// Linked by micsync after the runs (rsync links a file only to one in its own run).
    public var hardLinks: [ApplyPlan.HardLink] = []
    /// Folders given the source folder's time directly after the runs (both sides local).
    public var folderTimes: [String] = []
    /// Deleted by micsync itself before the runs, instead of by a deletion run (both sides local,
    /// no trash): every accepted deletion of the preview, the contents of a folder before it, so
    /// that a folder is removed only while it is empty, i.e. holds nothing the preview did not list.
    public var deletions: [Change] = []

    public init(runs: [Run] = []) { self.runs = runs }

    /// The runs for `preview` (the destination as it still is) given `answers`. `local`: both
    /// sides are on this machine. `sourceFolders` tells which of the folders whose times
    /// deletions changed the source still has: only those are set again (a folder kept in the
    /// destination for what it holds, excluded items or items the source's drive cannot store,
    /// may have none in the source, and a run listing it would fail on it). `keepsReplaced`
    /// (-k): a file a hard link would replace is replaced by a copy instead (see `ApplyPlan`).
    /// `deletesDirectly`: the accepted deletions are made by micsync (`deletions`), not by a run.
    public static func make(preview: Preview, spec: TransferSpec, answers: DestinationAnswers, local: Bool, keepsReplaced: Bool = false,
                            deletesDirectly: Bool = false, sourceFolders: ([String]) -> [String] = { $0 }) -> RunPlan {
        var lists = ApplyPlan.make(preview: preview, spec: spec, overwrite: answers.overwrite, delete: answers.delete,
                                   linksHardLinks: !spec.destination.isRemote, keepsReplaced: keepsReplaced)
        if !lists.deletionList.isEmpty {
            let above = Set(lists.deletionList.map { Paths.parent($0).isEmpty ? "." : Paths.parent($0) })
            let gone = above.subtracting(sourceFolders(Array(above)))
            if !gone.isEmpty {
                lists.addList.removeAll(where: gone.contains)
                lists.replaceList.removeAll(where: gone.contains)
                lists.folderTimes.removeAll(where: gone.contains)
            }
        }
        var plan = RunPlan()
        plan.refused = lists.refused
        plan.replaced = lists.replaceList
        plan.caseRenames = preview.caseRenames
        plan.hardLinks = lists.hardLinks
        if !lists.deletionList.isEmpty {
            if deletesDirectly {
                plan.deletions = preview.deletions.sorted { Paths.depth($0.path) > Paths.depth($1.path) }
            } else {
                plan.runs.append(.delete(lists.deletionList))
            }
        }
        if !lists.replaceList.isEmpty { plan.runs.append(.replace(lists.replaceList)) }
        if !lists.addList.isEmpty { plan.runs.append(.add(lists.addList)) }
        if local {
            plan.folderTimes = lists.folderTimes
        } else if !lists.folderTimes.isEmpty {
            plan.runs.append(.folderTimes(lists.folderTimes))
        }
        if lists.bulk {
            plan.runs.append(.bulk)
            plan.unstorable = preview.unstorable.map(\.path)
        }
        return plan
    }
}
