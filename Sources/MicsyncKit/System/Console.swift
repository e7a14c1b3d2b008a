#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where listings and results (standard output) and errors and warnings (standard error) go.
public protocol Console: Sendable {
    func write(_ text: String)
    func writeError(_ text: String)
    /// Whether to colour standard output (a terminal, and NO_COLOR unset); decided by the CLI.
    var usesColor: Bool { get }
    /// Columns of the terminal on standard output, for the live progress line (80 if unknown).
    var terminalWidth: Int { get }
}

public extension Console {
    var terminalWidth: Int { 80 }

    func line(_ text: String = "") { write(text + "\n") }

    /// Draws the one live line over the previous one (carriage return, clear to end of line).
    func progress(_ text: String) { write("\r" + text + "\u{1B}[K") }
    /// Removes the live line, leaving the cursor at the start of the empty line.
    func clearProgress() { write("\r\u{1B}[K") }
    func warning(_ text: String) { writeError("micsync: " + text + "\n") }

    func styled(_ text: String, _ style: TextStyle) -> String {
        usesColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

public enum TextStyle: String, Sendable {
    case bold = "1", green = "32", yellow = "33", red = "31", cyan = "36", dim = "2"
}

/// The real terminal: unbuffered writes to file descriptors 1 and 2.
public struct StandardConsole: Console {
    public let usesColor: Bool

    public init(usesColor: Bool) { self.usesColor = usesColor }

    public func write(_ text: String) { Self.writeAll(text, to: 1) }
    public func writeError(_ text: String) { Self.writeAll(text, to: 2) }

    static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 { if errno == EINTR { continue }; return }
            offset += written
        }
        bytes.removeAll()
    }

    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    public var terminalWidth: Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif
