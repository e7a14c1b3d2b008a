#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the quick comparison of two trees found. It never lists changes: that is rsync's
/// preview's work.
public enum TreeComparison: Equatable, Sendable {
    /// rsync's preview would list nothing.
    case identical
    /// Something differs, could not be read, or is beyond what the comparison looks at.
    case unknown
}

/// The quick comparison of two local trees, a seam: walking them is a side effect.
public protocol TreeComparing: Sendable {
    /// Whether `source`'s tree and `destination`'s are identical in everything rsync's preview of
    /// the whole location compares, and more. `deleting`: a name only the destination has is a
    /// difference (`--delete` would list it); otherwise it is not looked at. `foldersOnly`: only
    /// the folders are compared (`--tree`, whose rsync runs leave everything else out).
    /// `interrupted` (Ctrl-C) is asked as it goes: then it stops, "don't know".
    func compare(source: String, destination: String, deleting: Bool, foldersOnly: Bool, interrupted: () -> Bool) -> TreeComparison
}

/// The real comparison. The source is walked on a thread of its own (a depth-first walk, each
/// folder's items in the order its file system gives them, sent in packets through a small
/// queue), while the caller's thread looks up each of them by name in the destination, folder by
/// folder in the same order, and compares. It stops at the first difference. Memory: the queue's
/// few packets, and for each level of the folder being walked, its subfolders still to walk.
///
/// Stricter than rsync, so that "identical" is only ever said when rsync's preview would be
/// empty: per item the type and full mode, owner and group (as numbers), the size (of all but
/// folders), the modification time in whole seconds as rsync compares it (folders, links and the location folders
/// themselves too), a link's target, a device's number, every extended attribute with its value
/// (ACLs are some) whatever the config keeps, and no hard links (rsync's `-H` decides about those).
/// Names are compared as bytes. The names rsync's reserved rules exclude are skipped exactly as
/// they exclude them (`RsyncCommand.reservedMatch`); any other exclusion is compared like any
/// item, so an excluded difference only sends the run to rsync. Links are never followed, but
/// the location folders themselves are (rsync's `SRC/` and `DST/` are too). Any error means
/// "don't know".
public struct LocalTreeComparison: TreeComparing {
    /// Attributes are read by folder and name (listxattrat), else by path (older kernels).
    let attributesByFolder: Bool

    public init() { attributesByFolder = TreeItemReader.attributesByFolder }

    init(attributesByFolder: Bool) { self.attributesByFolder = attributesByFolder }

    public func compare(source: String, destination: String, deleting: Bool, foldersOnly: Bool, interrupted: () -> Bool) -> TreeComparison {
        let queue = WalkQueue()
        let sourceRoot = PathBytes.bytes(source)
        let byFolder = attributesByFolder
        guard let walker = WorkerThread.startSeparately({ SourceWalk(queue: queue, attributesByFolder: byFolder, foldersOnly: foldersOnly).run(root: sourceRoot) }) else {
            return .unknown
        }
        let answer = DestinationCheck(deleting: deleting, attributesByFolder: byFolder).run(root: PathBytes.bytes(destination), queue: queue, interrupted: interrupted)
        queue.stop()
        walker.join()
        return answer
    }
}

/// What the source's walk tells the destination's check, in order.
enum WalkMessage: Sendable {
    /// A folder begins: the location folder (depth 0), else a folder of the one begun last at
    /// `depth - 1` (the item is the one its parent's items already held).
    case folder(depth: Int, TreeItem)
    /// Items of the folder begun last.
    case items([TreeItem])
    /// The folder begun last has no more items: how many it held (reserved names left out).
    case listed(Int)
    case finished
    case failed
}

/// A few packets of messages between the source's walk and the destination's check: the walk
/// waits while it is full; `stop` ends the walk at its next packet.
final class WalkQueue: @unchecked Sendable {
    static let capacity = 4
    private let monitor = Monitor()
    private var packets: [[WalkMessage]] = []
    private var stopped = false

    /// False when the check has stopped: the walk ends.
    func push(_ packet: [WalkMessage]) -> Bool {
        monitor.withLock {
            while packets.count >= Self.capacity && !stopped { monitor.wait() }
            guard !stopped else { return false }
            packets.append(packet)
            monitor.broadcast()
            return true
        }
    }

    func pop() -> [WalkMessage] {
        monitor.withLock {
            while packets.isEmpty { monitor.wait() }
            monitor.broadcast()
            return packets.removeFirst()
        }
    }

    func stop() {
        monitor.withLock {
            stopped = true
            packets.removeAll()
            monitor.broadcast()
        }
    }
}

/// Opens `name` (NUL-terminated bytes) in `folder` as a folder, never through a link.
func openFolder(_ name: [UInt8], in folder: Int32) -> Int32 {
    name.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { openat(folder, $0.baseAddress!, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
    }
}

/// Opens a location folder (following links, as rsync does with `SRC/`).
func openLocation(_ path: [UInt8]) -> Int32 {
    (path + [0]).withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }
}
