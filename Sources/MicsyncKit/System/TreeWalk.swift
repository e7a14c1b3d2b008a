#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source's side of `LocalTreeComparison`: walks the tree depth first and sends each
/// folder's items, reserved names left out. A hard link, an error or a tree deeper than
/// `deepest` ends it with `.failed`.
final class SourceWalk {
    static let packetSize = 256
    /// Deeper than this, the walk gives up (each level holds an open folder and a stack frame).
    static let deepest = 1000
    private let queue: WalkQueue
    private let reader: TreeItemReader
    private let entries = FolderEntries()
    private var packet: [WalkMessage] = []
    private var packetItems = 0
    private var stopped = false
    /// Only folders are sent (what is not a folder is not even read where the entry's type says so).
    private let foldersOnly: Bool

    init(queue: WalkQueue, attributesByFolder: Bool, foldersOnly: Bool = false) {
        self.queue = queue
        self.foldersOnly = foldersOnly
        reader = TreeItemReader(byFolder: attributesByFolder)
    }

    func run(root: [UInt8]) {
        let folder = openLocation(root)
        var complete = false
        if folder >= 0 {
            if let item = reader.item(of: folder) {
                send(.folder(depth: 0, item))
                complete = walk(folder, depth: 0, path: root)
            }
            close(folder)
        }
        send(complete ? .finished : .failed)
        flush()
    }

    /// Sends the items of the open folder `folder`, then walks its folders; false when something
    /// could not be read or compared, or the check stopped.
    private func walk(_ folder: Int32, depth: Int, path: [UInt8]) -> Bool {
        var folders: [TreeItem] = []
        var items: [TreeItem] = []
        var count = 0
        let reader = self.reader
        let foldersOnly = self.foldersOnly
        let complete = entries.forEach(in: folder) { name, length, type in
            let match = RsyncCommand.reservedMatch(UnsafeRawBufferPointer(start: name, count: length), atTop: depth == 0)
            if match == .always { return true }
            if foldersOnly && type != UInt8(DT_DIR) && type != UInt8(DT_UNKNOWN) { return true }
            guard var item = reader.item(named: name, in: folder, folderPath: path) else { return false }
            if match == .whenFolder && item.isFolder { return true }
            if foldersOnly && !item.isFolder { return true }
            if !item.isFolder && item.links != 1 { return false }
            item.name = Array(UnsafeRawBufferPointer(start: name, count: length + 1))
            if item.isFolder { folders.append(item) }
            items.append(item)
            count += 1
            if items.count == Self.packetSize {
                send(.items(items))
                items = []
            }
            return !stopped
        }
        guard complete && !stopped else { return false }
        if !items.isEmpty { send(.items(items)) }
        send(.listed(count))
        guard depth < Self.deepest || folders.isEmpty else { return false }
        for child in folders {
            let opened = openFolder(child.name, in: folder)
            guard opened >= 0 else { return false }
            defer { close(opened) }
            // The folder opened must be the one whose attributes were sent.
            var status = stat()
            guard fstat(opened, &status) == 0, UInt64(status.st_dev) == child.identity.device,
                  UInt64(status.st_ino) == child.identity.inode else { return false }
            send(.folder(depth: depth + 1, child))
            guard !stopped, walk(opened, depth: depth + 1, path: path + [0x2F] + child.name.dropLast()) else { return false }
        }
        return true
    }

    private func send(_ message: WalkMessage) {
        packet.append(message)
        if case .items(let items) = message { packetItems += items.count }
        if packetItems >= Self.packetSize { flush() }
    }

    private func flush() {
        guard !packet.isEmpty && !stopped else { return }
        stopped = !queue.push(packet)
        packet = []
        packetItems = 0
    }
}

/// The destination's side of `LocalTreeComparison`: follows the source's messages, looking up
/// each item by name in the same folder here. With `deleting`, a folder must also hold no other
/// name (the reserved ones aside): as each source name was found here, equal counts say so.
final class DestinationCheck {
    private let deleting: Bool
    private let reader: TreeItemReader
    private let entries = FolderEntries()
    /// The open folders from the location folder to the current one, and their paths.
    private var folders: [Int32] = []
    private var paths: [[UInt8]] = []

    init(deleting: Bool, attributesByFolder: Bool) {
        self.deleting = deleting
        reader = TreeItemReader(byFolder: attributesByFolder)
    }

    deinit { folders.forEach { close($0) } }

    func run(root: [UInt8], queue: WalkQueue, interrupted: () -> Bool = { false }) -> TreeComparison {
        while true {
            if interrupted() { return .unknown }
            for message in queue.pop() {
                switch message {
                case .folder(let depth, let item):
                    guard enter(depth: depth, source: item, root: root) else { return .unknown }
                case .items(let items):
                    for item in items { guard matches(item) else { return .unknown } }
                case .listed(let count):
                    guard !deleting || countEntries() == count else { return .unknown }
                case .finished:
                    return .identical
                case .failed:
                    return .unknown
                }
            }
        }
    }

    /// Opens the destination's folder at `depth`; false when it cannot, or when its attributes
    /// are not (or no longer) the source's.
    private func enter(depth: Int, source: TreeItem, root: [UInt8]) -> Bool {
        while folders.count > depth {
            close(folders.removeLast())
            paths.removeLast()
        }
        guard folders.count == depth else { return false }
        let folder = depth == 0 ? openLocation(root) : openFolder(source.name, in: folders[depth - 1])
        guard folder >= 0 else { return false }
        folders.append(folder)
        paths.append(depth == 0 ? root : paths[depth - 1] + [0x2F] + source.name.dropLast())
        if depth == 0 { return reader.item(of: folder)?.matches(source) == true }
        var status = stat()
        return fstat(folder, &status) == 0 && TreeItem(status).sameFolderAttributes(source)
    }

    private func matches(_ source: TreeItem) -> Bool {
        guard let folder = folders.last, let path = paths.last else { return false }
        let found = source.name.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { reader.item(named: $0.baseAddress!, in: folder, folderPath: path) }
        }
        return found?.matches(source) == true
    }

    /// The names in the current folder that rsync's `--delete` would look at (the reserved ones
    /// left out); nil when it cannot be read.
    private func countEntries() -> Int? {
        guard let folder = folders.last else { return nil }
        let atTop = folders.count == 1
        var count = 0
        let complete = entries.forEach(in: folder) { name, length, type in
            switch RsyncCommand.reservedMatch(UnsafeRawBufferPointer(start: name, count: length), atTop: atTop) {
            case .always:
                return true
            case .whenFolder:
                var status = stat()
                let isFolder = type == UInt8(DT_DIR)
                    || (type == UInt8(DT_UNKNOWN) && fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mode & S_IFMT == S_IFDIR)
                if isFolder { return true }
            case .none:
                break
            }
            count += 1
            return true
        }
        return complete ? count : nil
    }
}
