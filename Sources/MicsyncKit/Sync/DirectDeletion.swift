extension Engine {
    /// Deletes the accepted deletions itself, where both sides are on this machine and nothing
    /// goes to a trash: one `unlink` or `rmdir` per item instead of an rsync run that asks the
    /// source about each name (`RunPlan.deletions`, contents before their folder). What that run
    /// would leave is left here too, and said: an item whose name the source has again since the
    /// preview, and a folder that holds anything the preview did not list (`rmdir` refuses it).
    func delete(_ deletions: [Change], spec: TransferSpec, totals: inout ApplyTotals) -> Outcome {
        // A drive unplugged since the preview: nothing to delete on the disc beneath its mount point.
        guard fileSystem.isDirectory(spec.destination.path) else {
            console.warning("\(spec.destination.displayName) is no longer accessible (unplugged?); nothing more copied to it")
            return .failed
        }
        let destination = fileSystem.on(spec.destination)
        // Nothing below a top-most deleted item can be in the source unless that item is.
        let topMost = ApplyPlan.topMost(deletions)
        let inSource = fileSystem.on(spec.source).stamps(of: topMost.map { Paths.join(spec.source.path, $0) })
        let returned = zip(topMost, inSource).filter { $0.1 != nil }.map(\.0)
        var left = Set(returned)  // with every folder above what was left
        var failures: [String] = []
        for deletion in deletions {
            if Self.isWithin(deletion.path, returned) || left.contains(deletion.path) { continue }
            do throws(FileError) {
                try destination.removeItem(Paths.join(spec.destination.path, deletion.path), isFolder: deletion.isDirectory)
                totals.deleted += 1
            } catch {
                failures.append(deletion.displayPath + " (" + error.reason + ")")
                var folder = Paths.parent(deletion.path)
                while !folder.isEmpty && left.insert(folder).inserted { folder = Paths.parent(folder) }
            }
        }
        let name = spec.destination.displayName
        if !returned.isEmpty {
            console.warning("\(returned.count) items to delete in \(name) are in \(spec.source.displayName) again since the preview; left alone: "
                + Self.some(returned.map(PathBytes.display)))
        }
        if !failures.isEmpty { console.warning("cannot delete \(failures.count) items in \(name): " + Self.some(failures)) }
        return returned.isEmpty && failures.isEmpty ? .done : .incomplete
    }

    private static func isWithin(_ path: String, _ folders: [String]) -> Bool {
        folders.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    private static func some(_ names: [String]) -> String {
        names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", …" : "")
    }
}
