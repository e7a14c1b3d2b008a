#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFileSystemCalls

/// Learns what the local file system holding a folder can store by trying each thing in a
/// private folder made in it, and reading back what was kept: return values are not enough
/// (ntfs-3g's `chmod`, `chown` and ACLs succeed and change nothing). The folder is removed and
/// the location folder's times put back, so that nothing shows the probe was there.
enum LocalDriveTrial {
    static func capabilities(at location: String) -> FileSystemCapabilities {
        guard let path = realPath(location), let before = status(path), before.st_mode & S_IFMT == S_IFDIR else {
            return .everything()
        }
        let (type, options, mountPoint) = identify(path)
        guard !options.contains("ro"), let folder = makeFolder(in: path) else {
            return DriveTrial.atLocation(FileSystemCapabilities.ofType(type, mountOptions: options), isMountRoot: mountPoint == path)
        }
        var tried = FileSystemCapabilities(type: type, learnedBy: .trying)
        let directory = PathBytes.bytes(folder).withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        var ran = false
        if directory >= 0 {
            ran = tryEach(in: directory, into: &tried)
            removeContents(of: directory)
            close(directory)
        }
        _ = PathBytes.bytes(folder).withCString { rmdir($0) }
        var times = [before.st_atim, before.st_mtim]
        _ = PathBytes.bytes(path).withCString { utimensat(AT_FDCWD, $0, &times, 0) }
        // A folder but no file could be made (fusefat): nothing was learned by trying.
        guard ran else { return DriveTrial.atLocation(FileSystemCapabilities.ofType(type, mountOptions: options), isMountRoot: mountPoint == path) }
        return DriveTrial.completed(tried, mountOptions: options, isMountRoot: mountPoint == path)
    }

    /// The file system's type, options and mount point, from the mount table, checked against
    /// `statfs`.
    static func identify(_ path: String) -> (type: String, options: [String], mountPoint: String?) {
        let magic = MountTable.magicName(PathBytes.bytes(path).withCString { micsync_file_system_magic($0) })
        let entries = MountTable.parse(readText("/proc/self/mountinfo") ?? "")
        guard let entry = MountTable.entry(holding: path, in: entries),
              magic.map({ MountTable.type(entry.type, matchesMagicName: $0) }) ?? true else {
            return (magic ?? "unknown", [], nil)
        }
        let sector = entry.type.hasPrefix("fuse") && entry.source.hasPrefix("/") ? readBytes(entry.source, count: 90) : nil
        return (MountTable.typeName(of: entry, bootSector: sector), entry.options, entry.mountPoint)
    }

    /// Each trial, in the private folder open as `directory`; false if not even a file could be
    /// made there.
    static func tryEach(in directory: Int32, into capabilities: inout FileSystemCapabilities) -> Bool {
        func at<Result>(_ name: String, _ body: (UnsafePointer<CChar>) -> Result) -> Result { PathBytes.bytes(name).withCString(body) }
        func status(_ name: [UInt8]) -> stat? {
            var found = stat()
            return name.withCString { fstatat(directory, $0, &found, AT_SYMLINK_NOFOLLOW) } == 0 ? found : nil
        }
        func create(_ name: [UInt8]) -> Bool {
            let file = name.withCString { openat(directory, $0, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644) }
            guard file >= 0 else { return false }
            close(file)
            return status(name) != nil
        }
        let file: [UInt8] = Array("f".utf8)
        guard create(file) else { return false }
        capabilities.permissions = [0o640, 0o604].allSatisfy { mode in
            at("f") { fchmodat(directory, $0, mode_t(mode), 0) } == 0 && status(file).map { $0.st_mode & 0o7777 } == mode_t(mode)
        }
        if geteuid() == 0 {
            capabilities.ownership = at("f") { fchownat(directory, $0, DriveTrial.otherID, DriveTrial.otherID, AT_SYMLINK_NOFOLLOW) } == 0
                && status(file).map { $0.st_uid == DriveTrial.otherID && $0.st_gid == DriveTrial.otherID } == true
        } else {
            capabilities.ownership = capabilities.permissions
        }
        capabilities.symbolicLinks = at("f") { target in at("l") { symlinkat(target, directory, $0) } } == 0
            && status(Array("l".utf8)).map { $0.st_mode & S_IFMT == S_IFLNK } == true
        capabilities.hardLinks = at("f") { from in at("h") { linkat(directory, from, directory, $0, 0) } } == 0
            && status(file).map { $0.st_nlink == 2 } == true
        capabilities.specialFiles = at("p") { mkfifoat(directory, $0, 0o600) } == 0
            && status(Array("p".utf8)).map { $0.st_mode & S_IFMT == S_IFIFO } == true
        capabilities.caseSensitive = !(create(Array("c".utf8)) && status(Array("C".utf8)) != nil)
        if !create(DriveTrial.allCandidatesName) {
            capabilities.refusedBytes = FileSystemCapabilities.windowsRefusedBytes.filter { !create(DriveTrial.candidateName($0)) }
        }
        capabilities.requiresUTF8Names = !create(DriveTrial.nonUTF8Name)
        capabilities.windowsReservedNames = !create(Array("CON".utf8)) || !create(Array("dot.".utf8)) || !create(Array("space ".utf8))
        if let resolution = timeResolution(in: directory, name: file, status: status) { capabilities.timeResolution = resolution }
        capabilities.sparseFiles = sparseFilesKept(in: directory)
        tryAttributes(in: directory, into: &capabilities)
        return true
    }

    static func timeResolution(in directory: Int32, name: [UInt8], status: ([UInt8]) -> stat?) -> Double? {
        let time = timespec(tv_sec: DriveTrial.probeTime.seconds, tv_nsec: DriveTrial.probeTime.nanoseconds)
        var times = [time, time]
        guard name.withCString({ utimensat(directory, $0, &times, AT_SYMLINK_NOFOLLOW) }) == 0, let found = status(name) else { return nil }
        return DriveTrial.timeResolution(set: DriveTrial.probeTime, read: (found.st_mtim.tv_sec, found.st_mtim.tv_nsec))
    }

    /// A file written only at 1 MiB takes (nearly) no room where holes are kept.
    static func sparseFilesKept(in directory: Int32) -> Bool {
        let file = openat(directory, "s", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o644)
        guard file >= 0 else { return false }
        defer { close(file) }
        var byte: UInt8 = 1
        var found = stat()
        guard pwrite(file, &byte, 1, 1 << 20) == 1, fstat(file, &found) == 0 else { return false }
        return Int(found.st_blocks) * 512 < 1 << 19
    }

    /// A user extended attribute and an ACL naming another user, each set and read back; and
    /// whether the ACL also shows as an extended attribute of its own (XFS, to root).
    static func tryAttributes(in directory: Int32, into capabilities: inout FileSystemCapabilities) {
        let file = openat(directory, "x", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o644)
        guard file >= 0 else { capabilities.extendedAttributes = false; capabilities.acls = false; return }
        defer { close(file) }
        capabilities.extendedAttributes = micsync_set_attribute(file, DriveTrial.attributeName, "1", 1) == 0
            && attribute(file, DriveTrial.attributeName) == Array("1".utf8)
        let value = DriveTrial.accessControlListValue
        capabilities.acls = value.withUnsafeBytes { micsync_set_attribute(file, "system.posix_acl_access", $0.baseAddress, $0.count) } == 0
            && attribute(file, "system.posix_acl_access").map(DriveTrial.holdsNamedUser) == true
        if capabilities.acls { capabilities.aclsAsExtendedAttributes = attributeNames(file).contains { $0.hasPrefix("trusted.SGI_ACL") } }
    }

    static func attribute(_ file: Int32, _ name: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBytes { micsync_get_attribute(file, name, $0.baseAddress, $0.count) }
        return length >= 0 ? Array(buffer[..<length]) : nil
    }

    static func attributeNames(_ file: Int32) -> [String] {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = micsync_list_attributes(file, &buffer, buffer.count)
        guard length > 0 else { return [] }
        return buffer[..<length].split(separator: 0).map { PathBytes.string($0.map { UInt8(bitPattern: $0) }) }
    }

    /// Everything a trial made in its folder (files, links and a pipe only), listed through a
    /// new open file: btrfs lists only the entries that existed when a folder was opened.
    static func removeContents(of directory: Int32) {
        let copy = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard copy >= 0, let listing = fdopendir(copy) else { return }
        var names: [[UInt8]] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        closedir(listing)
        for name in names { _ = name.withCString { unlinkat(directory, $0, 0) } }
    }

    static func makeFolder(in path: String) -> String? {
        var template = Array(PathBytes.bytes(path + "/" + DriveTrial.folderPrefix + ".XXXXXX")) + [0]
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mkdtemp($0.baseAddress!) }
        }
        return made == nil ? nil : PathBytes.string(template.dropLast())
    }

    static func status(_ path: String) -> stat? {
        var found = stat()
        return PathBytes.bytes(path).withCString { stat($0, &found) } == 0 ? found : nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = PathBytes.bytes(path).withCString({ realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return PathBytes.string(UnsafeBufferPointer(start: resolved, count: strlen(resolved)).map { UInt8(bitPattern: $0) })
    }

    static func readText(_ path: String) -> String? {
        readBytes(path, count: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Up to `count` bytes from the start of a file or device, or nil when it cannot be read.
    static func readBytes(_ path: String, count: Int) -> [UInt8]? {
        let file = PathBytes.bytes(path).withCString { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard file >= 0 else { return nil }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(count, 65_536))
        while bytes.count < count {
            let length = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress, min($0.count, count - bytes.count)) }
            if length < 0 && errno == EINTR { continue }
            guard length > 0 else { break }
            bytes += chunk[..<length]
        }
        return bytes
    }
}
