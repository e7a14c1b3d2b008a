/// A cap on what one run may overwrite or delete in one destination (`--max-delete`,
/// `--max-overwrite`, `"max_delete"`, `"max_overwrite"`): a number of items, or a percentage of
/// the items the selection holds in that destination.
public enum ChangeLimit: Equatable, Sendable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// `N` or `N%` (0 to 100 for a percentage); nil for anything else.
    public init?(parsing text: String) {
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
        if text.hasSuffix("%") {
            guard value <= 100 else { return nil }
            self = .percent(value)
        } else {
            self = .count(value)
        }
    }

    public var description: String {
        switch self {
        case .count(let value): "\(value)"
        case .percent(let value): "\(value)%"
        }
    }

    public var needsItemCount: Bool { if case .percent = self { return true }; return false }

    /// Whether `changes` items are within the limit; `items` is what the selection holds in the
    /// destination (nil: it could not be counted, so no percentage can be shown to be kept).
    public func allows(_ changes: Int, of items: Int?) -> Bool {
        switch self {
        case .count(let limit): return changes <= limit
        case .percent(let percent):
            guard let items else { return changes == 0 }
            return changes * 100 <= percent * items
        }
    }

    /// How the limit reads with its base: "10 items" or "10% of 40 items".
    public func explained(items: Int?) -> String {
        switch self {
        case .count(let limit): return limit == 1 ? "1 item" : "\(limit) items"
        case .percent(let percent):
            guard let items else { return "\(percent)% (the items there could not be counted)" }
            return "\(percent)% of \(items) items"
        }
    }
}

/// What a config says about overwrites and deletions with nobody there to answer, and its limits.
public struct ChangePolicy: Equatable, Sendable {
    public var maxDelete: ChangeLimit?
    public var maxOverwrite: ChangeLimit?
    /// `"unattended_overwrite": true`: an unattended run overwrites modified items as with -m.
    public var unattendedOverwrite = false
    /// `"unattended_delete": true`: an unattended run given -d deletes as with -D.
    public var unattendedDelete = false

    public init(maxDelete: ChangeLimit? = nil, maxOverwrite: ChangeLimit? = nil, unattendedOverwrite: Bool = false, unattendedDelete: Bool = false) {
        self.maxDelete = maxDelete
        self.maxOverwrite = maxOverwrite
        self.unattendedOverwrite = unattendedOverwrite
        self.unattendedDelete = unattendedDelete
    }

    /// The limits an unattended run gets when neither the command line nor the config sets one.
    public static let unattendedDefault = ChangeLimit.percent(10)
}

/// The answers for one destination, decided before anything is asked: from the preview's
/// counts, the options, the config's policy and its limits. Pure, so that every rule is
/// unit-tested; the engine asks only what this leaves to a person.
public struct ChangeDecision: Equatable, Sendable {
    public enum Answer: Equatable, Sendable {
        /// Nothing of this kind in the preview.
        case none
        /// Done without asking (-m, -D, or the config for an unattended run).
        case accepted
        /// A person is asked (an attended run without -m or -D).
        case ask
        /// Not done: deletions not asked for (-d not given)
        case notRequested
        /// Not done: an unattended run, and nobody said to do it.
        case leftUnattended
        /// Not done: more than the limit.
        case overLimit(ChangeLimit)
        /// Not done: the modified items replace folders, and what those hold would be deleted
        /// with them, which nobody allowed (an unattended run without -D) or which is more than
        /// the delete limit (given).
        case replacesFolders(ChangeLimit?)
    }

    public var overwrite: Answer
    public var delete: Answer

    /// The limits in force: the command line's, else the config's, else (unattended) the default.
    public static func limits(options: SyncOptions, policy: ChangePolicy) -> (overwrite: ChangeLimit?, delete: ChangeLimit?) {
        let fallback = options.unattended ? ChangePolicy.unattendedDefault : nil
        return (options.maxOverwrite ?? policy.maxOverwrite ?? fallback, options.maxDelete ?? policy.maxDelete ?? fallback)
    }

    /// `items`: what the selection holds in the destination, when a percentage limit applies.
    /// `removedInside`: what the folders that modified items replace hold, deleted with them:
    /// counted with the modified items against the overwrite limit, and as deletions against the
    /// delete limit and the unattended rule (never an unseen way around -D or --max-delete).
    public static func decide(modified: Int, deletions: Int, items: Int?, options: SyncOptions, policy: ChangePolicy,
                              removedInside: Int = 0) -> ChangeDecision {
        let (overwriteLimit, deleteLimit) = limits(options: options, policy: policy)
        var overwrite = Answer.none
        if modified > 0 {
            let allowed = options.overwriteWithoutAsking || (options.unattended && policy.unattendedOverwrite)
            // With nobody to answer and no -m, that is the reason, whatever the limit.
            let deletesAllowed = options.deletion == .withoutAsking || policy.unattendedDelete
            if options.unattended && !allowed {
                overwrite = .leftUnattended
            } else if removedInside > 0 && options.unattended && !deletesAllowed {
                overwrite = .replacesFolders(nil)
            } else if let limit = overwriteLimit, !limit.allows(modified + removedInside, of: items) {
                overwrite = .overLimit(limit)
            } else if removedInside > 0, let limit = deleteLimit, !limit.allows(removedInside + deletions, of: items) {
                overwrite = .replacesFolders(limit)
            } else {
                overwrite = allowed ? .accepted : .ask
            }
        }
        var delete = Answer.none
        if deletions > 0 {
            if options.deletion == .never {
                delete = .notRequested
            } else if options.unattended && !(options.deletion == .withoutAsking || policy.unattendedDelete) {
                delete = .leftUnattended
            } else if let limit = deleteLimit, !limit.allows(deletions, of: items) {
                delete = .overLimit(limit)
            } else {
                delete = options.deletion == .withoutAsking || (options.unattended && policy.unattendedDelete) ? .accepted : .ask
            }
        }
        return ChangeDecision(overwrite: overwrite, delete: delete)
    }

    /// Whether the item count of the destination is needed to decide (a percentage limit applies).
    public static func needsItemCount(modified: Int, deletions: Int, options: SyncOptions, policy: ChangePolicy) -> Bool {
        let (overwriteLimit, deleteLimit) = limits(options: options, policy: policy)
        return (modified > 0 && (overwriteLimit?.needsItemCount == true || deleteLimit?.needsItemCount == true))
            || (deletions > 0 && options.deletion != .never && deleteLimit?.needsItemCount == true)
    }

    /// Something the user wanted done was not: left for a person, or past a limit.
    public var leftSomething: Bool {
        [overwrite, delete].contains { answer in
            switch answer {
            case .leftUnattended, .overLimit, .replacesFolders: true
            default: false
            }
        }
    }
}
