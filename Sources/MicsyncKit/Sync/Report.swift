/// Everything a person reads about a copy: heading, listings grouped by kind, questions' context
/// and the summary. It never runs rsync.
public struct Report: Sendable {
    let console: Console
    let options: SyncOptions

    public init(console: Console, options: SyncOptions) {
        self.console = console
        self.options = options
    }

    public func heading(_ spec: TransferSpec) {
        console.line()
        let text = "\(spec.action.rawValue) · \(spec.configName) · \(spec.source.displayName) → \(spec.destination.displayName)"
        console.line(console.styled(text, .bold))
    }

    /// Starts one destination's results when several destinations are copied (their results
    /// come after every destination's questions).
    public func resultsHeading(_ spec: TransferSpec) {
        console.line()
        console.line(console.styled("Results for \(spec.destination.displayName):", .bold))
    }

    /// Lists the changes grouped by kind. New items inside a folder that replaces a file are
    /// listed with that change: they are copied only if it is accepted.
    public func list(_ preview: Preview) {
        let replacingFolders = preview.modified.filter { $0.isDirectory && $0.replaces != nil }.map(\.path)
        var insideReplacing: [String: [String]] = [:]
        var new = preview.new
        if !replacingFolders.isEmpty {
            new = []
            for change in preview.new {
                if let owner = replacingFolders.first(where: { change.path.hasPrefix($0 + "/") }) {
                    insideReplacing[owner, default: []].append(change.displayPath)
                } else {
                    new.append(change)
                }
            }
        }
        var modified = preview.modified
        for index in modified.indices { modified[index].contained += insideReplacing[modified[index].path] ?? [] }
        listNew(new, listing: preview.newListing ?? Self.listing(of: new), allHeld: preview.newBeyondHeld == 0)
        group("Modified", modified, style: .yellow)
        group("Delete", preview.deletions, style: .red)
        if !preview.keptForSource.isEmpty {
            console.line(console.styled("Not deleted: the source's drive cannot hold them (\(preview.keptForSource.count)):", .cyan))
            for change in preview.keptForSource { console.line("  " + change.displayPath + "  (" + (change.refusal ?? "") + ")") }
        }
        if !preview.caseRenames.isEmpty {
            console.line(console.styled("Renamed in case only (\(preview.caseRenames.count)):", .yellow))
            for change in preview.caseRenames {
                console.line("  " + PathBytes.display(change.renamedFrom ?? "") + (change.isDirectory ? "/" : "") + " → " + change.displayPath)
            }
        }
        group("Folder attributes", preview.folderUpdates, style: .cyan)
        if !preview.refusedFolders.isEmpty {
            let note = options.filesOnly ? ", folders not listed" : ""
            console.line(console.styled("Not a folder in the destination, left alone (\(preview.refusedFolders.count)\(note)):", .red))
            for change in preview.refusedFolders where !options.filesOnly {
                console.line("  \(change.displayPath)  (a \(change.replaces ?? "file") is there)")
            }
        }
        for message in preview.messages { console.line("  rsync: " + PathBytes.display(message)) }
    }

    /// Above this many new items the listing counts them per folder instead (-v lists them all).
    /// Modified and deleted items are always listed in full: they are what is at risk.
    public static let newItemListLimit = 100

    private func group(_ title: String, _ changes: [Change], style: TextStyle) {
        guard !changes.isEmpty else { return }
        // -s leaves folders out, but never a change of type: something is replaced there.
        let shown = options.filesOnly ? changes.filter { !$0.isDirectory || $0.replaces != nil } : changes
        if shown.isEmpty && title != "Delete" { return }
        // The count is that of the question that follows, folders included.
        let hidden = changes.count - shown.count
        let note = hidden > 0 && title != "New" && title != "Folder attributes" ? ", \(hidden) folders not listed" : ""
        let count = title == "New" || title == "Folder attributes" ? shown.count : changes.count
        console.line(console.styled("\(title) (\(count)\(note)):", style))
        for change in shown {
            var line = "  " + change.displayPath
            if let replaces = change.replaces {
                let inside = change.contained.isEmpty ? "" : change.replaces == "folder"
                    ? " and the \(change.contained.count) items in it" : "; with the \(change.contained.count) items in it"
                line += "  (replaces a \(replaces)\(inside))"
            }
            if change.destinationIsNewer { line += "  " + console.styled("newer", .red) + " in the destination" }
            if change.kind == .modified, let leader = change.hardLinkLeader { line += "  (becomes a hard link to \(PathBytes.display(leader)))" }
            if change.kind == .modified && change.replaces == nil && change.onlyContentDiffers { line += "  content differs (same size and time)" }
            console.line(line)
            for inner in change.contained where !(options.filesOnly && inner.hasSuffix("/")) {
                console.line("      " + inner)
            }
        }
    }

    /// The new items: past `newItemListLimit` counted per folder (one level below what all the
    /// items share, the largest first), otherwise each listed; with -v every one, read back from
    /// the preview's temporary file when they were not all held.
    private func listNew(_ held: [Change], listing: NewItemListing, allHeld: Bool) {
        let counts = options.filesOnly ? listing.files : listing.all
        guard counts.count > 0 else { return }
        if counts.count > Self.newItemListLimit && !options.verbose {
            console.line(console.styled("New (\(counts.count), counted per folder; -v lists each):", .green))
            for line in counts.lines() { console.line(line) }
            return
        }
        console.line(console.styled("New (\(counts.count)):", .green))
        // With -s the first non-folders are held even past the others (as many as are listed).
        if allHeld || (options.filesOnly && counts.count <= Self.newItemListLimit) {
            for change in held where !(options.filesOnly && change.isDirectory) { console.line("  " + change.displayPath) }
            return
        }
        let listed = listing.logFile.map { file in
            ListFile.readRecords(file) { line in
                if !(options.filesOnly && line.hasSuffix("/")) { console.line("  " + line) }
            }
        } ?? false
        guard !listed else { return }
        let shown = held.filter { !(options.filesOnly && $0.isDirectory) }
        for change in shown { console.line("  " + change.displayPath) }
        console.line("  … and \(Self.counted(counts.count - shown.count, "more item")) (the list of them could not be kept)")
    }

    /// The listing's counts of new items all held.
    static func listing(of new: [Change]) -> NewItemListing {
        var listing = NewItemListing()
        for change in new { listing.count(change) }
        return listing
    }

    /// "1 item", "2 items".
    static func counted(_ count: Int, _ noun: String) -> String { "\(count) " + noun + (count == 1 ? "" : "s") }

    public func nothingToDo(unstorable: Int = 0) {
        console.line(unstorable == 0 ? "Nothing to do: the destination is in step."
            : "Nothing else to do: the destination is in step but for " + (unstorable == 1 ? "the item" : "the \(unstorable) items") + " it cannot store.")
    }

    /// The items the destination cannot store, each with its reason, before anything else: they
    /// are not copied, and the run ends incomplete (exit status 1) so that a timer notices.
    public func listUnstorable(_ preview: Preview, destination: Location, type: String) {
        guard !preview.unstorable.isEmpty else { return }
        console.line(console.styled("Cannot be copied to \(destination.displayName) (\(type)) (\(preview.unstorable.count)):", .red))
        for change in preview.unstorable {
            let inside = change.contained.isEmpty ? "" : "; with " + Self.counted(change.contained.count, "item") + " in it"
            console.line("  " + change.displayPath + "  (" + (change.refusal ?? "cannot be stored") + inside + ")")
        }
    }

    /// `complete` false: rsync reported errors, and the counts are of what it started on.
    public func summary(_ totals: ApplyTotals, seconds: Double, declined: [String], complete: Bool = true) {
        var text = (complete ? "Done: " : "Incomplete (see above): ") + "\(totals.copied) copied, \(totals.overwritten) overwritten, \(totals.deleted) deleted, "
            + (totals.renamed > 0 ? "\(totals.renamed) renamed, " : "") + Self.bytes(totals.bytes) + " in " + Self.seconds(seconds)
        if !declined.isEmpty { text += "; " + declined.joined(separator: ", ") }
        if totals.unstorable > 0 { text += "; " + Self.counted(totals.unstorable, "item") + " the drive cannot store (listed above)" }
        console.line(console.styled(text, .bold))
    }

    public func interrupted(_ totals: ApplyTotals, seconds: Double) {
        console.line(console.styled("Interrupted after " + Self.seconds(seconds) + ": \(totals.copied) new, "
            + "\(totals.overwritten) modified and \(totals.deleted) deleted items had been started on; a file rsync had not finished keeps its "
            + "previous version (or is absent, if new). Run again to complete the copy.", .red))
    }

    static func bytes(_ count: Int64) -> String {
        if count < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB", "PB"]
        var value = Double(count) / 1000
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return formatted(value, places: value < 10 ? 1 : 0) + " " + units[unit]
    }

    static func seconds(_ value: Double) -> String { formatted(value, places: value < 10 ? 2 : 1) + " s" }

    static func formatted(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if places == 0 { text = String(text[..<dot]) } else if decimals < places { text += String(repeating: "0", count: places - decimals) }
        }
        return text
    }
}

/// Counts of what the apply runs reported doing.
public struct ApplyTotals: Equatable, Sendable {
    public var copied = 0
    public var overwritten = 0
    public var deleted = 0
    /// Renamed in case only on a drive that does not tell case apart.
    public var renamed = 0
    public var bytes: Int64 = 0
    /// Modified items and deletions shown but declined: the destination is not in step.
    public var declined = 0
    /// Items the destination's drive cannot store (listed in the preview): the copy is otherwise
    /// complete, and the run still ends with exit status 1.
    public var unstorable = 0
    public init() {}
}
