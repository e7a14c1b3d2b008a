/// One line of rsync's `--out-format='%i %l %n'`: the 11-character change field, the file's
/// length, and its name with `\#ooo` escapes decoded to bytes.
public struct ItemizedLine: Equatable, Sendable {
    public let itemize: String
    public let length: Int64
    /// Decoded name (lossless, see `PathBytes`), without the trailing `/` of a folder.
    public let name: String
    public let isDirectory: Bool

    public var isDeletion: Bool { itemize.hasPrefix("*deleting") }
    /// rsync's file type letter: f, d, L, D or S.
    public var fileType: Character { itemize[itemize.index(after: itemize.startIndex)] }
    /// Every attribute is `+`: the item is created (rsync does not see what it replaces).
    public var isCreation: Bool { itemize.hasSuffix("+++++++++") }
    /// Nothing differs (printed only when rsync itemizes unchanged items too, `-ii`).
    public var isUnchanged: Bool { !isDeletion && itemize.dropFirst(2).allSatisfy { $0 == " " } }

    public static let format = "%i %l %n"

    /// Parses one line; nil for anything else rsync prints on standard output (messages).
    public static func parse(_ line: String) -> ItemizedLine? {
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
        var isDirectory = false
        if name.count > 1, name.last == 0x2F {
            name.removeLast()
            isDirectory = true
        }
        if name == [0x2E, 0x2F] || name == [0x2E] { name = [0x2E]; isDirectory = true }
        return ItemizedLine(itemize: field, length: length, name: PathBytes.string(name), isDirectory: isDirectory)
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
