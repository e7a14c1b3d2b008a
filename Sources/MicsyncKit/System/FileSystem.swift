#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What micsync needs to know about a path, without following a final symbolic link.
public enum FileKind: Equatable, Sendable {
    case missing, directory, regularFile, symbolicLink, other
    /// A path component on the way is not a folder (ENOTDIR): something else stands there.
    case blockedByNonDirectory
}

/// The file-system seam: the few questions the resolver and engine ask of the disc.
public protocol FileSystem: Sendable {
    func kind(of path: String) -> FileKind
    /// Follows links: is there a folder at `path` (an accessible location)?
    func isDirectory(_ path: String) -> Bool
    /// The path with every symbolic link resolved, or nil when it does not exist.
    func realPath(_ path: String) -> String?
    func modificationTime(of path: String) -> Double?
    func isEmptyDirectory(_ path: String) -> Bool
    func currentDirectory() -> String
    func homeDirectory() -> String
    func readFile(_ path: String) throws(FileError) -> [UInt8]
    /// Creates a file with `contents` unless one exists (used for the location marker).
    func createFile(_ path: String, contents: [UInt8]) throws(FileError)
    func stamp(of path: String) -> FileStamp?
    /// Gives `path` the modification time of `source` (a link itself, never its target).
    func copyModificationTime(from source: String, to path: String) -> Bool
    /// Puts `contents` at `path` all at once (used by `--init`): written to a temporary file in
    /// the same folder, flushed to disc, then renamed over `path`, so that a reader sees the old
    /// file or the new one, never part of one. An existing file keeps its permissions; a link
    /// to the file stays a link and the file it leads to is replaced.
    func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError)
    /// Gives an item a new name in the same file system, never replacing one that exists
    /// (`checked`); unchecked only where nothing else can be there: the last step of a case-only
    /// rename, whose new name a drive's lookup cache may still give the old item for a moment.
    func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError)
    /// A hard link at `path` to the file `leader`; `replacing` an existing file at once (a
    /// new name, then a rename over it), else only where nothing is.
    func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError)
    /// Removes the item at `relative` below the folder `location`, never what it holds: a folder
    /// only while it is empty, anything else by its name (a link itself, never what it leads to).
    /// No link on the way from `location` is followed: one that took a folder's place fails.
    func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError)
    /// Bytes free for an unprivileged user on the file system holding `path` (statvfs), or nil.
    func freeSpace(at path: String) -> Int64?
    /// The device holding `path` (`st_dev`, following links), or nil: copies to folders on
    /// different devices may run side by side.
    func device(of path: String) -> UInt64?
    /// The stamps of many paths at once (nil where nothing is): one question to a remote host
    /// instead of one per path.
    func stamps(of paths: [String]) -> [FileStamp?]
    /// The file system as seen from `location`: the remote host's for a remote one.
    func on(_ location: Location) -> FileSystem
    /// Why a remote location's host cannot be reached, or nil (it can, or the location is local).
    func unreachableReason(_ location: Location) -> String?
    /// How many items lie below the folder `path` (not counting it; links not followed), or nil
    /// when they cannot be counted (see ItemCount.swift).
    func itemCount(under path: String) -> Int?
}

public extension FileSystem {
    /// A folder that exists, holding the marker file when its config requires one; asked of the
    /// location's own file system (a remote one over SSH).
    func isAccessible(_ location: Location, in config: Config) -> Bool {
        let fileSystem = on(location)
        guard fileSystem.isDirectory(location.path) else { return false }
        return !config.requireMarker || fileSystem.kind(of: Paths.join(location.path, ReservedName.marker)) != .missing
    }

    /// The deepest folder of the PATHs' parent that the destination already has (a real folder:
    /// a link in its place is something to replace, never followed).
    func existingPrefix(of spec: TransferSpec) -> String { survey(of: spec).existingPrefix }

    /// What the destination has on the way to the copied items, asked of its file system in
    /// one question (one round trip to a remote host): the deepest existing folder of the PATHs'
    /// parent, and whether nothing of the items is there yet (nothing can be replaced, so no
    /// question can arise). Checked component by component, so that a link or a file on the
    /// way counts as something.
    func survey(of spec: TransferSpec) -> DestinationSurvey {
        let destination = on(spec.destination)
        if spec.isWholeLocation {
            return DestinationSurvey(existingPrefix: "", lacksEverything: destination.isEmptyDirectory(spec.destination.path))
        }
        var prefixes: [String] = []
        for component in spec.parent.split(separator: "/") { prefixes.append(Paths.join(prefixes.last ?? "", String(component))) }
        let found = destination.stamps(of: (prefixes + spec.roots).map { Paths.join(spec.destination.path, $0) })
        var prefix = ""
        var depth = 0
        while depth < prefixes.count, found[depth]?.kind == .directory {
            prefix = prefixes[depth]
            depth += 1
        }
        // Below the deepest existing folder, the next component decides; else the items' own.
        let lacks = depth < prefixes.count ? found[depth] == nil : found[prefixes.count...].allSatisfy { $0 == nil }
        var survey = DestinationSurvey(existingPrefix: prefix, lacksEverything: lacks)
        // A file (or special file) on the way is outside what was selected: never replaced. A link
        // there is a change of type that is asked about (the README's Safety table).
        if depth < prefixes.count, let kind = found[depth]?.kind, kind != .symbolicLink {
            survey.nonFolderOnTheWay = (prefixes[depth], kind)
        }
        return survey
    }

}

public struct DestinationSurvey: Equatable, Sendable {
    public var existingPrefix: String
    public var lacksEverything: Bool
    /// A non-folder (not a link) standing where a folder between the location and the PATHs
    /// should be: its location-relative path and what it is.
    public var nonFolderOnTheWay: (path: String, kind: FileKind)?

    public init(existingPrefix: String, lacksEverything: Bool) {
        self.existingPrefix = existingPrefix
        self.lacksEverything = lacksEverything
    }

    public static func == (lhs: DestinationSurvey, rhs: DestinationSurvey) -> Bool {
        lhs.existingPrefix == rhs.existingPrefix && lhs.lacksEverything == rhs.lacksEverything
            && lhs.nonFolderOnTheWay?.path == rhs.nonFolderOnTheWay?.path && lhs.nonFolderOnTheWay?.kind == rhs.nonFolderOnTheWay?.kind
    }
}

/// What an item looked like: compared again just before the apply, so that a destination item
/// changed since the preview is not replaced or deleted unseen.
public struct FileStamp: Equatable, Sendable {
    public var kind: FileKind
    public var size: Int64
    public var modificationTime: Double

    public init(kind: FileKind, size: Int64, modificationTime: Double) {
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
    }
}

public struct FileError: Error, Equatable, Sendable {
    public let path: String
    public let reason: String
}

/// The real file system, through the C library so that any byte in a name survives.
private let systemRename = Glibc.rename

public struct LocalFileSystem: FileSystem {
    public init() {}

    public func kind(of path: String) -> FileKind {
        var info = stat()
        let result = PathBytes.bytes(path).withCString { lstat($0, &info) }
        if result != 0 {
            return errno == ENOTDIR ? .blockedByNonDirectory : .missing
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        let result = PathBytes.bytes(path).withCString { stat($0, &info) }
        return result == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public func realPath(_ path: String) -> String? {
        PathBytes.bytes(path).withCString { pointer -> String? in
            guard let resolved = realpath(pointer, nil) else { return nil }
            defer { free(resolved) }
            return PathBytes.string(UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
        }
    }

    public func modificationTime(of path: String) -> Double? {
        var info = stat()
        guard PathBytes.bytes(path).withCString({ lstat($0, &info) }) == 0 else { return nil }
        #if canImport(Darwin)
        return Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    public func stamps(of paths: [String]) -> [FileStamp?] { paths.map { stamp(of: $0) } }

    /// Every location is a folder of this machine here (remote ones go through `RoutingFileSystem`).
    public func on(_ location: Location) -> FileSystem { self }

    public func unreachableReason(_ location: Location) -> String? { nil }

    public func device(of path: String) -> UInt64? {
        var info = stat()
        guard PathBytes.bytes(path).withCString({ stat($0, &info) }) == 0 else { return nil }
        return UInt64(info.st_dev)
    }

    public func freeSpace(at path: String) -> Int64? {
        var info = statvfs()
        guard PathBytes.bytes(path).withCString({ statvfs($0, &info) }) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    public func isEmptyDirectory(_ path: String) -> Bool {
        guard let directory = PathBytes.bytes(path).withCString({ opendir($0) }) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    public func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "/" }
        defer { free(pointer) }
        return PathBytes.string(UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) })
    }

    public func homeDirectory() -> String {
        if let home = getenv("HOME"), home[0] != 0 { return String(cString: home) }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }

    public func stamp(of path: String) -> FileStamp? {
        var info = stat()
        guard PathBytes.bytes(path).withCString({ lstat($0, &info) }) == 0 else { return nil }
        #if canImport(Darwin)
        let time = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        let time = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
        let kind: FileKind = switch info.st_mode & S_IFMT {
        case S_IFDIR: .directory
        case S_IFREG: .regularFile
        case S_IFLNK: .symbolicLink
        default: .other
        }
        return FileStamp(kind: kind, size: Int64(info.st_size), modificationTime: time)
    }

    public func copyModificationTime(from source: String, to path: String) -> Bool {
        var from = stat(), to = stat()
        guard PathBytes.bytes(source).withCString({ lstat($0, &from) }) == 0,
              PathBytes.bytes(path).withCString({ lstat($0, &to) }) == 0 else { return false }
        #if canImport(Darwin)
        var times = [to.st_atimespec, from.st_mtimespec]
        #else
        var times = [to.st_atim, from.st_mtim]
        #endif
        return PathBytes.bytes(path).withCString { utimensat(AT_FDCWD, $0, &times, AT_SYMLINK_NOFOLLOW) } == 0
    }

    public func createFile(_ path: String, contents: [UInt8]) throws(FileError) {
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw FileError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let written = contents.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if written != contents.count { throw FileError(path: path, reason: String(cString: strerror(errno))) }
    }

    public func writeFileAtomically(_ path: String, contents: [UInt8]) throws(FileError) {
        func failure(_ at: String, _ code: Int32 = errno) -> FileError { FileError(path: at, reason: String(cString: strerror(code))) }
        // Through a link (a dotfile manager's), the file it leads to is replaced, in its folder.
        var target = path
        if kind(of: path) == .symbolicLink {
            guard let real = realPath(path) else { throw FileError(path: path, reason: "a symbolic link that leads nowhere") }
            target = real
        }
        var existing = stat()
        let exists = PathBytes.bytes(target).withCString { stat($0, &existing) } == 0
        let folder = Paths.parent(target).isEmpty ? "." : Paths.parent(target)
        // A new name in the same folder (so that the rename stays on one file system); O_EXCL
        // never reuses someone else's file. A new file gets 0644 less the umask.
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<100 {
            temporary = Paths.join(folder, ".\(Paths.lastComponent(target)).micsync-\(UInt32.random(in: 0...UInt32.max))")
            descriptor = PathBytes.bytes(temporary).withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw failure(target) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(descriptor) }
            if !renamed { _ = PathBytes.bytes(temporary).withCString { unlink($0) } }
        }
        if exists {
            _ = fchown(descriptor, existing.st_uid, existing.st_gid)  // allowed only to root; then ours
            guard fchmod(descriptor, existing.st_mode & 0o7777) == 0 else { throw failure(target) }
        }
        var offset = 0
        while offset < contents.count {
            let count = contents[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(target)
            }
            offset += count
        }
        guard fsync(descriptor) == 0 else { throw failure(target) }
        closed = true
        guard close(descriptor) == 0 else { throw failure(target) }
        let moved = PathBytes.bytes(temporary).withCString { from in PathBytes.bytes(target).withCString { systemRename(from, $0) } }
        guard moved == 0 else { throw failure(target) }
        renamed = true
        // The rename itself reaches the disc with the folder.
        let directory = PathBytes.bytes(folder).withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    public func rename(_ path: String, to newPath: String, checked: Bool) throws(FileError) {
        // renameat2's RENAME_NOREPLACE is not on every file system (FUSE drives lack it): check
        // first; the location is locked, so nothing of ours appears meanwhile.
        var old = stat(), existing = stat()
        if checked && PathBytes.bytes(newPath).withCString({ lstat($0, &existing) }) == 0 {
            // On a drive that does not tell case apart the new name may find the item itself.
            let same = PathBytes.bytes(path).withCString { lstat($0, &old) } == 0 && old.st_dev == existing.st_dev && old.st_ino == existing.st_ino
            if !same { throw FileError(path: newPath, reason: "something is already there") }
        }
        let moved = PathBytes.bytes(path).withCString { from in PathBytes.bytes(newPath).withCString { systemRename(from, $0) } }
        guard moved == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
    }

    public func makeHardLink(to leader: String, at path: String, replacing: Bool) throws(FileError) {
        guard kind(of: leader) == .regularFile else { throw FileError(path: leader, reason: "not a file") }
        guard replacing else {
            guard PathBytes.bytes(leader).withCString({ from in PathBytes.bytes(path).withCString { link(from, $0) } }) == 0 else {
                throw FileError(path: path, reason: String(cString: strerror(errno)))
            }
            return
        }
        guard kind(of: path) == .regularFile else { throw FileError(path: path, reason: "not a file") }
        let temporary = Paths.join(Paths.parent(path), ".micsync-link." + Paths.lastComponent(path))
        guard PathBytes.bytes(leader).withCString({ from in PathBytes.bytes(temporary).withCString { link(from, $0) } }) == 0 else {
            throw FileError(path: path, reason: String(cString: strerror(errno)))
        }
        guard PathBytes.bytes(temporary).withCString({ from in PathBytes.bytes(path).withCString { systemRename(from, $0) } }) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = PathBytes.bytes(temporary).withCString { unlink($0) }
            throw FileError(path: path, reason: reason)
        }
    }

    public func removeItem(_ relative: String, in location: String, isFolder: Bool) throws(FileError) {
        let path = Paths.join(location, relative)
        var folder = PathBytes.bytes(location).withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard folder >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(folder) }
        let components = PathBytes.bytes(relative).split(separator: UInt8(ascii: "/"))
        guard let name = components.last else { throw FileError(path: path, reason: "not an item below the location") }
        for component in components.dropLast() {
            let next = Array(component).withCString { openat(folder, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard next >= 0 else {
                let reason = errno == ELOOP || errno == ENOTDIR ? "a link or a non-folder now stands on its way" : String(cString: strerror(errno))
                throw FileError(path: path, reason: reason)
            }
            close(folder)
            folder = next
        }
        let removed = Array(name).withCString { unlinkat(folder, $0, isFolder ? AT_REMOVEDIR : 0) }
        guard removed == 0 else {
            throw FileError(path: path, reason: errno == ENOTEMPTY || errno == EEXIST ? Self.notEmpty : String(cString: strerror(errno)))
        }
    }

    /// Why a folder was not removed: something the preview did not list is in it.
    public static let notEmpty = "it holds items the preview did not list"

    public func readFile(_ path: String) throws(FileError) -> [UInt8] {
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_RDONLY) }
        guard descriptor >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 65536) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            content.append(contentsOf: buffer[0..<count])
        }
        return content
    }
}
