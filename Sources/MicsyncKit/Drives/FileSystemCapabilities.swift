/// What one file system can store, learned by trying it in a private folder on it
/// (`CapabilityProbe`), or, where nothing may be written, from its type and mount options.
///
/// The defaults describe a POSIX file system that keeps everything (ext4, btrfs, tmpfs).
public struct FileSystemCapabilities: Equatable, Sendable {
    public enum LearnedBy: Equatable, Sendable {
        /// Each capability was tried and read back in a private folder on the file system.
        case trying
        /// The location could not be written to (read-only, no permission) or the run promises
        /// to change nothing: taken from the file system's type and mount options.
        case typeAndMountOptions
        /// Nothing could be learned (the location is missing): assumed to keep everything.
        case assumption
    }

    /// The file system's type as the system names it: "ext4", "btrfs", "xfs", "exfat", "ntfs",
    /// "vfat", "tmpfs", "cifs", …
    public var type: String
    public var learnedBy: LearnedBy
    /// A `chmod` is kept (ntfs-3g and exFAT accept it and change nothing).
    public var permissions = true
    /// A `chown` is kept (tried only as root; otherwise as `permissions`).
    public var ownership = true
    public var symbolicLinks = true
    public var hardLinks = true
    /// Named pipes, sockets and device files.
    public var specialFiles = true
    public var sparseFiles = true
    /// `Case.txt` and `case.txt` are two names (false: one file under either name).
    public var caseSensitive = true
    /// Bytes refused in a name, besides `/` and NUL (exFAT and FAT: `"*:<>?\|` and 0x01–0x1F).
    public var refusedBytes: [UInt8] = []
    /// Windows' reserved names are refused: `CON`, `PRN`, `AUX`, `NUL`, `COM1`…`LPT9` (with any
    /// extension), and names ending in a dot or a space (NTFS mounted with `windows_names`).
    public var windowsReservedNames = false
    /// Names must be valid UTF-8 (the drive stores UTF-16 names).
    public var requiresUTF8Names = false
    /// The finest difference of modification times that is kept, in seconds (1e-9 on ext4,
    /// 1 on exFAT through FUSE, 2 on FAT).
    public var timeResolution = 1e-9
    /// Times are stored as local time (FAT): a change of the daylight-saving offset shifts them
    /// all by an hour.
    public var localTime = false
    /// User extended attributes are kept.
    public var extendedAttributes = true
    /// POSIX ACLs are kept.
    public var acls = true
    /// The file system also shows a file's ACL as an extended attribute (XFS:
    /// `trusted.SGI_ACL_FILE`), which must not be copied as one.
    public var aclsAsExtendedAttributes = false
    /// The largest file it can hold, where its type has a limit (FAT32: 4 GiB − 1 byte).
    public var maximumFileSize: Int64?
    /// The location folder itself keeps its modification time. The root folder of a FAT or
    /// exFAT drive has none: exfat-fuse shows 1970 after each mount, then the time of the last
    /// change until unmounted, whatever is set, so rsync lists `./` as a folder whose time
    /// changed on the first run after each mount.
    public var locationFolderTimes = true

    public init(type: String, learnedBy: LearnedBy) {
        self.type = type
        self.learnedBy = learnedBy
    }

    /// A POSIX file system that keeps everything; what is assumed when nothing can be learned.
    public static func everything(type: String = "unknown", learnedBy: LearnedBy = .assumption) -> FileSystemCapabilities {
        FileSystemCapabilities(type: type, learnedBy: learnedBy)
    }

    /// What a file system of this type keeps, for when it cannot be tried: the type's own rules
    /// and, where they change what it keeps, its mount options (ntfs-3g's `permissions`).
    public static func ofType(_ type: String, mountOptions: [String] = []) -> FileSystemCapabilities {
        var capabilities = FileSystemCapabilities(type: type, learnedBy: .typeAndMountOptions)
        switch type {
        case "vfat", "msdos", "fat", "exfat":
            capabilities.permissions = false
            capabilities.ownership = false
            capabilities.symbolicLinks = false
            capabilities.hardLinks = false
            capabilities.specialFiles = false
            capabilities.sparseFiles = false
            capabilities.caseSensitive = false
            capabilities.refusedBytes = Self.windowsRefusedBytes
            capabilities.requiresUTF8Names = true
            capabilities.extendedAttributes = false
            capabilities.acls = false
            if type == "exfat" {
                capabilities.timeResolution = 1
            } else {
                capabilities.timeResolution = 2
                capabilities.localTime = true
                capabilities.maximumFileSize = 4 * 1024 * 1024 * 1024 - 1
            }
        case "ntfs", "ntfs3", "fuseblk":
            let permissions = mountOptions.contains("permissions")
            capabilities.permissions = permissions
            capabilities.ownership = permissions
            capabilities.acls = mountOptions.contains("acl")
            // ntfs-3g keeps named pipes, sockets and devices (as its special files).
            capabilities.requiresUTF8Names = true
            if mountOptions.contains("windows_names") {
                capabilities.refusedBytes = Self.windowsRefusedBytes
                capabilities.windowsReservedNames = true
            }
        case "xfs":
            capabilities.aclsAsExtendedAttributes = true
        default:
            break
        }
        return capabilities
    }

    /// What Windows file systems refuse in a name: `"*:<>?\|` and the control bytes 0x01–0x1F.
    public static let windowsRefusedBytes: [UInt8] = Array(0x01...0x1F) + Array(#""*:<>?\|"#.utf8)

    /// Times that differ by no more than this many seconds are the same (rsync's
    /// `--modify-window`): 0 compares whole seconds, which every file system but FAT keeps.
    public var modifyWindow: Int { timeResolution > 1 ? 1 : 0 }

    /// Whether something that exists on a POSIX file system cannot be stored here at all (so the
    /// preview must look at every item before anything is copied).
    public var refusesSomeItems: Bool {
        !symbolicLinks || !specialFiles || !caseSensitive || !refusedBytes.isEmpty || requiresUTF8Names || windowsReservedNames
            || maximumFileSize != nil
    }

    /// The attributes it cannot keep, as people name them, for `-v` and `--list`.
    public var missing: [String] {
        var names: [String] = []
        if !permissions { names.append("permissions") }
        if !ownership { names.append("owners") }
        if !symbolicLinks { names.append("symbolic links") }
        if !hardLinks { names.append("hard links") }
        if !specialFiles { names.append("special files") }
        if !sparseFiles { names.append("sparse files") }
        if !extendedAttributes { names.append("extended attributes") }
        if !acls { names.append("ACLs") }
        if !caseSensitive { names.append("names that differ only in case") }
        if !refusedBytes.isEmpty {
            let printable = refusedBytes.filter { $0 >= 0x20 }.map { String(UnicodeScalar($0)) }.joined(separator: " ")
            names.append("names with " + printable + (refusedBytes.contains { $0 < 0x20 } ? " or control characters" : ""))
        }
        if windowsReservedNames { names.append("Windows' reserved names (CON, AUX, … and names ending in a dot or a space)") }
        if requiresUTF8Names { names.append("names that are not UTF-8") }
        if timeResolution >= 1 { names.append("times finer than \(Int(timeResolution)) s") }
        if let maximumFileSize { names.append("files over " + Report.bytes(maximumFileSize)) }
        return names
    }

    /// One line for `-v` and `--list`: the type and what it cannot keep.
    public var summary: String {
        let how = learnedBy == .typeAndMountOptions ? " (from its type and mount options)" : ""
        return missing.isEmpty ? "\(type)\(how): keeps everything" : "\(type)\(how): cannot keep " + missing.joined(separator: ", ")
    }
}
