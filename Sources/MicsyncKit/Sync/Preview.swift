/// What one copy would do, read from the preview's itemized lines (SPEC section 5, step 1).
public struct Preview: Equatable, Sendable {
    public var new: [Change] = []
    public var modified: [Change] = []
    public var deletions: [Change] = []
    public var folderUpdates: [Change] = []
    /// `--tree` only: source folders where the destination has a non-folder; left alone.
    public var refusedFolders: [Change] = []
    /// Lines rsync printed that are not itemized changes.
    public var messages: [String] = []
    /// Modified items whose destination changed after the preview: never touched by the apply.
    public var leftAlone: [String] = []

    public init() {}

    public var isEmpty: Bool {
        new.isEmpty && modified.isEmpty && deletions.isEmpty && folderUpdates.isEmpty && refusedFolders.isEmpty
    }
}

/// Classifies itemized lines as they stream in. rsync shows a change of type as a creation, so a
/// created item is checked in the destination unless its folder is known to be new.
public struct PreviewBuilder {
    let command: RsyncCommand
    let fileSystem: FileSystem
    public private(set) var preview = Preview()
    /// Location-relative folders that do not exist in the destination: nothing inside them can.
    private var absentFolders = Set<String>()

    public init(command: RsyncCommand, fileSystem: FileSystem) {
        self.command = command
        self.fileSystem = fileSystem
    }

    var destinationRoot: String { command.spec.destination.path }
    var sourceRoot: String { command.spec.source.path }

    public mutating func add(_ text: String) {
        guard let line = ItemizedLine.parse(text) else {
            if !text.isEmpty { preview.messages.append(text) }
            return
        }
        let path = command.locationPath(ofPrinted: line.name)
        if line.isDeletion {
            var change = Change(kind: .deletion, path: path, isDirectory: line.isDirectory, itemize: line.itemize)
            change.destinationStamp = fileSystem.stamp(of: Paths.join(destinationRoot, path))
            preview.deletions.append(change)
            return
        }
        let isFolder = line.fileType == "d"
        if line.isCreation {
            var replaced: FileKind = .missing
            if !absentFolders.contains(Paths.parent(path)) {
                replaced = fileSystem.kind(of: Paths.join(destinationRoot, path))
                if replaced == .blockedByNonDirectory { replaced = .missing }
            }
            if isFolder { absentFolders.insert(path) }
            var change = Change(kind: .new, path: path, isDirectory: isFolder, itemize: line.itemize, size: isFolder ? 0 : line.length)
            if replaced != .missing {
                change.kind = .modified
                change.replaces = Self.describe(replaced)
                change.destinationIsNewer = destinationIsNewer(path)
                change.destinationStamp = fileSystem.stamp(of: Paths.join(destinationRoot, path))
                if isFolder && command.spec.action == .tree {
                    preview.refusedFolders.append(change)
                    return
                }
                preview.modified.append(change)
            } else {
                preview.new.append(change)
            }
        } else if isFolder {
            preview.folderUpdates.append(Change(kind: .folderUpdate, path: path, isDirectory: true, itemize: line.itemize))
        } else {
            var change = Change(kind: .modified, path: path, isDirectory: false, itemize: line.itemize, size: line.length)
            change.destinationIsNewer = destinationIsNewer(path)
            change.destinationStamp = fileSystem.stamp(of: Paths.join(destinationRoot, path))
            preview.modified.append(change)
        }
    }

    /// Ends the stream: a folder replaced by a non-folder takes the deletions of its contents
    /// (rsync lists them even without --delete), and new items below a refused folder go with it.
    public mutating func finish() -> Preview {
        let replacedFolders = preview.modified.indices.filter { preview.modified[$0].replaces == "folder" }
        if !replacedFolders.isEmpty {
            var remaining: [Change] = []
            for deletion in preview.deletions {
                if let owner = replacedFolders.first(where: { deletion.path.hasPrefix(preview.modified[$0].path + "/") }) {
                    preview.modified[owner].contained.append(deletion.displayPath)
                } else {
                    remaining.append(deletion)
                }
            }
            preview.deletions = remaining
            for owner in replacedFolders { preview.modified[owner].contained.sort() }
        }
        if !preview.refusedFolders.isEmpty {
            let refused = preview.refusedFolders.map(\.path)
            preview.new.removeAll { change in refused.contains { change.path.hasPrefix($0 + "/") } }
        }
        return preview
    }

    /// rsync does not say which side is newer: compare the two modification times (few items).
    func destinationIsNewer(_ path: String) -> Bool {
        guard let source = fileSystem.modificationTime(of: Paths.join(sourceRoot, path)),
              let destination = fileSystem.modificationTime(of: Paths.join(destinationRoot, path)) else { return false }
        return destination > source
    }

    static func describe(_ kind: FileKind) -> String {
        switch kind {
        case .directory: "folder"
        case .regularFile: "file"
        case .symbolicLink: "link"
        default: "special file"
        }
    }
}

extension Preview {
    /// The preview without the at-risk items whose destination changed since it was made (after
    /// the questions, a person may have been slow to answer): a changed file is not replaced, and
    /// a deleted folder that gained or lost anything is not deleted. Returns what was left out.
    public func keepingOnlyUnchanged(in destination: String, fileSystem: FileSystem) -> (preview: Preview, changed: [String]) {
        var result = self
        var changed: [String] = []
        result.modified = modified.filter { change in
            guard fileSystem.stamp(of: Paths.join(destination, change.path)) == change.destinationStamp else {
                changed.append(change.displayPath)
                result.leftAlone.append(change.path)
                return false
            }
            return true
        }
        let movedDeletions = deletions.filter { fileSystem.stamp(of: Paths.join(destination, $0.path)) != $0.destinationStamp }
        if !movedDeletions.isEmpty {
            // Leave out every deletion on the way to a changed item: its folders would take it along.
            result.deletions = deletions.filter { deletion in
                !movedDeletions.contains { moved in moved.path == deletion.path || moved.path.hasPrefix(deletion.path + "/") }
            }
            changed += movedDeletions.map(\.displayPath)
        }
        return (result, changed)
    }
}
