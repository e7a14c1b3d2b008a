/// What to run once the questions are answered (SPEC section 5, step 3): exactly what was shown
/// and accepted. Pure: preview + answers → the lists the rsync runs take.
public struct ApplyPlan: Equatable, Sendable {
    /// Location-relative paths for the deletion run: the top-most deleted items and their folders.
    public var deletionList: [String] = []
    /// Location-relative paths for the exact run.
    public var exactList: [String] = []
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
        if useBulk {
            if !newItems.isEmpty || !preview.folderUpdates.isEmpty || !exact.isEmpty { plan.bulkRefused = refused }
        } else {
            exact += newItems.map(\.path) + preview.folderUpdates.map(\.path)
        }
        if !exact.isEmpty {
            plan.exactList = withParents(exact, spec: spec)
        }
        if delete && !preview.deletions.isEmpty {
            plan.deletionList = withParents(topMost(preview.deletions), spec: spec)
        }
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
    static func withParents(_ paths: [String], spec: TransferSpec) -> [String] {
        var seen = Set(paths)
        var result = paths
        for path in paths {
            var parent = Paths.parent(path)
            if parent.isEmpty { parent = "." }
            if path != "." && spec.isInside(parent) && seen.insert(parent).inserted { result.append(parent) }
        }
        return result
    }
}
