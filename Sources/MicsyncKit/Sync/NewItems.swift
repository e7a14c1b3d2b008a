#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listing's per-folder counts of new items ("counted per folder"), built as the items
/// stream in: one level below the folders all the items share, the largest first. Its memory
/// is that of the groups (one per folder at that level) and of the first few single items, not
/// of the items: a million new files in a thousand folders are a thousand counters.
public struct NewItemCounts: Equatable, Sendable {
    /// Every item counted.
    public private(set) var count = 0
    /// The path every item so far shares, as whole components (the first item's whole path,
    /// cut down as others differ), and how many components it has. Items are grouped one
    /// component below it.
    private var shared: [UInt8] = []
    private var sharedCount = 0
    /// Groups holding more than the item itself (a folder's key ends with `/`), by key.
    private var groups: [String: Group] = [:]
    /// The group the last item went to: items come folder by folder.
    private var lastGroup: (bytes: [UInt8], key: String)?
    /// Single items (a non-folder one level below the shared folders): only the first few are
    /// kept, since only they can be among the groups shown; the others are counted.
    private var firstSingles: [Group] = []
    private var otherSingles = 0
    /// The order keys were first seen in (ties are listed in that order).
    private var seen = 0

    /// How many groups the listing shows.
    public static let shownGroups = 20

    struct Group: Equatable, Sendable {
        var key: String
        var count: Int
        var order: Int
    }

    public init() {}

    public static func == (lhs: NewItemCounts, rhs: NewItemCounts) -> Bool {
        lhs.count == rhs.count && lhs.lines() == rhs.lines()
    }

    /// One item, by its location-relative path (components separated by single slashes, as
    /// rsync prints them). Works on the path's bytes: this runs once per new item.
    public mutating func add(path: String, isDirectory: Bool) {
        var path = path
        path.makeContiguousUTF8()
        path.utf8.withContiguousStorageIfAvailable { add(bytes: $0, path: path, isDirectory: isDirectory) }
    }

    private mutating func add(bytes: UnsafeBufferPointer<UInt8>, path: String, isDirectory: Bool) {
        let slash = UInt8(ascii: "/")
        if count == 0 {
            shared = Array(bytes)
            sharedCount = bytes.isEmpty ? 0 : bytes.reduce(1) { $1 == slash ? $0 + 1 : $0 }
        } else if !(bytes.count >= shared.count && (bytes.count == shared.count || bytes[shared.count] == slash)
                    && Self.same(shared, UnsafeBufferPointer(rebasing: bytes[0..<shared.count]))) {
            // Fewer whole components in common with the shared path than it has.
            var index = 0
            var common = 0
            while index < shared.count && index < bytes.count && shared[index] == bytes[index] {
                if shared[index] == slash { common += 1 }
                index += 1
            }
            if index > 0 && (index == shared.count || shared[index] == slash) && (index == bytes.count || bytes[index] == slash) { common += 1 }
            if common < sharedCount { regroup(sharing: common) }
        }
        count += 1
        // The key: the shared components and one more (or the whole path).
        var end = sharedCount == 0 ? 0 : shared.count + 1
        if end > bytes.count { end = bytes.count }
        if end < bytes.count, let base = bytes.baseAddress, let found = memchr(base + end, Int32(slash), bytes.count - end) {
            end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        } else {
            end = bytes.count
        }
        let keyBytes = UnsafeBufferPointer(rebasing: bytes[0..<end])
        guard end < bytes.count || isDirectory else {
            if firstSingles.count < Self.shownGroups {
                firstSingles.append(Group(key: path, count: 1, order: seen))
            } else {
                otherSingles += 1
            }
            seen += 1
            return
        }
        if let lastGroup, Self.same(lastGroup.bytes, keyBytes) {
            groups[lastGroup.key]!.count += 1
            return
        }
        let folderKey = String(decoding: keyBytes, as: UTF8.self) + "/"
        if groups[folderKey] == nil {
            groups[folderKey] = Group(key: folderKey, count: 0, order: seen)
            seen += 1
        }
        groups[folderKey]!.count += 1
        lastGroup = (Array(keyBytes), folderKey)
    }

    private static func same(_ bytes: [UInt8], _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == other.count else { return false }
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, other.baseAddress!, other.count) == 0 }
    }

    private mutating func addSingle(_ single: Group) {
        if firstSingles.count < Self.shownGroups { firstSingles.append(single) } else { otherSingles += 1 }
    }

    /// Fewer components are shared now: every key so far shares the old ones, so all of them
    /// fall into the one group of the shorter prefix (or stay the single item they are).
    private mutating func regroup(sharing common: Int) {
        var kept = 0
        var index = 0
        while index < shared.count {
            if shared[index] == UInt8(ascii: "/") {
                kept += 1
                if kept == common { break }
            }
            index += 1
        }
        shared = common == 0 ? [] : Array(shared[0..<index])
        sharedCount = common
        lastGroup = nil
        let depth = common + 1
        let old = (Array(groups.values) + firstSingles).sorted { $0.order < $1.order }
        let others = otherSingles
        groups = [:]
        firstSingles = []
        otherSingles = 0
        for group in old {
            var key = group.key
            let isFolder = key.hasSuffix("/")
            if isFolder { key.removeLast() }
            let components = key.split(separator: "/")
            if components.count > depth || isFolder {
                let folderKey = components.prefix(depth).joined(separator: "/") + "/"
                groups[folderKey, default: Group(key: folderKey, count: 0, order: group.order)].count += group.count
            } else {
                addSingle(group)
            }
        }
        // The single items not kept had a component below the shared ones: they join the group.
        if others > 0, let anyKey = old.first {
            let folderKey = anyKey.key.split(separator: "/").prefix(depth).joined(separator: "/") + "/"
            groups[folderKey, default: Group(key: folderKey, count: 0, order: anyKey.order)].count += others
        }
    }

    /// The listing's lines below its heading: the largest groups first (ties in the order
    /// seen), then how many more items in how many more places.
    public func lines() -> [String] {
        let candidates = (Array(groups.values) + firstSingles).sorted { $0.count != $1.count ? $0.count > $1.count : $0.order < $1.order }
        let shown = candidates.prefix(Self.shownGroups)
        var lines = shown.map { group in
            "  " + PathBytes.display(group.key) + (group.key.hasSuffix("/") ? "  " + Report.counted(group.count, "item") : "")
        }
        let places = groups.count + firstSingles.count + otherSingles
        if places > Self.shownGroups {
            let rest = count - shown.reduce(0) { $0 + $1.count }
            lines.append("  … and \(Report.counted(rest, "more item")) in \(Report.counted(places - Self.shownGroups, "more place"))")
        }
        return lines
    }
}

/// The new items of a preview or a single run, as the listing and the apply need them: counted
/// per folder (all of them, and the non-folders for `-s`), the first ones held (as many as an
/// exact apply takes, more would be copied by the bulk run anyway), with -v every one written to
/// a temporary file to be listed from there.
public struct NewItemListing: Equatable, Sendable {
    public var all = NewItemCounts()
    public var files = NewItemCounts()
    /// -v: the display path of every item counted, in order (NUL-terminated), to list them all.
    public var logFile: String?

    public init() {}

    public mutating func count(_ change: Change) {
        all.add(path: change.path, isDirectory: change.isDirectory)
        if !change.isDirectory { files.add(path: change.path, isDirectory: false) }
    }
}

/// Appends records to a temporary file through a buffer, for lists too long to hold.
final class SpillFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var failed = false
    /// The file is removed when this goes (a scratch file no one else reads).
    private let removedWithIt: Bool

    /// nil when no temporary file can be made.
    init?(environment: [String: String], removedWithIt: Bool = false) {
        guard let (path, descriptor) = ListFile.create(environment: environment) else { return nil }
        self.path = path
        self.descriptor = descriptor
        self.removedWithIt = removedWithIt
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        close()
        if removedWithIt { ListFile.remove(path) }
    }

    func append(_ record: String) {
        buffer += PathBytes.bytes(record)
        buffer.append(0)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        if !ListFile.writeAll(buffer, to: descriptor) { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }

    private var closed = false
    func close() {
        guard !closed else { return }
        flush()
        closed = true
        ListFile.closeDescriptor(descriptor)
    }
}

/// New items counted for the listing as they stream, the first `held` of them kept (and the
/// first non-folders, as many as -s lists); -v writes every one to `log`.
struct NewItemCollector {
    var listing = NewItemListing()
    var held: [Change] = []
    /// Items counted but not held.
    var beyond = 0
    let limit: Int
    var log: SpillFile?

    init(holding limit: Int) { self.limit = limit }

    mutating func add(_ change: Change) {
        listing.count(change)
        log?.append(change.displayPath)
        if held.count < limit || (!change.isDirectory && listing.files.count <= Report.newItemListLimit + 1) {
            held.append(change)
        } else {
            beyond += 1
        }
    }

    /// The listing, its log closed (the caller removes the file: `log.path`).
    mutating func finish() -> NewItemListing {
        if let log {
            log.close()
            listing.logFile = log.failed ? nil : log.path
            self.log = nil
        }
        return listing
    }
}

/// What an apply run said it created, checked when the run ends with errors (rsync names an
/// item before writing it): the first ones held, the others written to a temporary file, so
/// that a run of a million items does not hold a million names.
struct CreatedItems {
    struct Item {
        var path: String
        var bytes: Int64
        var isDirectory: Bool
    }

    private var held: [Item] = []
    private var spill: SpillFile?
    private let environment: [String: String]
    static let heldLimit = 4096
    var isEmpty: Bool { held.isEmpty && spill == nil }

    init(environment: [String: String]) { self.environment = environment }

    mutating func append(_ item: Item) {
        if held.count >= Self.heldLimit {
            if spill == nil { spill = SpillFile(environment: environment) }
            // Without a temporary file the names stay in memory.
            if let spill {
                for item in held { spill.append(Self.record(item)) }
                held.removeAll(keepingCapacity: true)
            }
        }
        held.append(item)
    }

    /// Calls `each` with the items in order, `heldLimit` at a time, then removes the file.
    mutating func forEachBatch(_ each: ([Item]) -> Void) {
        if let spill {
            spill.close()
            var batch: [Item] = []
            ListFile.readRecords(spill.path) { record in
                if let item = Self.item(record) { batch.append(item) }
                if batch.count >= Self.heldLimit { each(batch); batch = [] }
            }
            if !batch.isEmpty { each(batch) }
            ListFile.remove(spill.path)
            self.spill = nil
        }
        if !held.isEmpty { each(held) }
        held = []
    }

    mutating func discard() {
        if let spill {
            spill.close()
            ListFile.remove(spill.path)
            self.spill = nil
        }
        held = []
    }

    static func record(_ item: Item) -> String { (item.isDirectory ? "d" : "f") + "\(item.bytes) " + item.path }

    static func item(_ record: String) -> Item? {
        guard let space = record.firstIndex(of: " "), let kind = record.first, let bytes = Int64(record[record.index(after: record.startIndex)..<space]) else { return nil }
        return Item(path: String(record[record.index(after: space)...]), bytes: bytes, isDirectory: kind == "d")
    }
}
