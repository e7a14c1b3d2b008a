/// What one destination says while others run beside it: kept in order (standard output and
/// standard error as they came) and printed as one block at its turn.
public final class BufferedConsole: Console, Sendable {
    private enum Piece { case output(String), error(String) }
    private let pieces = Locked<[Piece]>([])
    /// The console it is printed to later: what cannot wait for its turn goes there at once.
    let target: Console

    /// `target`: the console it is printed to later (its colour and width are used meanwhile).
    public init(for target: Console) { self.target = target }

    public var usesColor: Bool { target.usesColor }
    public var terminalWidth: Int { target.terminalWidth }
    public func write(_ text: String) { pieces.withLock { $0.append(.output(text)) } }
    public func writeError(_ text: String) { pieces.withLock { $0.append(.error(text)) } }

    /// Writes what was kept to `console`, in order, and forgets it.
    public func flush(to console: Console) {
        let kept = pieces.withLock { pieces in
            defer { pieces.removeAll() }
            return pieces
        }
        for piece in kept {
            switch piece {
            case .output(let text): console.write(text)
            case .error(let text): console.writeError(text)
            }
        }
    }
}

/// The live progress on a terminal: one line per running copy, redrawn in place (the cursor
/// moved up over the lines drawn before), and the blocks of finished destinations printed
/// above them. With one line it is the single line of one copy.
public final class ProgressBoard: Sendable {
    private struct State {
        /// Per running copy (by its number in the run): the line and when it was drawn.
        var lines: [Int: (text: String, drawn: Double)] = [:]
        var drawnCount = 0
    }
    private let state = Locked(State())
    let console: Console
    let clock: @Sendable () -> Double

    public init(console: Console, clock: @escaping @Sendable () -> Double) {
        self.console = console
        self.clock = clock
    }

    /// A new update of copy `slot`: redrawn at most ten times a second, and at 100 %.
    /// `name`: the destination's, before the rest when several copies run (else empty).
    func update(_ slot: Int, _ progress: ProgressLine, name: String, file: String) {
        state.withLock { state in
            let now = clock()
            if let previous = state.lines[slot], now - previous.drawn < 0.1 && progress.percent < 100 { return }
            let width = console.terminalWidth
            let text = name.isEmpty ? progress.formatted(file: file, width: width)
                : Self.tail(of: name, width / 3) + "  " + progress.formatted(file: file, width: width - min(name.count, width / 3) - 2)
            state.lines[slot] = (text, now)
            redraw(&state)
        }
    }

    /// The end of a long name (a path's last folders tell drives apart), within `width` columns.
    static func tail(of name: String, _ width: Int) -> String {
        name.count <= width ? name : "…" + String(name.suffix(max(width - 1, 1)))
    }

    /// Copy `slot` ended: its line goes (the others close up).
    func end(_ slot: Int) {
        state.withLock { state in
            guard state.lines.removeValue(forKey: slot) != nil else { return }
            redraw(&state)
        }
    }

    /// Prints a finished destination's block where the lines were, and draws them again below it.
    public func print(_ block: BufferedConsole) {
        state.withLock { state in
            let lines = state.lines
            state.lines = [:]
            redraw(&state)
            block.flush(to: console)
            state.lines = lines
            redraw(&state)
        }
    }

    /// Draws the lines in the order of their slots over those drawn before; lines no longer
    /// there are cleared, and the cursor ends on the last line (at the first when none is left).
    private func redraw(_ state: inout State) {
        let lines = state.lines.keys.sorted().map { state.lines[$0]!.text }
        guard state.drawnCount > 0 || !lines.isEmpty else { return }
        var text = state.drawnCount > 1 ? "\u{1B}[\(state.drawnCount - 1)A" : ""
        let total = max(state.drawnCount, lines.count)
        for index in 0..<total {
            text += (index > 0 ? "\n" : "") + "\r" + (index < lines.count ? lines[index] : "") + "\u{1B}[K"
        }
        let up = total - max(lines.count, 1)
        if up > 0 { text += "\u{1B}[\(up)A" }
        if lines.isEmpty { text += "\r" }
        console.write(text)
        state.drawnCount = lines.count
    }
}

/// Where one copy draws its progress: its line on the board.
public struct ProgressSlot: Sendable {
    let board: ProgressBoard
    let slot: Int
    /// Shown before the file's name when several copies run (the destination's name); empty else.
    let name: String

    public init(board: ProgressBoard, slot: Int, name: String) {
        self.board = board
        self.slot = slot
        self.name = name
    }
}
