/// One update of rsync's `--info=progress2` (overall progress), and the live line micsync draws
/// from it on a terminal (pure, unit-tested).
///
/// rsync writes these to standard output after a carriage return, e.g.
/// `     50,000,000  99%  445.35MB/s    0:00:03 (xfr#1, to-chk=3/5)`: bytes done, the percentage,
/// the speed, then the time left (the elapsed time once a file is finished).
public struct ProgressLine: Equatable, Sendable {
    public var bytes: Int64
    public var percent: Int
    /// As rsync prints it, e.g. `445.35MB/s`.
    public var speed: String
    /// As rsync prints it, e.g. `0:00:03`.
    public var time: String
    /// The update that ends a file (`(xfr#N, to-chk=…)`): its time is the file's elapsed time.
    public var endsFile: Bool

    public init(bytes: Int64, percent: Int, speed: String, time: String, endsFile: Bool = false) {
        self.bytes = bytes
        self.percent = percent
        self.speed = speed
        self.time = time
        self.endsFile = endsFile
    }

    /// nil for anything that is not a progress2 update.
    public static func parse(_ text: String) -> ProgressLine? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4 else { return nil }
        let bytesField = fields[0].filter { $0 != "," && $0 != "." }
        guard !bytesField.isEmpty, bytesField.allSatisfy(\.isASCIIDigit), let bytes = Int64(bytesField) else { return nil }
        guard fields[1].hasSuffix("%"), let percent = Int(fields[1].dropLast()), (0...100).contains(percent) else { return nil }
        guard fields[2].hasSuffix("/s") else { return nil }
        guard fields[3].contains(":"), fields[3].allSatisfy({ $0.isASCIIDigit || $0 == ":" }) else { return nil }
        return ProgressLine(bytes: bytes, percent: percent, speed: String(fields[2]), time: String(fields[3]),
                            endsFile: fields.count > 4 && fields[4].hasPrefix("(xfr#"))
    }

    /// The estimated total: rsync gives only the bytes done and the percentage.
    public var estimatedTotal: Int64? {
        percent > 0 ? bytes * 100 / Int64(percent) : nil
    }

    /// `45%  1.2 MB of 2.7 MB  12.34 MB/s  0:00:03 left  docs/big.bin`, cut to `width` columns
    /// (one less, so that the terminal does not wrap at the last column).
    public func formatted(file: String, width: Int) -> String {
        var parts = ["\(percent)%"]
        if let total = estimatedTotal {
            parts.append(Self.size(bytes) + " of " + Self.size(max(total, bytes)))
        } else {
            parts.append(Self.size(bytes))
        }
        parts.append(Self.speedText(speed))
        if !endsFile { parts.append(time + " left") }
        if !file.isEmpty { parts.append(file) }
        return Self.truncated(parts.joined(separator: "  "), to: width)
    }

    static func truncated(_ text: String, to width: Int) -> String {
        let limit = max(width - 1, 1)
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }

    /// `445.35MB/s` → `445.35 MB/s`.
    static func speedText(_ speed: String) -> String {
        guard let unit = speed.firstIndex(where: { !$0.isASCIIDigit && $0 != "." && $0 != "," }) else { return speed }
        return String(speed[..<unit]) + " " + String(speed[unit...])
    }

    /// Bytes in decimal units with one decimal: `999 B`, `1.2 kB`, `2.7 MB`.
    public static func size(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes) / 1000
        var index = 0
        while value >= 999.95 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[index])"
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
