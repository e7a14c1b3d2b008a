/// What to run once the questions are answered (the README's "How it works"): exactly what was shown
/// and accepted. Pure: preview + answers → the lists the rsync runs take.
public struct ApplyPlan: Equatable, Sendable {
    /// The deletion run: only the top-most deleted items, since every name in that run that the
    /// source lacks is deleted.
    public var deletionList: [String] = []
    /// The replacing run: only the accepted modifications.
    public var replaceList: [String] = []
    /// The adding run (`--ignore-existing`, it cannot replace anything): new items, folder
    /// updates, and the folders of every change, whose times the other runs disturbed.
    public var addList: [String] = []
    /// Declined changes of type, kept out of the adding and bulk runs by anchored rules.
    public var refused: [String] = []
    /// Whether many new items are copied by one `--ignore-existing` run over the trees.
    public var bulk = false
    /// Folders whose only change is the time their deletions gave them: set back to the
    /// source folder's time directly, without another rsync run.
    public var folderTimes: [String] = []
    /// Hard links to a file that the destination has, or gets in another run: rsync links a
    /// file only to one in its own run, so these are linked by micsync after the runs.
    public var hardLinks: [HardLink] = []

    public struct HardLink: Equatable, Sendable {
        /// Location-relative paths.
        public var path: String
        public var leader: String
        /// An existing file is replaced by the link (an accepted modification).
        public var replaces: Bool
    }

    public var isEmpty: Bool { deletionList.isEmpty && replaceList.isEmpty && addList.isEmpty && !bulk && folderTimes.isEmpty && hardLinks.isEmpty }

    /// Above this many new items, one `--ignore-existing` run over the trees copies them faster
    /// than a list (rsync reads `--files-from` one byte at a time).
    public static let exactNewItemLimit = 2000

    /// `linksHardLinks`: micsync can make hard links in the destination itself (a local one).
    /// `keepsReplaced` (-k): a file a link would replace goes to the trash, so it is replaced by
    /// the replacing run (as a copy) instead.
    public static func make(preview: Preview, spec: TransferSpec, overwrite: Bool, delete: Bool, linksHardLinks: Bool = false,
                            keepsReplaced: Bool = false) -> ApplyPlan {
        var plan = ApplyPlan()
        plan.replaceList = overwrite ? preview.modified.map(\.path) : []
        plan.refused = (overwrite ? [] : preview.modified.filter { $0.replaces != nil }.map(\.path))
            + preview.refusedFolders.map(\.path) + preview.leftAlone
        var newItems = preview.new.filter { change in !plan.refused.contains { change.path.hasPrefix($0 + "/") } }
        if linksHardLinks {
            let newLeaders = preview.newHardLinkLeaders.filter { leader in !plan.refused.contains { leader.hasPrefix($0 + "/") } }
            plan.takeHardLinks(from: &newItems, newLeaders: newLeaders, preview: preview, overwrite: overwrite, relinks: overwrite && !keepsReplaced)
        }
        // New items beyond those held are many: the bulk run copies them (a refused folder's
        // contents are held, so the count stays exact up to the limit).
        let newCount = newItems.count + preview.newBeyondHeld
        plan.bulk = (spec.action == .tree || newCount > exactNewItemLimit)
            && !(newCount == 0 && preview.folderUpdates.isEmpty && plan.replaceList.isEmpty)
        let added = plan.bulk ? [] : newItems.map(\.path) + preview.folderUpdates.map(\.path)
        if delete && !preview.deletions.isEmpty { plan.deletionList = topMost(preview.deletions) }
        // Deleting in or writing into a folder changes its time: list those folders too, in the
        // last listed run. The bulk run, when there is one, sets every folder's time itself.
        let touched = plan.replaceList + added + plan.deletionList
        plan.addList = plan.bulk ? [] : withParents(added, adding: touched, spec: spec)
        // Nothing to add but folders to set again: they ride along with the replacing run, one
        // rsync run instead of two. Not "." (with --dirs it would bring in the top level).
        if added.isEmpty && !plan.replaceList.isEmpty && !plan.addList.contains(".") {
            plan.replaceList += plan.addList
            plan.addList = []
        }
        // Only deletions: deleting changes nothing of a folder but its time.
        if added.isEmpty && plan.replaceList.isEmpty {
            plan.folderTimes = plan.addList
            plan.addList = []
        }
        return plan
    }

    /// A new hard link whose leader is not new, and an accepted relink, are linked afterwards
    /// instead of being copied (rsync would copy them as files, splitting the link).
    private mutating func takeHardLinks(from newItems: inout [Change], newLeaders: Set<String>, preview: Preview, overwrite: Bool, relinks: Bool) {
        let newPaths = Set(newItems.map(\.path)).union(newLeaders)
        let declined = overwrite ? Set<String>() : Set(preview.modified.map(\.path))
        newItems.removeAll { change in
            guard let leader = change.hardLinkLeader, !newPaths.contains(leader), !declined.contains(leader) else { return false }
            hardLinks.append(HardLink(path: change.path, leader: leader, replaces: false))
            return true
        }
        guard relinks else { return }
        let relinked = preview.modified.filter { $0.hardLinkLeader != nil && $0.replaces == nil }
        for change in relinked { hardLinks.append(HardLink(path: change.path, leader: change.hardLinkLeader!, replaces: true)) }
        let paths = Set(relinked.map(\.path))
        replaceList.removeAll { paths.contains($0) }
    }

    /// The top-level names an adding run of `list` may touch, when the list holds "." (with
    /// `--dirs`, "." brings in every top-level item the destination lacks, also one that
    /// appeared since the preview); nil when it does not.
    public static func topLevel(of list: [String]) -> [String]? {
        guard list.contains(".") else { return nil }
        var names: [String] = []
        var seen = Set<String>()
        for path in list where path != "." {
            let first = String(path.split(separator: "/", maxSplits: 1)[0])
            if seen.insert(first).inserted { names.append(first) }
        }
        return names
    }

    /// Deleting a folder deletes what is inside: list only the top-most of each deleted subtree.
    static func topMost(_ deletions: [Change]) -> [String] {
        let folders = Set(deletions.filter(\.isDirectory).map(\.path))
        return deletions.map(\.path).filter { !Paths.folders(above: $0).contains(where: folders.contains) }
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
