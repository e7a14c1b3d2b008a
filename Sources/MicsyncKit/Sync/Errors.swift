/// The run was cancelled at a question: `q`, or standard input ended (exit status 3), or Ctrl-C
/// (`interrupted`, exit status 130).
public struct CancelledError: Error, Equatable, Sendable, CustomStringConvertible {
    public let question: String
    public let endOfInput: Bool
    public var interrupted = false

    public var description: String {
        if interrupted { return "interrupted (Ctrl-C) at \"\(question)\"; nothing more was changed" }
        return endOfInput
            ? "no answer to \"\(question)\": standard input ended; cancelled, nothing more was changed"
            : "cancelled at \"\(question)\"; nothing more was changed"
    }
}

/// A usage error found after parsing (exit status 2), e.g. a --from that names no location.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The run cannot go on (exit status 1): no accessible source or destination, too few BACKUPs.
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
