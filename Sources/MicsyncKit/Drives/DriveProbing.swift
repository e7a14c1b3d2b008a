/// The seam through which the engine learns what each side of a copy can store and what the
/// rsync on each machine can do. The real one tries it on the drive (see `CapabilityProbe`);
/// unit tests give fixed answers.
public protocol DriveProbing: Sendable {
    /// What the file system holding `location` can store. Tried in a private temporary folder
    /// in the location, which is removed again, the location folder's times put back: the probe
    /// leaves no trace, so runs that promise to change nothing (`-n`, `--status`, `--list`) use
    /// it too. Where the location cannot be written (read-only, no permission), the answer comes
    /// from the file system's type and mount options. Asked once per location and run.
    func capabilities(of location: Location) -> FileSystemCapabilities
    /// What the rsync that serves `location` can do: the local one, or the remote host's.
    func rsync(for location: Location) -> RsyncCapabilities
}

/// What an rsync program can do, from `rsync --version` (ACL and xattr support are options of
/// its build).
public struct RsyncCapabilities: Equatable, Sendable {
    /// major, minor, patch; nil when the version could not be read.
    public var version: [Int]?
    public var acls: Bool
    public var extendedAttributes: Bool

    public init(version: [Int]?, acls: Bool, extendedAttributes: Bool) {
        self.version = version
        self.acls = acls
        self.extendedAttributes = extendedAttributes
    }

    /// The oldest rsync micsync works with: 3.1.0 (`--info=progress2`, nanosecond times).
    public static let oldestSupported = [3, 1, 0]

    public var isSupported: Bool { version.map { $0.lexicographicallyPrecedes(Self.oldestSupported) == false } ?? false }

    /// An rsync that can do everything micsync asks of it (unit tests, and when it cannot be asked).
    public static let full = RsyncCapabilities(version: [3, 2, 7], acls: true, extendedAttributes: true)

    /// Reads `rsync --version`: the version on its "rsync version" line, and the "ACLs" and "xattrs"
    /// words of its capabilities list (a build without them says "no ACLs", "no xattrs").
    public static func parse(versionOutput text: String) -> RsyncCapabilities {
        var version: [Int]?
        // "rsync  version 3.2.7  protocol version 31"; openrsync (macOS) says "openrsync: protocol
        // version 29" first and "rsync version 2.6.9 compatible" after it.
        if let line = text.split(separator: "\n").first(where: { $0.split(separator: " ").prefix(2) == ["rsync", "version"] }) {
            let words = line.split(separator: " ")
            if words.count > 2 {
                let numbers = words[2].split(separator: ".").map { Int($0.prefix { $0.isNumber }) }
                if !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) { version = numbers.map { $0! } }
            }
        }
        var acls = false
        var extendedAttributes = false
        var inCapabilities = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Capabilities:") { inCapabilities = true; continue }
            if inCapabilities && !line.hasPrefix(" ") && !line.hasPrefix("\t") { inCapabilities = false }
            guard inCapabilities else { continue }
            for item in line.split(separator: ",").map({ $0.trimmingCharacters() }) {
                if item == "ACLs" { acls = true }
                if item == "xattrs" { extendedAttributes = true }
            }
        }
        return RsyncCapabilities(version: version, acls: acls, extendedAttributes: extendedAttributes)
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingCharacters() }
}
