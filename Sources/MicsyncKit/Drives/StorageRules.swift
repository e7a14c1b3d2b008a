/// What a destination cannot store, item by item: the reasons given in the preview's group
/// "Cannot be copied to DEST". Pure, from the destination's capabilities.
public struct StorageRules: Sendable {
    public let capabilities: FileSystemCapabilities

    public init(_ capabilities: FileSystemCapabilities) { self.capabilities = capabilities }

    /// Why an item with this last name component, rsync's type letter (f, d, L, D, S) and
    /// length cannot be stored; nil when it can.
    public func refusal(name: String, type: Character, length: Int64) -> String? {
        let bytes = PathBytes.bytes(name)
        if let refused = bytes.first(where: capabilities.refusedBytes.contains) {
            return "the drive refuses " + Self.describe(refused) + " in names"
        }
        if capabilities.windowsReservedNames, let reason = Self.windowsReservedReason(name) { return reason }
        if capabilities.requiresUTF8Names && String(validating: bytes, as: UTF8.self) == nil {
            return "the name is not UTF-8, which the drive's names must be"
        }
        if type == "L" && !capabilities.symbolicLinks { return "a symbolic link, and the drive has none" }
        if (type == "D" || type == "S") && !capabilities.specialFiles { return "a special file, and the drive has none" }
        if type == "f", let limit = capabilities.maximumFileSize, length > limit {
            return Report.bytes(length) + ", over the drive's limit of " + Report.bytes(limit) + " a file"
        }
        return nil
    }

    /// Windows keeps device names (with any extension) and refuses names ending in a dot or a space.
    static func windowsReservedReason(_ name: String) -> String? {
        if name.hasSuffix(".") || name.hasSuffix(" ") { return "the drive refuses names ending in a dot or a space" }
        let stem = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first.map { $0.uppercased() } ?? ""
        let devices = ["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] }
        return devices.contains(stem) ? "\(stem) is a name Windows reserves, which the drive refuses" : nil
    }

    static func describe(_ byte: UInt8) -> String {
        if byte < 0x20 { return "control characters" }
        return "'" + String(UnicodeScalar(byte)) + "'"
    }

    /// The key under which a drive that does not tell case apart stores a path: each character
    /// by its simple upper-case form (as exFAT's up-case table and Windows do).
    public static func caseKey(_ path: String) -> String {
        var key = String.UnicodeScalarView()
        for scalar in path.unicodeScalars {
            let upper = scalar.properties.uppercaseMapping.unicodeScalars
            if upper.count == 1, let single = upper.first { key.append(single) } else { key.append(scalar) }
        }
        return String(key)
    }
}
