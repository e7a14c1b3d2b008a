/// The four sync actions as data (the README's "Usage"): the resolver and engine ask them questions.
public enum Action: String, Sendable, CaseIterable {
    case backup, work, transfer, tree

    public var sourceRole: Role { self == .backup ? .work : .backup }
    public var destinationRole: Role { self == .work || self == .tree ? .work : .backup }
    /// Whether -d/-D may be given.
    public var mayDelete: Bool { self == .work || self == .transfer }
    /// Whether -m may be given (and modified files are asked about).
    public var copiesFiles: Bool { self != .tree }
    /// Whether several destinations are written in one run.
    public var hasSeveralDestinations: Bool { self == .backup || self == .transfer }

    public var flagName: String { "--" + rawValue }
}

/// What to do with destination items the source lacks: never delete them (no -d or -D), ask
/// (-d), or delete without asking (-D). Not to be confused with -k, which keeps replaced and
/// deleted files in the trash (`SyncOptions.keep`).
public enum DeletionMode: Sendable, Equatable {
    case never, ask, withoutAsking
}

/// The options of a sync run (the README's "Usage"), after the command line is parsed.
public struct SyncOptions: Sendable, Equatable {
    public var overwriteWithoutAsking = false
    public var deletion = DeletionMode.never
    public var filesOnly = false
    public var verbose = false
    public var dryRun = false
    /// Wait for another run that holds a destination instead of stopping.
    public var waitForLock = false
    /// Let -d/-D run from an empty source location into a destination that is not empty.
    public var allowEmptySource = false
    /// -k: replaced and deleted files go to `.micsync-trash/<stamp>/` in the destination.
    public var keep = false
    /// The trash folder's name for this run, `YYYY-MM-DD_HHMMSS` (local time).
    public var trashStamp = "trash"
    /// A live progress line while rsync copies (standard output a terminal, no --no-progress).
    public var showProgress = false
    /// micsync runs as root: owners are kept, by number (`--numeric-ids`).
    public var asRoot = false
    /// -c: files compared by their contents, so that one whose bytes differ at the same size and
    /// time is listed as modified (and replaced when accepted).
    public var checksum = false
    /// `--parallel N`: at most N destinations previewed or copied at once (wins over the
    /// config's `"parallel"`; nil: the config's, else no limit but one copy per device).
    public var parallel: Int?
    /// --unattended: nobody is there to answer; what would be asked is left alone and listed.
    public var unattended = false
    /// --max-delete / --max-overwrite (they win over the config's keys).
    public var maxDelete: ChangeLimit?
    public var maxOverwrite: ChangeLimit?

    public init(overwriteWithoutAsking: Bool = false, deletion: DeletionMode = .never, filesOnly: Bool = false, verbose: Bool = false, dryRun: Bool = false) {
        self.overwriteWithoutAsking = overwriteWithoutAsking
        self.deletion = deletion
        self.filesOnly = filesOnly
        self.verbose = verbose
        self.dryRun = dryRun
    }
}
