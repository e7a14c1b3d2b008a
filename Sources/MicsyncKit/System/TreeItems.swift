#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFileSystemCalls

/// One item as the tree comparison sees it: everything rsync's preview compares, and more.
struct TreeItem: Sendable {
    /// The name's bytes followed by a NUL (handed to the system calls as they are); empty for
    /// an item read only to be compared.
    var name: [UInt8] = []
    var mode: UInt32
    var owner: UInt32
    var group: UInt32
    var size: Int64
    /// The modification time in whole seconds: rsync compares no more (its `--modify-window`
    /// is 0 unless a drive keeps coarser times; only -1 would compare nanoseconds), and a copy it
    /// made within the second of the source's time keeps its own nanoseconds for good.
    var seconds: Int
    /// `st_rdev`: which device a device file stands for.
    var device: UInt64
    var links: UInt64
    /// `st_dev` and `st_ino`: a folder opened later must be the one read here.
    var identity: (device: UInt64, inode: UInt64)
    /// A link's target; empty otherwise.
    var target: [UInt8] = []
    /// Every extended attribute (ACLs included), canonical: see `TreeItemReader.attributes`.
    var attributes: [UInt8] = []

    init(_ status: stat) {
        mode = UInt32(status.st_mode)
        owner = UInt32(status.st_uid)
        group = UInt32(status.st_gid)
        size = Int64(status.st_size)
        seconds = Int(status.st_mtim.tv_sec)
        device = UInt64(status.st_rdev)
        links = UInt64(status.st_nlink)
        identity = (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// S_IFMT and S_IFDIR (the same numbers on every POSIX system).
    var isFolder: Bool { mode & 0o170000 == 0o040000 }

    /// Equal in everything compared (names aside). Any hard link is a difference: rsync's `-H`
    /// decides about those.
    func matches(_ other: TreeItem) -> Bool {
        guard mode == other.mode, owner == other.owner, group == other.group, seconds == other.seconds else { return false }
        if !isFolder {
            // A folder's size is its file system's business (tmpfs and ext4 differ), never rsync's.
            guard size == other.size, device == other.device, links == 1, other.links == 1, target == other.target else { return false }
        }
        return attributes == other.attributes
    }

    /// The same folder attributes as `other` (read again once the folder is open).
    func sameFolderAttributes(_ other: TreeItem) -> Bool {
        mode == other.mode && owner == other.owner && group == other.group && seconds == other.seconds
    }
}

/// Reads one side's items without following a link: by open folder and name (`fstatat`,
/// `readlinkat`, and `listxattrat`/`getxattrat` where the kernel has them, Linux 6.13; else
/// `llistxattr`/`lgetxattr` by full path). Holds its buffers: one reader per thread.
final class TreeItemReader {
    /// The kernel has listxattrat (asked once per process; a sandbox's filter may refuse it).
    static let attributesByFolder: Bool = micsync_list_attributes_at(AT_FDCWD, "/", nil, 0) >= 0 || (errno != ENOSYS && errno != EPERM)

    /// Linux caps a list of attribute names, and each value, at 64 KiB: one call reads them.
    private static let attributeLimit = 65_536
    private let names = UnsafeMutablePointer<CChar>.allocate(capacity: attributeLimit)
    private let value = UnsafeMutableRawPointer.allocate(byteCount: attributeLimit, alignment: 8)
    private let target = UnsafeMutablePointer<CChar>.allocate(capacity: Int(PATH_MAX))
    /// The path of the item read, for the calls by path.
    private var path: [UInt8] = []
    private let byFolder: Bool

    init(byFolder: Bool) { self.byFolder = byFolder }

    deinit {
        names.deallocate()
        value.deallocate()
        target.deallocate()
    }

    /// The item `name` (NUL-terminated) in the open folder `folder`, whose path is `folderPath`;
    /// nil when it cannot be read entirely (missing included).
    func item(named name: UnsafePointer<CChar>, in folder: Int32, folderPath: [UInt8]) -> TreeItem? {
        var status = stat()
        guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        var item = TreeItem(status)
        if status.st_mode & S_IFMT == S_IFLNK {
            let length = readlinkat(folder, name, target, Int(PATH_MAX))
            guard length >= 0 && length < Int(PATH_MAX) else { return nil }
            item.target = target.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        }
        let found: [UInt8]?
        if byFolder {
            found = attributes(list: { micsync_list_attributes_at(folder, name, $0, $1) },
                               get: { micsync_get_attribute_at(folder, name, $0, $1, $2) })
        } else {
            path = folderPath
            path.append(0x2F)
            path.append(contentsOf: UnsafeRawBufferPointer(start: name, count: strlen(name)))
            path.append(0)
            found = path.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { path in
                    attributes(list: { micsync_list_link_attributes(path.baseAddress!, $0, $1) },
                               get: { micsync_get_link_attribute(path.baseAddress!, $0, $1, $2) })
                }
            }
        }
        guard let found else { return nil }
        item.attributes = found
        return item
    }

    /// An open folder itself (a location folder).
    func item(of folder: Int32) -> TreeItem? {
        var status = stat()
        guard fstat(folder, &status) == 0 else { return nil }
        var item = TreeItem(status)
        guard let found = attributes(list: { micsync_list_attributes(folder, $0, $1) },
                                     get: { micsync_get_attribute(folder, $0, $1, $2) }) else { return nil }
        item.attributes = found
        return item
    }

    /// Every attribute as one byte string: the names sorted bytewise, each followed by a NUL,
    /// its value's length (4 bytes) and its value; empty when there are none or the file system
    /// keeps none. nil on any other error (a value gone meanwhile included).
    private func attributes(list: (UnsafeMutablePointer<CChar>, Int) -> Int,
                            get: (UnsafePointer<CChar>, UnsafeMutableRawPointer, Int) -> Int) -> [UInt8]? {
        let length = Self.sized { list(names, $0) }
        if length < 0 { return errno == ENOTSUP || errno == EOPNOTSUPP ? [] : nil }
        guard length > 0 else { return [] }
        let all = names.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        var result: [UInt8] = []
        for name in all.split(separator: 0).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let size = (Array(name) + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { name in Self.sized { get(name.baseAddress!, value, $0) } }
            }
            guard size >= 0 else { return nil }
            result += name
            result.append(0)
            withUnsafeBytes(of: UInt32(size).littleEndian) { result += $0 }
            result += UnsafeRawBufferPointer(start: value, count: size)
        }
        return result
    }

    /// A call given a small buffer first, the largest only when that is too small: the kernel
    /// allocates as much as it is offered for each call, and most items have few attributes.
    private static func sized(_ call: (Int) -> Int) -> Int {
        let length = call(1024)
        guard length < 0 && errno == ERANGE else { return length }
        return call(attributeLimit)
    }
}

/// The entries of open folders, read in large blocks (`getdents64`), "." and ".." left out.
/// One block at a time: a folder is read to its end before the next is begun.
final class FolderEntries {
    private static let blockSize = 65_536
    private let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 8)

    deinit { block.deallocate() }

    /// Calls `body` with each name (NUL-terminated), its length and its `d_type`, until it
    /// returns false; false when the folder could not be read to its end.
    func forEach(in folder: Int32, _ body: (UnsafePointer<CChar>, Int, UInt8) -> Bool) -> Bool {
        while true {
            let read = micsync_read_entries(folder, block, Self.blockSize)
            if read == 0 { return true }
            guard read > 0 else { return false }
            var offset = 0
            while offset < read {
                // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                let record = block + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                guard length > 0 else { return false }
                let type = record.load(fromByteOffset: 18, as: UInt8.self)
                let name = (record + 19).assumingMemoryBound(to: CChar.self)
                offset += length
                let nameLength = strlen(name)
                if name[0] == 0x2E && (nameLength == 1 || (nameLength == 2 && name[1] == 0x2E)) { continue }
                guard body(name, nameLength, type) else { return false }
            }
        }
    }
}
