/// Every source path by its case key, for a drive that does not tell case apart: names that
/// differ only in case are found among all of them, so all must be kept until the preview ends.
/// Kept compactly: each path's bytes once in one buffer, found by the hash of its case key
/// (about 60 bytes a path, where a dictionary of strings takes about 270); only the paths that
/// share a case key are kept as strings.
struct CaseIndex {
    /// Each path's bytes, then 0, then 1 for a folder or 0.
    private var buffer: [UInt8] = []
    /// The hash of a case key → where the first path with that key starts in `buffer`.
    private var firstPath: [Int: Int] = [:]
    /// Every path of a case key that more than one path has (in the order seen), by its hash.
    private var sharing: [Int: [String]] = [:]
    /// Paths whose case key's hash is another key's too (rare): kept by their key.
    private var collided: [String: [String]] = [:]
    /// Folders among the paths kept as strings.
    private var folders = Set<String>()

    mutating func insert(_ path: String, key: String, isFolder: Bool) {
        if collided[key] != nil {
            if !collided[key]!.contains(path) { collided[key]!.append(path) }
            if isFolder { folders.insert(path) }
            return
        }
        let hash = key.hashValue
        guard let offset = firstPath[hash] else {
            firstPath[hash] = buffer.count
            buffer += PathBytes.bytes(path)
            buffer += [0, isFolder ? 1 : 0]
            return
        }
        let (first, firstIsFolder) = entry(at: offset)
        if first == path { return }
        if isFolder { folders.insert(path) }
        guard StorageRules.caseKey(first) == key else {
            collided[key] = [path]
            return
        }
        if firstIsFolder { folders.insert(first) }
        var paths = sharing[hash] ?? [first]
        if !paths.contains(path) { paths.append(path) }
        sharing[hash] = paths
    }

    /// The source paths with this case key, in the order seen.
    func paths(withKey key: String) -> [String] {
        if let paths = collided[key] { return paths }
        let hash = key.hashValue
        guard let offset = firstPath[hash] else { return [] }
        let first = entry(at: offset).path
        guard StorageRules.caseKey(first) == key else { return [] }
        return sharing[hash] ?? [first]
    }

    /// The groups of more than one path sharing a case key.
    var clashes: [[String]] { Array(sharing.values) + collided.values.filter { $0.count > 1 } }

    /// Whether a path of a clash is a folder.
    func isFolder(_ path: String) -> Bool { folders.contains(path) }

    private func entry(at offset: Int) -> (path: String, isFolder: Bool) {
        var end = offset
        while buffer[end] != 0 { end += 1 }
        return (PathBytes.string(buffer[offset..<end]), buffer[end + 1] == 1)
    }
}
