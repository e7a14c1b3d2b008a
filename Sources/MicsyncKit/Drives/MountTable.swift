/// One line of `/proc/self/mountinfo`: where a file system is mounted, its type, source and options.
public struct MountEntry: Equatable, Sendable {
    /// The device numbers (`major:minor`): for `fuseblk`, the block device the FUSE daemon reads.
    public var device: String
    public var mountPoint: String
    public var type: String
    public var source: String
    /// The mount's own options (`ro`, `nosuid`, …) followed by the file system's (`acl`, `uid=…`).
    public var options: [String]

    public init(device: String, mountPoint: String, type: String, source: String, options: [String]) {
        self.device = device
        self.mountPoint = mountPoint
        self.type = type
        self.source = source
        self.options = options
    }

    public var isReadOnly: Bool { options.first == "ro" }
}

/// Reading the kernel's table of mounts, and naming a mount's file system as people know it.
public enum MountTable {
    /// The entries of a `mountinfo` text: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS…] - TYPE
    /// SOURCE SUPEROPTIONS`, with space, tab, newline and backslash in paths written as `\ooo`.
    public static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 10, let dash = fields[6...].firstIndex(of: "-"), dash + 3 < fields.count else { return nil }
            let options = fields[5].split(separator: ",").map(String.init) + fields[dash + 3].split(separator: ",").map(String.init)
            return MountEntry(device: fields[2], mountPoint: unescape(fields[4]), type: fields[dash + 1],
                              source: unescape(fields[dash + 2]), options: options)
        }
    }

    /// The mount that holds `path` (an absolute path with its links resolved): the deepest mount
    /// point on the way, and of several there, the last mounted (it hides the others).
    public static func entry(holding path: String, in entries: [MountEntry]) -> MountEntry? {
        var best: MountEntry?
        for entry in entries where Paths.contains(entry.mountPoint, path) {
            if let found = best, found.mountPoint.utf8.count > entry.mountPoint.utf8.count { continue }
            best = entry
        }
        return best
    }

    /// `\ooo` escapes back to their bytes.
    static func unescape(_ field: String) -> String {
        let bytes = Array(field.utf8)
        guard bytes.contains(0x5C) else { return field }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x5C, index + 4 <= bytes.count,
               let value = UInt8(String(decoding: bytes[index + 1..<index + 4], as: UTF8.self), radix: 8) {
                out.append(value)
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return PathBytes.string(out)
    }

    /// The file system's name: the kernel's type, except for FUSE mounts, which all look alike
    /// (`fuseblk` for exfat-fuse and ntfs-3g on a block device, `fuse` for ntfs-3g on an image
    /// file, neither with a subtype): there a subtype, else the signature in the boot sector of
    /// the source (when it can be read) tells exFAT, NTFS and FAT apart.
    public static func typeName(of entry: MountEntry, bootSector: [UInt8]?) -> String {
        let type = entry.type
        for prefix in ["fuseblk.", "fuse."] where type.hasPrefix(prefix) {
            return fuseSubtypeName(String(type.dropFirst(prefix.count)))
        }
        guard type == "fuseblk" || type == "fuse" else { return type }
        return bootSector.flatMap(signatureName) ?? type
    }

    static func fuseSubtypeName(_ subtype: String) -> String {
        switch subtype {
        case "ntfs-3g", "ntfs": return "ntfs"
        case "exfat", "exfat-fuse": return "exfat"
        case "fusefat", "vfat": return "vfat"
        default: return subtype
        }
    }

    /// The file system named by a boot sector's signature: "EXFAT   " or "NTFS    " at byte 3,
    /// "FAT32   " at byte 82, "FAT12   " or "FAT16   " at byte 54.
    public static func signatureName(_ sector: [UInt8]) -> String? {
        func text(_ offset: Int) -> String? {
            guard sector.count >= offset + 8 else { return nil }
            return String(decoding: sector[offset..<offset + 8], as: UTF8.self)
        }
        if text(3) == "EXFAT   " { return "exfat" }
        if text(3) == "NTFS    " { return "ntfs" }
        if text(82) == "FAT32   " || text(54) == "FAT16   " || text(54) == "FAT12   " { return "vfat" }
        return nil
    }

    /// The name of a `statfs` magic number, for when the mount table does not say (no /proc)
    /// or disagrees (another mount namespace); nil for the unknown.
    public static func magicName(_ magic: Int) -> String? {
        switch UInt32(truncatingIfNeeded: magic) {
        case 0xEF53: return "ext4"
        case 0x9123_683E: return "btrfs"
        case 0x5846_5342: return "xfs"
        case 0x0102_1994: return "tmpfs"
        case 0x6573_5546: return "fuseblk"
        case 0x4D44: return "vfat"
        case 0x2011_BAB0: return "exfat"
        case 0x5346_544E: return "ntfs"
        case 0x6969: return "nfs"
        case 0xFF53_4D42, 0xFE53_4D42: return "cifs"
        case 0x794C_7630: return "overlay"
        case 0x2FC1_2FC1: return "zfs"
        case 0xF2F5_2010: return "f2fs"
        default: return nil
        }
    }

    /// Whether a mount table type is the one a `statfs` magic number names (ext2, ext3 and ext4
    /// share theirs; every FUSE mount has one; the kernel's NTFS drivers are ntfs and ntfs3).
    static func type(_ type: String, matchesMagicName name: String) -> Bool {
        switch name {
        case "ext4": return ["ext2", "ext3", "ext4"].contains(type)
        case "fuseblk": return type.hasPrefix("fuse")
        case "ntfs": return type == "ntfs" || type == "ntfs3"
        case "vfat": return ["vfat", "msdos", "fat"].contains(type)
        case "cifs": return type == "cifs" || type == "smb3"
        case "nfs": return type.hasPrefix("nfs")
        default: return type == name
        }
    }
}
