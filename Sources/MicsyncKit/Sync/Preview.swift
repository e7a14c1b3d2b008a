/// What one copy would do, read from the preview's itemized lines (the README's "How it works").
public struct Preview: Equatable, Sendable {
    /// New items: all of them when there are few; beyond `ApplyPlan.exactNewItemLimit` only the
    /// first ones (the rest are copied by the bulk run, and counted in `newListing`), and always
    /// hard links and the items inside a folder that replaces a non-folder (see `PreviewBuilder`).
    public var new: [Change] = []
    /// New items counted but not held in `new`.
    public var newBeyondHeld = 0
    /// The per-folder counts of the new items (those inside a folder replacing a non-folder are
    /// listed with it instead); nil: counted from `new` when listed.
    public var newListing: NewItemListing?
    /// The leaders of hard links in `new` that are new items themselves but not held there.
    public var newHardLinkLeaders: Set<String> = []
    public var modified: [Change] = []
    public var deletions: [Change] = []
    public var folderUpdates: [Change] = []
    /// `--tree` only: source folders where the destination has a non-folder; left alone.
    public var refusedFolders: [Change] = []
    /// Items the destination cannot store (a refused name, names that differ only in case on a
    /// drive that does not tell them apart, a link where it has none, a file over its size
    /// limit): listed with the reason, never handed to rsync. Items inside such a folder are
    /// counted in its `contained`.
    public var unstorable: [Change] = []
    /// Destination items whose name differs from the source's only in case, on a drive that
    /// does not tell case apart: renamed to the source's name (nothing is lost by it).
    public var caseRenames: [Change] = []
    /// Destination items the source lacks only because the source's drive cannot hold them
    /// (a refused name, a link, another case): never deleted, listed with the reason.
    public var keptForSource: [Change] = []
    /// Lines rsync printed that are not itemized changes.
    public var messages: [String] = []
    /// Modified items whose destination changed after the preview: never touched by the apply.
    public var leftAlone: [String] = []

    public init() {}

    /// Nothing to copy, replace, delete or rename (items that cannot be stored are not things to do).
    public var isEmpty: Bool {
        new.isEmpty && modified.isEmpty && deletions.isEmpty && folderUpdates.isEmpty && refusedFolders.isEmpty && caseRenames.isEmpty
    }
}

/// Classifies itemized lines as they stream in. rsync shows a change of type as a creation, so a
/// created item is checked in the destination unless its folder is known to be new. What the
/// destination has is asked for many items together (`lookupBatch` lines at a time, more for a
/// remote one, where each question is an rsync run over SSH). New items are then counted for
/// the listing and only the first ones held (see `Preview.new`): memory grows with what is
/// listed in full (modified and deleted items, hard links, unstorable items), not with the new
/// items.
///
/// On a destination that cannot store everything (`rules`), each item is checked as it comes;
/// on one that does not tell case apart the preview itemizes unchanged items and the
/// destination's extra items too (`-ii`, `--delete`), so that names differing only in case are
/// found among all the source's names, and a destination item that the source has under another
/// case is renamed, never deleted. That needs every source name at once: there each source name
/// is kept by its case key (`CaseIndex`, about 70 bytes a name), and the changes wait until the
/// stream ends, in a temporary file when one is given (`holdChangesOnDisc`).
public struct PreviewBuilder {
    let command: RsyncCommand
    let sourceFiles: FileSystem
    let destinationFiles: FileSystem
    /// What the destination cannot store; nil when it stores everything.
    let rules: StorageRules?
    /// What the source cannot hold; nil when it holds everything.
    let sourceCapabilities: FileSystemCapabilities?
    /// Deletions were asked for (-d/-D): without, the deletion lines of a case-insensitive
    /// destination's preview only serve to find case-only renames.
    let deleting: Bool
    private var messages: [String] = []
    /// Location-relative folders that do not exist in the destination: nothing inside them can.
    private var absentFolders = Set<String>()
    /// Changes in the order rsync printed them, awaiting the destination's stamps.
    private var items: [Item] = []
    /// What the batches looked up so far make of the changes (new items counted, not all held).
    private var resolved = Preview()
    private var listing = NewItemListing()
    /// New items held that are not hard links or inside a replacing folder.
    private var heldNew = 0
    /// -v: every new item counted, written to a temporary file to be listed in full.
    private var newItemLog: SpillFile?
    /// New folders replacing a non-folder: what is inside is listed with them, and held.
    private var replacingFolders = Set<String>()
    /// `--tree`'s refused folders: what is inside is left alone with them.
    private var refusedFolderPaths = Set<String>()
    /// Lines looked up in the destination at a time: a local one answers each path with an
    /// `lstat`; a remote one is asked by one rsync run each time, so it is asked less often
    /// (the lines waiting meanwhile take about 15 MiB).
    static let lookupBatch = 4096
    static let remoteLookupBatch = 65_536
    private var batchLimit: Int { command.spec.destination.isRemote ? Self.remoteLookupBatch : Self.lookupBatch }
    private var unstorable: [Change] = []
    /// Folders the destination cannot store, by path: everything inside goes with them.
    private var unstorableFolders: [String: Int] = [:]
    /// On a destination that does not tell case apart: each source path by its case key.
    private var caseIndex = CaseIndex()
    /// There, the changes (but deletions) wait in a temporary file until every source name is
    /// known; nil: they wait in `items` (no temporary folder given, or no file could be made).
    private var caseSpill: SpillFile?
    private var spillEnvironment: [String: String]?
    /// Source paths that differ only in case from another, by their entry in `unstorable`.
    private var clashing: [String: Int] = [:]

    enum Item: Equatable {
        /// A creation; `checked` when something may already stand at its path.
        case creation(Change, checked: Bool)
        case modified(Change)
        case deletion(Change)
        case folderUpdate(Change)

        var change: Change {
            switch self {
            case .creation(let change, _), .modified(let change), .deletion(let change), .folderUpdate(let change): change
            }
        }
    }

    public init(command: RsyncCommand, sourceFiles: FileSystem, destinationFiles: FileSystem,
                destination capabilities: FileSystemCapabilities? = nil, source: FileSystemCapabilities? = nil, deleting: Bool = false) {
        self.command = command
        self.sourceFiles = sourceFiles
        self.destinationFiles = destinationFiles
        self.rules = capabilities.flatMap { $0.refusesSomeItems ? StorageRules($0) : nil }
        self.sourceCapabilities = source.flatMap { $0.refusesSomeItems ? $0 : nil }
        self.deleting = deleting
    }

    /// Both sides on one file system (unit tests, and local copies).
    public init(command: RsyncCommand, fileSystem: FileSystem, destination capabilities: FileSystemCapabilities? = nil,
                source: FileSystemCapabilities? = nil, deleting: Bool = false) {
        self.init(command: command, sourceFiles: fileSystem, destinationFiles: fileSystem, destination: capabilities, source: source, deleting: deleting)
    }

    var destinationRoot: String { command.spec.destination.path }
    var sourceRoot: String { command.spec.source.path }
    var tracksCase: Bool { rules.map { !$0.capabilities.caseSensitive } ?? false }

    public mutating func add(_ text: String) {
        guard let line = command.parse(text, sourceFiles: sourceFiles) else {
            if !text.isEmpty { messages.append(text) }
            return
        }
        let path = command.locationPath(ofPrinted: line.name)
        let leader = line.isHardLink ? line.linkTarget.map(command.locationPath(ofPrinted:)) : nil
        if line.isDeletion {
            items.append(.deletion(Change(kind: .deletion, path: path, isDirectory: line.isDirectory, itemize: line.itemize)))
            return
        }
        if rules != nil && !storable(line, path: path) { return }
        // Unchanged items are itemized only for a case-insensitive destination (-ii); otherwise a
        // hard link with no attribute marked is one to make again (`hf` and spaces).
        if line.isUnchanged && command.itemizesEverything { return }
        // micsync links files itself only on this machine: to a remote destination a hard link
        // to a file it already has stays a copy, which is not asked about again and again.
        if leader != nil && !line.isCreation && command.spec.destination.isRemote
            && line.itemize.dropFirst(2).allSatisfy({ $0 == " " || $0 == "." }) { return }
        let isFolder = line.fileType == "d"
        if isFolder && path == "." && command.fidelity.ignoresLocationFolderTime
            && line.itemize.dropFirst(2).allSatisfy({ $0 == "." || $0 == " " || $0 == "t" || $0 == "T" }) { return }
        if line.isCreation {
            let checked = !absentFolders.contains(Paths.parent(path))
            if isFolder { absentFolders.insert(path) }
            var change = Change(kind: .new, path: path, isDirectory: isFolder, itemize: line.itemize, size: isFolder ? 0 : line.length)
            change.hardLinkLeader = leader
            // Nothing waiting for the destination's answer: nothing to ask about this one either.
            if !checked && items.isEmpty && !tracksCase {
                addNew(change)
                return
            }
            hold(.creation(change, checked: checked))
        } else if isFolder {
            hold(.folderUpdate(Change(kind: .folderUpdate, path: path, isDirectory: true, itemize: line.itemize)))
        } else {
            var change = Change(kind: .modified, path: path, isDirectory: false, itemize: line.itemize, size: line.length)
            change.hardLinkLeader = leader
            hold(.modified(change))
        }
        if items.count >= batchLimit && !tracksCase { resolveItems() }
    }

    /// On a destination that does not tell case apart, the changes wait for the end of the
    /// stream in a temporary file in this environment's `$TMPDIR` (removed with the builder)
    /// instead of in memory.
    mutating func holdChangesOnDisc(environment: [String: String]) { spillEnvironment = environment }

    /// A change to sort later: on a case-insensitive destination, to the temporary file if any.
    private mutating func hold(_ item: Item) {
        if tracksCase, let environment = spillEnvironment {
            if caseSpill == nil { caseSpill = SpillFile(environment: environment, removedWithIt: true) }
            if caseSpill == nil { spillEnvironment = nil }
        }
        guard let caseSpill else { return items.append(item) }
        caseSpill.append(Self.record(item))
    }

    /// -v: the new items are listed in full, from a temporary file (the caller removes it);
    /// its path, nil if none can be made.
    mutating func listEveryNewItem(environment: [String: String]) -> String? {
        newItemLog = SpillFile(environment: environment)
        return newItemLog?.path
    }

    /// Checks one source item against what the destination can store; false (and recorded)
    /// when it cannot. Every source name is noted by its case key on a case-insensitive drive.
    private mutating func storable(_ line: ItemizedLine, path: String) -> Bool {
        guard let rules else { return true }
        var ancestor = Paths.parent(path)
        while !ancestor.isEmpty && !unstorableFolders.isEmpty {
            if let owner = unstorableFolders[ancestor] {
                unstorable[owner].contained.append(PathBytes.display(path) + (line.isDirectory ? "/" : ""))
                return false
            }
            ancestor = Paths.parent(ancestor)
        }
        if tracksCase && path != "." {
            let key = StorageRules.caseKey(path)
            caseIndex.insert(path, key: key, isFolder: line.fileType == "d")
        }
        let isFolder = line.fileType == "d"
        guard path != ".", let reason = rules.refusal(name: Paths.lastComponent(path), type: line.fileType, length: line.length) else { return true }
        var change = Change(kind: .new, path: path, isDirectory: isFolder, itemize: line.itemize, size: isFolder ? 0 : line.length)
        change.refusal = reason
        if isFolder { unstorableFolders[path] = unstorable.count }
        unstorable.append(change)
        return false
    }

    /// Ends the stream: asks what stands in the destination at each path at risk, marks the
    /// newer destination copies, then a folder replaced by a non-folder takes the deletions of
    /// its contents (rsync lists them even without --delete), and new items below a refused
    /// folder go with it.
    public mutating func finish() -> Preview {
        if tracksCase {
            var renamed = Preview()
            resolveCase(&renamed)
            resolved.caseRenames = renamed.caseRenames
            replayHeldChanges()
        }
        resolveItems()
        var preview = resolved
        resolved = Preview()
        preview.messages = messages
        preview.unstorable = unstorable
        if let newItemLog {
            newItemLog.close()
            // A list cut short by a full disc is not listed from.
            listing.logFile = newItemLog.failed ? nil : newItemLog.path
            self.newItemLog = nil
        }
        preview.newListing = listing
        if preview.newBeyondHeld > 0 { preview.newHardLinkLeaders = newLeadersNotHeld(preview.new) }
        if sourceCapabilities != nil { keepWhatTheSourceCannotHold(&preview) }
        var sourceStamps = preview.modified.isEmpty ? [] : sourceFiles.stamps(of: preview.modified.map { Paths.join(sourceRoot, $0.path) })
        if command.fidelity.ignoresTimeShift { dropTimeShifts(&preview.modified, sources: &sourceStamps) }
        markNewerDestinations(&preview.modified, sources: sourceStamps)
        keepFoldersRsyncCannotDelete(&preview)
        takeContentsOfReplacedFolders(&preview)
        // A case-insensitive destination's preview lists its extra items to find renames; they
        // are deletions only when deletions were asked for.
        if tracksCase && !deleting { preview.deletions = [] }
        return preview
    }

    /// Asks the destination about the items so far that are at risk and sorts them into
    /// `resolved`, in the order rsync printed them.
    private mutating func resolveItems() {
        var asked: [String] = []
        for item in items {
            switch item {
            case .creation(let change, true), .modified(let change), .deletion(let change): asked.append(change.path)
            default: break
            }
        }
        let found = asked.isEmpty ? [] : destinationFiles.stamps(of: asked.map { Paths.join(destinationRoot, $0) })
        var stampOf: [String: FileStamp] = [:]
        for (path, stamp) in zip(asked, found) { stampOf[path] = stamp }
        for item in items {
            switch item {
            case .deletion(var change):
                change.destinationStamp = stampOf[change.path]
                resolved.deletions.append(change)
            case .folderUpdate(let change):
                resolved.folderUpdates.append(change)
            case .modified(var change):
                change.destinationStamp = stampOf[change.path]
                resolved.modified.append(change)
            case .creation(var change, let checked):
                guard checked, let stamp = stampOf[change.path] else {
                    addNew(change)
                    continue
                }
                change.kind = .modified
                change.replaces = Self.describe(stamp.kind)
                change.destinationStamp = stamp
                if change.isDirectory && command.spec.action == .tree {
                    resolved.refusedFolders.append(change)
                    refusedFolderPaths.insert(change.path)
                } else {
                    if change.isDirectory { replacingFolders.insert(change.path) }
                    resolved.modified.append(change)
                }
            }
        }
        items = []
    }

    /// One new item: left out below a refused folder, held when inside a replacing folder (it
    /// is listed with it) or a hard link (the apply may link it itself), otherwise counted,
    /// and held while few (and while the non-folders are few enough to be listed with -s).
    private mutating func addNew(_ change: Change) {
        if Self.isInside(change.path, refusedFolderPaths) { return }
        if Self.isInside(change.path, replacingFolders) {
            resolved.new.append(change)
            return
        }
        listing.count(change)
        newItemLog?.append(change.displayPath)
        if change.hardLinkLeader != nil {
            resolved.new.append(change)
        } else if heldNew <= ApplyPlan.exactNewItemLimit || (!change.isDirectory && listing.files.count <= Report.newItemListLimit + 1) {
            resolved.new.append(change)
            heldNew += 1
        } else {
            resolved.newBeyondHeld += 1
        }
    }

    /// Whether a folder of `folders` holds `path` (at any depth).
    static func isInside(_ path: String, _ folders: Set<String>) -> Bool {
        guard !folders.isEmpty else { return false }
        var ancestor = Paths.parent(path)
        while !ancestor.isEmpty {
            if folders.contains(ancestor) { return true }
            ancestor = Paths.parent(ancestor)
        }
        return false
    }

    /// The leaders of the hard links held that are new items but were not held: those the
    /// destination lacks (and can store).
    private func newLeadersNotHeld(_ held: [Change]) -> Set<String> {
        let heldPaths = Set(held.map(\.path))
        let leaders = Array(Set(held.compactMap(\.hardLinkLeader)).subtracting(heldPaths))
        guard !leaders.isEmpty else { return [] }
        let unstorablePaths = Set(unstorable.map(\.path))
        let found = destinationFiles.stamps(of: leaders.map { Paths.join(destinationRoot, $0) })
        return Set(zip(leaders, found).filter { leader, stamp in
            stamp == nil && !unstorablePaths.contains(leader) && !Self.isInside(leader, unstorablePaths)
        }.map(\.0))
    }

    /// A folder that holds excluded items cannot be deleted: rsync's dry run says so
    /// (`cannot delete non-empty directory: P`, shown with its messages) but may list P as
    /// deleted all the same. P and the folders above it are not deletions.
    private func keepFoldersRsyncCannotDelete(_ preview: inout Preview) {
        let prefix = "cannot delete non-empty directory: "
        let kept = Set(preview.messages.filter { $0.hasPrefix(prefix) }.map { message in
            command.locationPath(ofPrinted: PathBytes.string(ItemizedLine.decodeEscapes(ArraySlice(message.dropFirst(prefix.count).utf8))))
        })
        guard !kept.isEmpty else { return }
        preview.deletions.removeAll { deletion in
            kept.contains(deletion.path) || (deletion.isDirectory && kept.contains { $0.hasPrefix(deletion.path + "/") })
        }
    }

    /// A folder replaced by a non-folder takes the deletions of its contents (rsync lists them
    /// even without --delete), and new items below a refused folder go with it.
    private func takeContentsOfReplacedFolders(_ preview: inout Preview) {
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
    }

    /// On a drive that does not tell case apart: source names that differ only in case cannot
    /// both be stored (neither replaces the other); a destination item the source has under
    /// another case is renamed to it, never deleted; and a deletion below a renamed folder is
    /// made under the new name.
    private mutating func resolveCase(_ preview: inout Preview) {
        for paths in caseIndex.clashes.sorted(by: { $0[0] < $1[0] }) {
            for path in paths.sorted() {
                clashing[path] = unstorable.count
                var change = Change(kind: .new, path: path, isDirectory: caseIndex.isFolder(path), itemize: "")
                change.refusal = "differs only in case from " + paths.filter { $0 != path }.map(PathBytes.display).joined(separator: ", ")
                    + ", and the drive does not tell case apart"
                unstorable.append(change)
            }
        }
        var renames: [Change] = []
        var kept: [Item] = []
        for item in items {
            let change = item.change
            guard case .deletion = item else {
                if !clashes(change) { kept.append(item) }
                continue
            }
            let sourcePaths = caseIndex.paths(withKey: StorageRules.caseKey(change.path))
            if sourcePaths.count == 1, let sourcePath = sourcePaths.first {
                // The same item under another case: renamed where its own name differs (once:
                // rsync lists a renamed folder's contents under both of its names).
                if Paths.lastComponent(sourcePath) != Paths.lastComponent(change.path) && !renames.contains(where: { $0.path == sourcePath }) {
                    var rename = Change(kind: .modified, path: sourcePath, isDirectory: change.isDirectory, itemize: change.itemize)
                    rename.renamedFrom = change.path
                    renames.append(rename)
                }
            } else if sourcePaths.isEmpty {
                kept.append(item)
            }
        }
        items = kept
        preview.caseRenames = renames.sorted { $0.path.split(separator: "/").count < $1.path.split(separator: "/").count }
        var deleted = Set<String>()
        items = items.compactMap { item in
            guard case .deletion(var change) = item else { return item }
            change.path = Self.renamed(change.path, by: preview.caseRenames)
            return deleted.insert(change.path).inserted ? .deletion(change) : nil
        }
    }

    /// Notes an item inside a clashing folder there; true when the path clashes at all.
    private mutating func clashes(_ change: Change) -> Bool {
        if clashing[change.path] != nil { return true }
        var current = Paths.parent(change.path)
        while !current.isEmpty {
            if let owner = clashing[current] {
                unstorable[owner].contained.append(change.displayPath)
                return true
            }
            current = Paths.parent(current)
        }
        return false
    }

    /// The changes that waited in the temporary file, read back in order: those that clash in
    /// case are left out (as `resolveCase` leaves out those held in memory), the others sorted a
    /// batch at a time.
    private mutating func replayHeldChanges() {
        guard let spill = caseSpill else { return }
        spill.close()
        ListFile.readRecords(spill.path) { record in
            guard let item = Self.item(record) else { return }
            if clashes(item.change) { return }
            items.append(item)
            if items.count >= batchLimit { resolveItems() }
        }
        caseSpill = nil
    }

    /// One change as a line of the temporary file: its kind, whether it is a folder, its size,
    /// then its change field, hard link leader and path, each after its length.
    static func record(_ item: Item) -> String {
        let tag = switch item {
        case .creation(_, let checked): checked ? "C" : "c"
        case .modified: "m"
        case .deletion: "d"
        case .folderUpdate: "u"
        }
        let change = item.change
        let leader = change.hardLinkLeader.map { "\($0.unicodeScalars.count):" + $0 } ?? "-"
        return tag + (change.isDirectory ? "1" : "0") + "\(change.size) \(change.itemize.unicodeScalars.count):" + change.itemize + leader + change.path
    }

    static func item(_ record: String) -> Item? {
        var rest = Substring(record)
        guard let tag = rest.popFirst(), let folder = rest.popFirst(), let space = rest.firstIndex(of: " "), let size = Int64(rest[..<space]) else { return nil }
        rest = rest[rest.index(after: space)...]
        /// A field after its length ("11:>f+++++++++").
        func field() -> String? {
            guard let colon = rest.firstIndex(of: ":"), let count = Int(rest[..<colon]) else { return nil }
            let start = rest.unicodeScalars.index(after: colon)
            guard let end = rest.unicodeScalars.index(start, offsetBy: count, limitedBy: rest.endIndex) else { return nil }
            defer { rest = rest[end...] }
            return String(rest[start..<end])
        }
        guard let itemize = field() else { return nil }
        var leader: String?
        if rest.first == "-" { rest = rest.dropFirst() } else { guard let found = field() else { return nil }; leader = found }
        let kind: Change.Kind = switch tag { case "C", "c": .new; case "m": .modified; case "d": .deletion; default: .folderUpdate }
        var change = Change(kind: kind, path: String(rest), isDirectory: folder == "1", itemize: itemize, size: size)
        change.hardLinkLeader = leader
        return switch tag {
        case "C", "c": .creation(change, checked: tag == "C")
        case "m": .modified(change)
        case "d": .deletion(change)
        default: .folderUpdate(change)
        }
    }

    /// A destination path with its folders renamed as `renames` rename them.
    static func renamed(_ path: String, by renames: [Change]) -> String {
        var result = path
        for rename in renames.reversed() {
            let key = StorageRules.caseKey(rename.path) + "/"
            let resultKey = StorageRules.caseKey(result)
            if resultKey.hasPrefix(key) {
                result = rename.path + "/" + String(result.unicodeScalars.dropFirst(rename.path.unicodeScalars.count + 1))
                break
            }
        }
        return result
    }

    /// From a drive that cannot hold everything, a destination item the source lacks may be one
    /// it could not take (a refused name, a link, the same name in another case): never deleted.
    private func keepWhatTheSourceCannotHold(_ preview: inout Preview) {
        guard let capabilities = sourceCapabilities, !preview.deletions.isEmpty else { return }
        let rules = StorageRules(capabilities)
        let inSource = capabilities.caseSensitive ? [] : sourceFiles.stamps(of: preview.deletions.map { Paths.join(sourceRoot, $0.path) })
        // Names that differ only in case could never both be on such a source: neither is deleted.
        var byCaseKey: [String: Int] = [:]
        if !capabilities.caseSensitive { for deletion in preview.deletions { byCaseKey[StorageRules.caseKey(deletion.path), default: 0] += 1 } }
        var kept: [Change] = []
        var keptFolders = Set<String>()
        preview.deletions = preview.deletions.enumerated().filter { index, deletion in
            var ancestor = Paths.parent(deletion.path)
            while !ancestor.isEmpty {
                if keptFolders.contains(ancestor) { return false }
                ancestor = Paths.parent(ancestor)
            }
            let stamp = deletion.destinationStamp
            let type: Character = switch stamp?.kind { case .directory: "d"; case .symbolicLink: "L"; case .other: "D"; default: "f" }
            var reason = rules.refusal(name: Paths.lastComponent(deletion.path), type: type, length: stamp?.size ?? 0)
            reason = reason.map { "the source's drive cannot hold it: " + $0 }
            if reason == nil && !capabilities.caseSensitive && inSource[index] != nil { reason = "the source has it under another case" }
            if reason == nil && (byCaseKey[StorageRules.caseKey(deletion.path)] ?? 0) > 1 {
                reason = "names that differ only in case, which it does not tell apart"
            }
            guard let reason else { return true }
            var change = deletion
            change.refusal = reason
            kept.append(change)
            if deletion.isDirectory { keptFolders.insert(deletion.path) }
            return false
        }.map(\.element)
        preview.keptForSource = kept
        // The folders holding a kept item are not deleted either (deleting them would take it).
        let holding = Set(kept.flatMap { Paths.folders(above: $0.path) })
        if !holding.isEmpty { preview.deletions.removeAll { holding.contains($0.path) } }
    }

    /// On a drive that keeps local time (FAT), a change of the daylight-saving offset moves
    /// every time by an hour: a file whose only difference is exactly that is not modified.
    func dropTimeShifts(_ modified: inout [Change], sources: inout [FileStamp?]) {
        let window = Double(command.fidelity.modifyWindow)
        var kept: [Change] = []
        var keptSources: [FileStamp?] = []
        for (change, source) in zip(modified, sources) {
            let onlyTime = change.itemize.count == 11 && Array(change.itemize)[2...].enumerated().allSatisfy { offset, flag in
                offset == 2 ? flag == "t" : flag == "." || flag == " "
            }
            if onlyTime, let source, let destination = change.destinationStamp, source.size == destination.size,
               abs(abs(destination.modificationTime.rounded(.down) - source.modificationTime.rounded(.down)) - 3600) <= window {
                continue
            }
            kept.append(change)
            keptSources.append(source)
        }
        modified = kept
        sources = keptSources
    }

    /// rsync does not say which side is newer: compare the two modification times (few items).
    /// A remote host's times come in whole seconds, so then both are compared in whole seconds.
    func markNewerDestinations(_ modified: inout [Change], sources: [FileStamp?]) {
        guard !modified.isEmpty else { return }
        let wholeSeconds = command.spec.source.isRemote || command.spec.destination.isRemote || command.fidelity.modifyWindow > 0
        for index in modified.indices {
            guard let source = sources[index]?.modificationTime, let destination = modified[index].destinationStamp?.modificationTime else { continue }
            let window = Double(command.fidelity.modifyWindow)
            modified[index].destinationIsNewer = wholeSeconds
                ? destination.rounded(.down) > source.rounded(.down) + window : destination > source
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
            // Leave out every deletion on the way to a changed item (its folders would take it
            // along) and every one below it: a link in its place would lead elsewhere.
            let moved = Set(movedDeletions.map(\.path))
            result.deletions = deletions.filter { deletion in
                guard !moved.contains(deletion.path), !Paths.folders(above: deletion.path).contains(where: moved.contains) else { return false }
                return !movedDeletions.contains { $0.path.hasPrefix(deletion.path + "/") }
            }
            changed += movedDeletions.map(\.displayPath)
        }
        return (result, changed)
    }
}
