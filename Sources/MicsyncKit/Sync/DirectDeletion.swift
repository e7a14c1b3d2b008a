extension Engine {
    /// Deletes the accepted deletions itself, where both sides are on this machine and nothing
    /// goes to a trash: one `unlinkat` per item instead of an rsync run that asks the source about
    /// each name (`RunPlan.deletions`, contents before their folder). What that run would leave
    /// is left here too, and said: an item whose name the source has again since the preview, and
    /// a folder that holds anything the preview did not list. No link on the way is followed
    /// (`FileSystem.removeItem`), and Ctrl-C stops it between two items, as it stops rsync.
    func delete(_ deletions: [Change], spec: TransferSpec, totals: inout ApplyTotals) -> Outcome {
        guard stillThere(spec.destination) else { return .failed }
        let destination = fileSystem.on(spec.destination)
        // Nothing below a top-most deleted item can be in the source unless that item is.
        let topMost = ApplyPlan.topMost(deletions)
        let inSource = fileSystem.on(spec.source).stamps(of: topMost.map { Paths.join(spec.source.path, $0) })
        let returned = zip(topMost, inSource).filter { $0.1 != nil }.map(\.0)
        var failures: [String] = []
        var holding = Set<String>()  // the folders above an item left: not empty, so kept too
        var deleted = 0
        let stopped = runner.catchingInterrupts { interrupted in
            for deletion in deletions {
                if interrupted() { return true }
                if Self.isWithin(deletion.path, returned) || holding.contains(deletion.path) { continue }
                do throws(FileError) {
                    try destination.removeItem(deletion.path, in: spec.destination.path, isFolder: deletion.isDirectory)
                    deleted += 1
                } catch {
                    failures.append(deletion.displayPath + " (" + error.reason + ")")
                    holding.formUnion(Paths.folders(above: deletion.path))
                }
            }
            return false
        }
        totals.deleted += deleted
        let name = spec.destination.displayName
        if !returned.isEmpty {
            console.warning("\(returned.count) items to delete in \(name) are in \(spec.source.displayName) again since the preview; left alone: "
                + Self.some(returned.map(PathBytes.display)) + " (run micsync again to see what to copy)")
        }
        if !failures.isEmpty {
            let above = deletions.filter { holding.contains($0.path) }.count
            console.warning("cannot delete \(failures.count) items in \(name): " + Self.some(failures)
                + (above > 0 ? "; the \(above) folders holding them are kept too" : ""))
        }
        if stopped { return .interrupted }
        return returned.isEmpty && failures.isEmpty ? .done : .incomplete
    }

    private static func isWithin(_ path: String, _ folders: [String]) -> Bool {
        folders.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
