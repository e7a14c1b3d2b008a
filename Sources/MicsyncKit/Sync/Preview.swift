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
/// created item is checked in the destination unless its folder is known to be new. What the
/// destination has is asked once, for all such items together, when the stream ends: one
/// question to a remote host instead of one per line.
public struct PreviewBuilder {
    let command: RsyncCommand
    let sourceFiles: FileSystem
    let destinationFiles: FileSystem
    private var messages: [String] = []
    /// Location-relative folders that do not exist in the destination: nothing inside them can.
    private var absentFolders = Set<String>()
    /// Every change in the order rsync printed it, awaiting the destination's stamps.
    private var items: [Item] = []

    private enum Item {
        /// A creation; `checked` when something may already stand at its path.
        case creation(Change, checked: Bool)
        case modified(Change)
        case deletion(Change)
        case folderUpdate(Change)
    }

    public init(command: RsyncCommand, sourceFiles: FileSystem, destinationFiles: FileSystem) {
        self.command = command
        self.sourceFiles = sourceFiles
        self.destinationFiles = destinationFiles
    }

    /// Both sides on one file system (unit tests, and local copies).
    public init(command: RsyncCommand, fileSystem: FileSystem) {
        self.init(command: command, sourceFiles: fileSystem, destinationFiles: fileSystem)
    }

    var destinationRoot: String { command.spec.destination.path }
    var sourceRoot: String { command.spec.source.path }

    public mutating func add(_ text: String) {
        guard let line = ItemizedLine.parse(text) else {
            if !text.isEmpty { messages.append(text) }
            return
        }
        let path = command.locationPath(ofPrinted: line.name)
        if line.isDeletion {
            items.append(.deletion(Change(kind: .deletion, path: path, isDirectory: line.isDirectory, itemize: line.itemize)))
            return
        }
        let isFolder = line.fileType == "d"
        if line.isCreation {
            let checked = !absentFolders.contains(Paths.parent(path))
            if isFolder { absentFolders.insert(path) }
            items.append(.creation(Change(kind: .new, path: path, isDirectory: isFolder, itemize: line.itemize, size: isFolder ? 0 : line.length),
                                   checked: checked))
        } else if isFolder {
            items.append(.folderUpdate(Change(kind: .folderUpdate, path: path, isDirectory: true, itemize: line.itemize)))
        } else {
            items.append(.modified(Change(kind: .modified, path: path, isDirectory: false, itemize: line.itemize, size: line.length)))
        }
    }

    /// Ends the stream: asks what stands in the destination at each path at risk, marks the
    /// newer destination copies, then a folder replaced by a non-folder takes the deletions of
    /// its contents (rsync lists them even without --delete), and new items below a refused
    /// folder go with it.
    public mutating func finish() -> Preview {
        var preview = Preview()
        preview.messages = messages
        var asked: [String] = []
        for item in items {
            switch item {
            case .creation(let change, true), .modified(let change), .deletion(let change): asked.append(change.path)
            default: break
            }
        }
        let found = destinationFiles.stamps(of: asked.map { Paths.join(destinationRoot, $0) })
        var stampOf: [String: FileStamp] = [:]
        for (path, stamp) in zip(asked, found) { stampOf[path] = stamp }

        for item in items {
            switch item {
            case .deletion(var change):
                change.destinationStamp = stampOf[change.path]
                preview.deletions.append(change)
            case .folderUpdate(let change):
                preview.folderUpdates.append(change)
            case .modified(var change):
                change.destinationStamp = stampOf[change.path]
                preview.modified.append(change)
            case .creation(var change, let checked):
                guard checked, let stamp = stampOf[change.path] else {
                    preview.new.append(change)
                    continue
                }
                change.kind = .modified
                change.replaces = Self.describe(stamp.kind)
                change.destinationStamp = stamp
                if change.isDirectory && command.spec.action == .tree {
                    preview.refusedFolders.append(change)
                } else {
                    preview.modified.append(change)
                }
            }
        }
        markNewerDestinations(&preview.modified)
        items = []

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
    /// A remote host's times come in whole seconds, so then both are compared in whole seconds.
    func markNewerDestinations(_ modified: inout [Change]) {
        guard !modified.isEmpty else { return }
        let sources = sourceFiles.stamps(of: modified.map { Paths.join(sourceRoot, $0.path) })
        let wholeSeconds = command.spec.source.isRemote || command.spec.destination.isRemote
        for index in modified.indices {
            guard let source = sources[index]?.modificationTime, let destination = modified[index].destinationStamp?.modificationTime else { continue }
            modified[index].destinationIsNewer = wholeSeconds ? destination.rounded(.down) > source.rounded(.down) : destination > source
        }
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
        let now = fileSystem.stamps(of: (modified + deletions).map { Paths.join(destination, $0.path) })
        result.modified = zip(modified, now).filter { change, stamp in
            guard stamp == change.destinationStamp else {
                changed.append(change.displayPath)
                result.leftAlone.append(change.path)
                return false
            }
            return true
        }.map(\.0)
        let movedDeletions = zip(deletions, now.dropFirst(modified.count)).filter { $0.1 != $0.0.destinationStamp }.map(\.0)
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
