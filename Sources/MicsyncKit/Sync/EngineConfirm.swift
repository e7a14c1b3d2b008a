/// The answers for one destination: what may be overwritten and deleted, asked of a person only
/// when `ChangeDecision` leaves it to one.
struct ConfirmedChanges {
    var overwrite: Bool
    var delete: Bool
    /// For the summary line: what was not done, e.g. "3 modified left as they were".
    var declined: [String]
    /// Something wanted was not done (left for a person, or past a limit): the run is incomplete.
    var leftSomething: Bool
}

extension Engine {
    /// Every question for this destination, before anything is copied to it. Past a limit, or
    /// with nobody to answer, the reason is printed with the counts instead of a question.
    /// `asking` false (a dry run, which asks no yes/no question): only what the limits and
    /// `--unattended` leave out is said, so that `-n` shows it too.
    func confirmChanges(_ preview: Preview, spec: TransferSpec, asking: Bool = true) throws(CancelledError) -> ConfirmedChanges {
        let destination = spec.destination.displayName
        let modified = preview.modified.count
        let deletions = preview.deletions.count
        var items: Int?
        if ChangeDecision.needsItemCount(modified: modified, deletions: deletions, options: options, policy: spec.policy) {
            items = fileSystem.selectionItemCount(of: spec)
        }
        let removedInside = preview.modified.reduce(0) { $0 + ($1.replaces == "folder" ? $1.contained.count : 0) }
        let decision = ChangeDecision.decide(modified: modified, deletions: deletions, items: items, options: options, policy: spec.policy,
                                             removedInside: removedInside)
        var overwrite = true
        switch decision.overwrite {
        case .none, .accepted: overwrite = true
        case .notRequested: overwrite = false
        case .ask where !asking: overwrite = true
        case .ask:
            overwrite = try questions.confirm("Overwrite these \(modified) files in \(destination)? (everything else is copied anyway)", yes: "Modify")
        case .leftUnattended:
            overwrite = false
            console.warning("\(modified) modified items in \(destination) left as they were: nobody to answer (--unattended); "
                + "-m or \"unattended_overwrite\": true overwrites them")
        case .overLimit(let limit):
            overwrite = false
            console.warning("\(modified) modified items in \(destination)" + (removedInside > 0 ? " (and the \(removedInside) items inside the folders they replace)" : "")
                + " are more than "
                + limitName(kind: "overwrite", fromOption: options.maxOverwrite != nil, fromConfig: spec.policy.maxOverwrite != nil)
                + " (\(limit.explained(items: items))): nothing overwritten there; new items are still copied")
        case .replacesFolders(let limit):
            overwrite = false
            let why = limit.map { "more than " + limitName(kind: "delete", fromOption: options.maxDelete != nil, fromConfig: spec.policy.maxDelete != nil)
                + " (\($0.explained(items: items)))" } ?? "deletions nobody allowed (--unattended without -D or \"unattended_delete\": true)"
            console.warning("\(modified) modified items in \(destination) replace folders holding \(removedInside) items, which would be deleted with them: "
                + why + "; nothing overwritten there; new items are still copied")
        }
        var delete = false
        switch decision.delete {
        case .none, .notRequested, .replacesFolders: delete = false
        case .accepted: delete = true
        case .ask where !asking: delete = true
        case .ask: delete = try questions.confirm("Delete these \(deletions) items in \(destination)?", yes: "Delete")
        case .leftUnattended:
            console.warning("\(deletions) items in \(destination) not deleted: nobody to answer (--unattended); "
                + "-D or \"unattended_delete\": true deletes them")
        case .overLimit(let limit):
            console.warning("\(deletions) items to delete in \(destination) are more than "
                + limitName(kind: "delete", fromOption: options.maxDelete != nil, fromConfig: spec.policy.maxDelete != nil)
                + " (\(limit.explained(items: items))): nothing deleted there; new items are still copied")
        }
        var declined: [String] = []
        if !overwrite && modified > 0 { declined.append("\(modified) modified left as they were") }
        if !delete && deletions > 0 { declined.append("\(deletions) not deleted") }
        return ConfirmedChanges(overwrite: overwrite, delete: delete, declined: declined, leftSomething: decision.leftSomething)
    }

    /// Where a limit came from, for the message: the option, the config key, or the default.
    private func limitName(kind: String, fromOption: Bool, fromConfig: Bool) -> String {
        if fromOption { return "--max-\(kind)" }
        if fromConfig { return "the config's \"max_\(kind)\"" }
        return "the default limit of unattended runs (--max-\(kind) or \"max_\(kind)\" sets another)"
    }
}
