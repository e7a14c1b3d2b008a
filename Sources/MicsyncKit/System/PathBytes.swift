/// File names may hold any byte but `/` and NUL, while Swift strings hold Unicode. micsync keeps
/// paths in `String`s and maps each byte that is not valid UTF-8 to a private-use code point
/// (U+10FF00 + byte), so bytes → String → bytes is lossless. Only display turns them into text.
public enum PathBytes {
    static let escapeBase: UInt32 = 0x10FF00

    /// Bytes to a lossless String: valid UTF-8 runs stay text, each stray byte becomes U+10FFxx.
    public static func string(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        // A real U+10FF80…U+10FFFF in a name is escaped byte by byte too, or it would come back
        // as the single byte it stands for.
        if let text = String(validating: array, as: UTF8.self), !text.unicodeScalars.contains(where: isEscape) { return text }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < array.count {
            let length = validSequenceLength(array, at: index)
            if length > 0 {
                let text = String(decoding: array[index..<index + length], as: UTF8.self)
                scalars.append(contentsOf: text.unicodeScalars)
                index += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(array[index]))!)
                index += 1
            }
        }
        return String(scalars)
    }

    /// A lossless String back to the bytes it stands for.
    public static func bytes(_ string: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                result.append(UInt8(scalar.value - escapeBase))
            } else {
                result.append(contentsOf: String(scalar).utf8)
            }
        }
        return result
    }

    /// A readable form for listings: text as is, control bytes and stray bytes as `\#ooo`
    /// (rsync's own escape), a backslash before `#` escaped too so the form is unambiguous.
    public static func display(_ string: String) -> String {
        var out = ""
        let scalars = Array(string.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let value = scalar.value
            if value >= escapeBase + 0x80 && value <= escapeBase + 0xFF {
                out += octal(UInt8(value - escapeBase))
            } else if value < 0x20 || value == 0x7F {
                out += octal(UInt8(value))
            } else if scalar == "\\" && index + 1 < scalars.count && scalars[index + 1] == "#" {
                out += octal(0x5C)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func octal(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 8)
        return "\\#" + String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// Length of the valid UTF-8 sequence starting at `index`, or 0 when the byte starts none.
    static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count,
              let text = String(validating: bytes[index..<index + length], as: UTF8.self),
              !text.unicodeScalars.contains(where: isEscape) else { return 0 }
        return length
    }

    static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with these bytes as a NUL-terminated C string.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (self + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
