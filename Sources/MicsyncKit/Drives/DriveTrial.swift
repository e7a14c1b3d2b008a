/// What both trials share (the local one with system calls, the remote one with a shell script):
/// the values they set and how they read back what they find.
enum DriveTrial {
    /// The prefix of the private folder a trial makes in the location and removes again.
    static let folderPrefix = ReservedName.probePrefix
    /// The modification time a trial sets: an odd second and nanoseconds that tell each
    /// resolution apart (2001-09-09 01:46:41.123456789 UTC).
    static let probeTime = (seconds: 1_000_000_001, nanoseconds: 123_456_789)
    static let probeTimeText = "2001-09-09 01:46:41.123456789"
    /// The owner (root only) and the named user of the ACL a trial sets: anyone but the caller.
    static let otherID: UInt32 = 54_321
    static let attributeName = "user.micsync.probe"

    /// The finest step of modification times the file system keeps, from the time set and the
    /// one read back: the coarsest of 1 ns, 10 ns, … 1 s and 2 s that the read time is a whole
    /// multiple of and lies within; nil when the read time fits none (the time was not set).
    static func timeResolution(set: (seconds: Int, nanoseconds: Int), read: (seconds: Int, nanoseconds: Int)) -> Double? {
        let wanted = Int64(set.seconds) * 1_000_000_000 + Int64(set.nanoseconds)
        let found = Int64(read.seconds) * 1_000_000_000 + Int64(read.nanoseconds)
        let decimal: [Int64] = (0...9).map { power in (0..<power).reduce(Int64(1)) { product, _ in product * 10 } }
        for step in (decimal + [2_000_000_000]).reversed() where found % step == 0 && abs(found - wanted) < step {
            return Double(step) / 1e9
        }
        return nil
    }

    /// A POSIX ACL as the kernel's `system.posix_acl_access` attribute holds it: version 2, then
    /// (tag, permissions, id) entries in tag order, giving `otherID` read access.
    static var accessControlListValue: [UInt8] {
        let undefined: UInt32 = 0xFFFF_FFFF
        let entries: [(tag: UInt16, permissions: UInt16, id: UInt32)] = [
            (0x01, 6, undefined), (0x02, 4, otherID), (0x04, 4, undefined), (0x10, 4, undefined), (0x20, 0, undefined),
        ]
        var bytes = littleEndian(UInt32(2))
        for entry in entries {
            bytes += littleEndian(entry.tag) + littleEndian(entry.permissions) + littleEndian(entry.id)
        }
        return bytes
    }

    /// Whether an ACL attribute value read back gives `otherID` an entry of its own.
    static func holdsNamedUser(_ value: [UInt8]) -> Bool {
        guard value.count >= 4 else { return false }
        var offset = 4
        while offset + 8 <= value.count {
            let tag = UInt16(value[offset]) | UInt16(value[offset + 1]) << 8
            let id = value[offset + 4..<offset + 8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if tag == 0x02 && id == otherID { return true }
            offset += 8
        }
        return false
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// The name a trial gives the file for one refused-byte candidate: the byte between two
    /// letters (a trailing byte could be trimmed by a shell, a leading one mean something).
    static func candidateName(_ byte: UInt8) -> [UInt8] { [0x72, byte, 0x78] }

    /// A name holding every candidate byte: where it is kept, none is refused and one file
    /// answers for all of them (each costs a round trip to a FUSE daemon, two where kept).
    static let allCandidatesName: [UInt8] = [0x72] + FileSystemCapabilities.windowsRefusedBytes + [0x78]

    /// A name that is not UTF-8 (0xFF never occurs in it).
    static let nonUTF8Name: [UInt8] = [0x6E, 0xFF, 0x78]

    /// What a type adds to what was tried: the limits no trial can find cheaply (the largest
    /// file, local time), and XFS showing ACLs as extended attributes.
    static func completed(_ tried: FileSystemCapabilities, mountOptions: [String], isMountRoot: Bool) -> FileSystemCapabilities {
        var capabilities = tried
        let rules = FileSystemCapabilities.ofType(tried.type, mountOptions: mountOptions)
        capabilities.maximumFileSize = rules.maximumFileSize
        capabilities.localTime = rules.localTime
        capabilities.aclsAsExtendedAttributes = capabilities.aclsAsExtendedAttributes || rules.aclsAsExtendedAttributes
        return atLocation(capabilities, isMountRoot: isMountRoot)
    }

    /// The root folder of a FAT or exFAT file system has no times of its own (it has no entry
    /// in a folder, where the others keep theirs). Known from where the location is, because a
    /// FUSE mount's cached attributes make a read-back unreliable.
    static func atLocation(_ capabilities: FileSystemCapabilities, isMountRoot: Bool) -> FileSystemCapabilities {
        var located = capabilities
        located.locationFolderTimes = !(isMountRoot && ["exfat", "vfat", "msdos", "fat"].contains(capabilities.type))
        return located
    }
}
