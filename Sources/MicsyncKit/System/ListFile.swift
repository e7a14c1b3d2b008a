#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Private temporary files in `$TMPDIR` (default /tmp): the NUL-separated name lists that rsync's
/// `--files-from --from0` reads, and scratch folders.
enum ListFile {
    static func temporaryFolder(_ environment: [String: String]) -> String {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// Writes the list into a new file (mode 0600) and returns its path; nil if that fails.
    static func write(_ paths: [String], environment: [String: String]) -> String? {
        guard let (path, descriptor) = create(environment: environment) else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        for path in paths { bytes += PathBytes.bytes(path) + [0] }
        guard writeAll(bytes, to: descriptor) else {
            remove(path)
            return nil
        }
        return path
    }

    /// A new empty list file, open for writing: its path and descriptor.
    static func create(environment: [String: String]) -> (String, Int32)? {
        var template = Array((temporaryFolder(environment) + "/micsync-list.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return nil }
        return (template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, descriptor)
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 { if errno == EINTR { continue }; return false }
            offset += written
        }
        return true
    }

    static func closeDescriptor(_ descriptor: Int32) { close(descriptor) }

    /// Calls `each` with every NUL-terminated record of a list file, in order, reading it a
    /// block at a time; false when it cannot be read.
    @discardableResult
    static func readRecords(_ path: String, each: (String) -> Void) -> Bool {
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_RDONLY) }
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var block = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        while true {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return false }
            if count == 0 { break }
            for byte in block[0..<count] {
                if byte == 0 {
                    each(PathBytes.string(pending))
                    pending.removeAll(keepingCapacity: true)
                } else {
                    pending.append(byte)
                }
            }
        }
        return true
    }

    /// A new private folder `PREFIX.XXXXXX` under `base`; nil if that fails.
    static func makeFolder(prefix: String, in base: String) -> String? {
        var template = Array((base + "/" + prefix + ".XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func remove(_ path: String) { _ = PathBytes.bytes(path).withCString { unlink($0) } }

    static func removeFolder(_ path: String) { _ = PathBytes.bytes(path).withCString { rmdir($0) } }

    /// A private folder of ours and the files directly in it (sockets left by a lost connection).
    static func removeFolderAndContents(_ path: String) {
        if let directory = PathBytes.bytes(path).withCString({ opendir($0) }) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { PathBytes.string($0.prefix { $0 != 0 }) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { remove(path + "/" + name) }
        }
        removeFolder(path)
    }
}

/// The seam for micsync's temporary files: the file lists that rsync reads (`--files-from`,
/// `--exclude-from`) and private scratch folders. Fakes keep them in memory.
public protocol TemporaryLists: Sendable {
    /// A new private file holding the paths, NUL-separated; its path, or nil if that fails.
    func write(_ paths: [String]) -> String?
    func remove(_ path: String)
    /// A new private folder `PREFIX.XXXXXX` in the temporary folder; nil if that fails.
    func makeFolder(prefix: String) -> String?
    /// Removes such a folder with the files directly in it.
    func removeFolder(_ path: String)
}

/// The real ones, in `$TMPDIR` (default /tmp), mode 0600 (folders 0700).
public struct TemporaryListFiles: TemporaryLists {
    /// The folder they are made in.
    public let folder: String

    public init(environment: [String: String]) { folder = ListFile.temporaryFolder(environment) }

    /// In `folder` instead of `$TMPDIR` (SSH's sockets need a short path).
    public init(folder: String) { self.folder = folder }

    public func write(_ paths: [String]) -> String? { ListFile.write(paths, environment: ["TMPDIR": folder]) }
    public func remove(_ path: String) { ListFile.remove(path) }
    public func makeFolder(prefix: String) -> String? { ListFile.makeFolder(prefix: prefix, in: folder) }
    public func removeFolder(_ path: String) { ListFile.removeFolderAndContents(path) }
}
