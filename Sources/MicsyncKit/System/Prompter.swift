#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one answer for a question. The library never reads standard input itself.
public protocol Prompter: Sendable {
    /// Shows `prompt` and returns the line typed, without its newline; nil at end of input (or
    /// when Ctrl-C interrupted the wait: then `wasInterrupted`).
    func answer(_ prompt: String) -> String?
    /// Ctrl-C arrived while an answer was awaited.
    var wasInterrupted: Bool { get }
}

public extension Prompter {
    var wasInterrupted: Bool { false }

    /// Why no answer came to `question`: standard input ended, or Ctrl-C.
    func noAnswer(_ question: String) -> CancelledError {
        CancelledError(question: question, endOfInput: !wasInterrupted, interrupted: wasInterrupted)
    }
}

/// Set when Ctrl-C ended the wait for an answer.
nonisolated(unsafe) private var interruptedWhileWaiting: sig_atomic_t = 0

/// Answers from standard input; the prompt goes to standard output so that a piped run shows
/// each question beside the answer it took.
public struct StandardInputPrompter: Prompter {
    let console: Console
    /// A piped answer is not echoed by a terminal: micsync writes it, so the output reads as a dialogue.
    let echoesAnswers: Bool

    public init(console: Console, echoesAnswers: Bool) {
        self.console = console
        self.echoesAnswers = echoesAnswers
    }

    public var wasInterrupted: Bool { interruptedWhileWaiting != 0 }

    public func answer(_ prompt: String) -> String? {
        console.write(prompt)
        guard let line = Self.readLineOrInterrupt() else {
            console.write("\n")
            return nil
        }
        if echoesAnswers { console.write(line + "\n") }
        return line
    }
}

extension StandardInputPrompter {
    /// One line of standard input without its newline; nil at end of input or when Ctrl-C came.
    /// SIGINT is caught while waiting (not micsync's death: the run stops as at `q`, with a
    /// message and exit status 130), by the handler that passes it on to running children: it
    /// wakes the wait through a pipe, so that a signal that reaches another thread, or comes
    /// between a check and a read, is not missed. Bytes are read one at a time, so that nothing
    /// beyond the line is taken from a pipe of answers.
    static func readLineOrInterrupt() -> String? {
        SpawningProcessRunner.waitingForInput { wakeUp, interrupted in
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while !interrupted() {
                var waits = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeUp, events: Int16(POLLIN), revents: 0)]
                if poll(&waits, nfds_t(waits.count), -1) < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                guard !interrupted() else { break }
                guard waits[0].revents != 0 else { continue }
                let count = read(0, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
                if byte == 0x0A {
                    if line.last == 0x0D { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                line.append(byte)
            }
            interruptedWhileWaiting = 1
            return nil
        }
    }
}
