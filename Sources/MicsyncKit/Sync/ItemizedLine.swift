/// One line of rsync's `--out-format='%i %l %n%L'`: the 11-character change field, the file's
/// length, and its name with `\#ooo` escapes decoded to bytes; for a symbolic link ` -> TARGET`
/// and for a hard link ` => LEADER` follow the name (`%L`).
public struct ItemizedLine: Equatable, Sendable {
    public let itemize: String
    public let length: Int64
    /// Decoded name (lossless, see `PathBytes`), without the trailing `/` of a folder.
    public let name: String
    public let isDirectory: Bool
    /// What `%L` added: a link's target (` -> `) or a hard link's leader (` => `), as a name.
    public var linkTarget: String?
    /// When the separator occurs more than once (a name holding ` -> `), every way to split
    /// the text into name and target, first to last: the reader decides which is true.
    public var otherSplits: [(name: String, target: String)] = []

    public static func == (lhs: ItemizedLine, rhs: ItemizedLine) -> Bool {
        lhs.itemize == rhs.itemize && lhs.length == rhs.length && lhs.name == rhs.name && lhs.isDirectory == rhs.isDirectory
            && lhs.linkTarget == rhs.linkTarget
    }

    public init(itemize: String, length: Int64, name: String, isDirectory: Bool, linkTarget: String? = nil) {
        self.itemize = itemize
        self.length = length
        self.name = name
        self.isDirectory = isDirectory
        self.linkTarget = linkTarget
    }

    /// A hard link to another item of the same run (rsync's update type `h`).
    public var isHardLink: Bool { itemize.hasPrefix("h") }

    public var isDeletion: Bool { itemize.hasPrefix("*deleting") }
    /// rsync's file type letter: f, d, L, D or S.
    public var fileType: Character { itemize[itemize.index(after: itemize.startIndex)] }
    /// Every attribute is `+`: the item is created (rsync does not see what it replaces).
    public var isCreation: Bool { itemize.hasSuffix("+++++++++") }
    /// Nothing differs (printed only when rsync itemizes unchanged items too, `-ii`).
    public var isUnchanged: Bool { !isDeletion && itemize.dropFirst(2).allSatisfy { $0 == " " } }

    public static let format = "%i %l %n"
    /// The format of every run that copies or previews: with `%L`, so that a hard link names
    /// its leader.
    public static let formatWithLinks = "%i %l %n%L"

    /// Parses one line; nil for anything else rsync prints on standard output (messages).
    /// `withLinks`: the format ended in `%L` (`formatWithLinks`).
    public static func parse(_ line: String, withLinks: Bool = false) -> ItemizedLine? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 13 else { return nil }
        let field = String(decoding: bytes[0..<11], as: UTF8.self)
        guard bytes[11] == 0x20 else { return nil }
        if !field.hasPrefix("*deleting") {
            guard "<>ch.".utf8.contains(bytes[0]), "fdLDS".utf8.contains(bytes[1]) else { return nil }
        }
        var index = 12
        var length: Int64 = 0
        var sawDigit = false
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            length = length &* 10 &+ Int64(bytes[index] - 0x30)
            sawDigit = true
            index += 1
        }
        guard sawDigit, index < bytes.count, bytes[index] == 0x20, index + 1 < bytes.count else { return nil }
        var name = decodeEscapes(bytes[(index + 1)...])
        var splits: [(name: [UInt8], target: [UInt8])] = []
        if withLinks && (bytes[1] == 0x4C || bytes[0] == 0x68) {
            // " -> " after a symbolic link, " => " after a hard link.
            let separator: [UInt8] = bytes[0] == 0x68 ? Array(" => ".utf8) : Array(" -> ".utf8)
            var at = 0
            while at + separator.count <= name.count {
                if Array(name[at..<(at + separator.count)]) == separator {
                    splits.append((Array(name[..<at]), Array(name[(at + separator.count)...])))
                }
                at += 1
            }
            if let first = splits.first { name = first.name }
        }
        var isDirectory = false
        if name.count > 1, name.last == 0x2F {
            name.removeLast()
            isDirectory = true
        }
        if name == [0x2E, 0x2F] || name == [0x2E] { name = [0x2E]; isDirectory = true }
        var parsed = ItemizedLine(itemize: field, length: length, name: PathBytes.string(name), isDirectory: isDirectory,
                                  linkTarget: splits.first.map { PathBytes.string($0.target) })
        if splits.count > 1 { parsed.otherSplits = splits.map { (PathBytes.string($0.name), PathBytes.string($0.target)) } }
        return parsed
    }

    /// The line with its name and target split where `isTrue` says they are (asked of the
    /// source, only for the rare name that holds the separator itself); the first split else.
    public func resolvingSplit(_ isTrue: (_ name: String, _ target: String) -> Bool) -> ItemizedLine {
        guard let split = otherSplits.first(where: { isTrue($0.name, $0.target) }) else { return self }
        var resolved = ItemizedLine(itemize: itemize, length: length, name: split.name, isDirectory: isDirectory, linkTarget: split.target)
        resolved.otherSplits = otherSplits
        return resolved
    }

    /// The name in rsync's `NAME exists` (`--info=skip1`): an item an `--ignore-existing` run
    /// left alone because the destination has it; nil for any other line.
    public static func skippedAsExisting(_ line: String) -> String? {
        guard line.hasSuffix(" exists"), line.utf8.count > 7, parse(line, withLinks: true) == nil else { return nil }
        return PathBytes.string(decodeEscapes(ArraySlice(line.utf8.dropLast(7))))
    }

    /// `\#ooo` (exactly three octal digits) is one byte; anything else is literal.
    static func decodeEscapes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x5C, bytes.endIndex - index >= 5, bytes[index + 1] == 0x23,
               let value = octalValue(bytes[(index + 2)..<(index + 5)]) {
                out.append(value)
                index += 5
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    static func octalValue(_ digits: ArraySlice<UInt8>) -> UInt8? {
        var value = 0
        for digit in digits {
            guard digit >= 0x30, digit <= 0x37 else { return nil }
            value = value * 8 + Int(digit - 0x30)
        }
        return value <= 255 ? UInt8(value) : nil
    }
}
