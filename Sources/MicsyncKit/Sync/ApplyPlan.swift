/// What to run once the questions are answered (SPEC section 5, step 3): exactly what was shown
/// and accepted. Pure: preview + answers → the lists the rsync runs take.
public struct ApplyPlan: Equatable, Sendable {
    /// Location-relative paths for the deletion run: only the top-most deleted items, since every
    /// name in that run that the source lacks is deleted.
    public var deletionList: [String] = []
    /// Location-relative paths for the exact run: accepted modifications, new items, folder
    /// updates and the folders of all changes.
    public var exactList: [String] = []
    /// Whether the exact run replaces existing items (only when an overwrite was accepted).
    public var exactReplaces = false
    /// Declined changes of type that the bulk run must keep out; nil when no bulk run is needed.
    public var bulkRefused: [String]?

    public var isEmpty: Bool { deletionList.isEmpty && exactList.isEmpty && bulkRefused == nil }

    /// Above this many new items, one `--ignore-existing` run over the trees copies them faster
    /// than a list (rsync reads `--files-from` one byte at a time).
    public static let exactNewItemLimit = 2000

    public static func make(preview: Preview, spec: TransferSpec, overwrite: Bool, delete: Bool) -> ApplyPlan {
        var plan = ApplyPlan()
        let accepted = overwrite ? preview.modified : []
        let refused = (overwrite ? [] : preview.modified.filter { $0.replaces != nil }.map(\.path))
            + preview.refusedFolders.map(\.path)
        let newItems = preview.new.filter { change in !refused.contains { change.path.hasPrefix($0 + "/") } }
        let useBulk = spec.action == .tree || newItems.count > exactNewItemLimit

        var exact = accepted.map(\.path)
        plan.exactReplaces = !exact.isEmpty
        if useBulk {
            if !newItems.isEmpty || !preview.folderUpdates.isEmpty || !exact.isEmpty { plan.bulkRefused = refused }
        } else {
            exact += newItems.map(\.path) + preview.folderUpdates.map(\.path)
        }
        var touched = exact
        if delete && !preview.deletions.isEmpty {
            plan.deletionList = topMost(preview.deletions)
            touched += plan.deletionList
        }
        // Deleting in or writing into a folder changes its time: list those folders too.
        plan.exactList = withParents(exact, adding: touched, spec: spec)
        return plan
    }

    /// Deleting a folder deletes what is inside: list only the top-most of each deleted subtree.
    static func topMost(_ deletions: [Change]) -> [String] {
        let folders = Set(deletions.filter(\.isDirectory).map(\.path))
        return deletions.map(\.path).filter { path in
            var ancestor = Paths.parent(path)
            while !ancestor.isEmpty {
                if folders.contains(ancestor) { return false }
                ancestor = Paths.parent(ancestor)
            }
            return true
        }
    }

    /// Writing into a folder changes its time; listing the folder too makes rsync set it back to
    /// the source's afterwards. Folders above the copied items are not touched.
    static func withParents(_ paths: [String], adding changed: [String], spec: TransferSpec) -> [String] {
        var seen = Set(paths)
        var result = paths
        for path in changed {
            var parent = Paths.parent(path)
            if parent.isEmpty { parent = "." }
            if path != "." && spec.isInside(parent) && seen.insert(parent).inserted { result.append(parent) }
        }
        return result
    }
}
