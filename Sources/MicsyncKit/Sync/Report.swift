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
        group("New", new, style: .green)
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
        if title == "New" && shown.count > Self.newItemListLimit && !options.verbose {
            summarise(title, shown, style: style)
            return
        }
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

    /// Counts per folder one level below what all the items share, the largest first.
    private func summarise(_ title: String, _ changes: [Change], style: TextStyle) {
        console.line(console.styled("\(title) (\(changes.count), counted per folder; -v lists each):", style))
        // Two passes over the paths, one path's components at a time: memory stays with the
        // groups, not with the (possibly very many) items.
        let first = changes[0].path.split(separator: "/")
        var shared = first.count
        for change in changes.dropFirst() where shared > 0 {
            shared = min(shared, zip(first, change.path.split(separator: "/")).prefix { $0 == $1 }.count)
        }
        var counts: [String: Int] = [:]
        var order: [String] = []
        for change in changes {
            let components = change.path.split(separator: "/")
            let depth = min(shared + 1, components.count)
            var key = components.prefix(depth).joined(separator: "/")
            if components.count > depth || change.isDirectory { key += "/" }
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        let shownGroups = 20
        let firstSeen = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        order.sort { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : firstSeen[$0]! < firstSeen[$1]! }
        for key in order.prefix(shownGroups) {
            console.line("  " + PathBytes.display(key) + (key.hasSuffix("/") ? "  " + Self.counted(counts[key]!, "item") : ""))
        }
        if order.count > shownGroups {
            let rest = order.dropFirst(shownGroups).reduce(0) { $0 + counts[$1]! }
            console.line("  … and \(Self.counted(rest, "more item")) in \(Self.counted(order.count - shownGroups, "more place"))")
        }
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
        console.line(console.styled("Interrupted after " + Self.seconds(seconds) + ": rsync had started on \(totals.copied) new, "
            + "\(totals.overwritten) modified and \(totals.deleted) deleted items; a file it had not finished keeps its previous version "
            + "(or is absent, if new). Run again to complete the copy.", .red))
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
