/// Reads one answer for a question. The library never reads standard input itself.
public protocol Prompter: Sendable {
    /// Shows `prompt` and returns the line typed, without its newline; nil at end of input.
    func answer(_ prompt: String) -> String?
}

/// Answers from standard input; the prompt goes to standard output so that a piped run shows
/// each question beside the answer it took.
public struct StandardInputPrompter: Prompter {
    let console: Console

    public init(console: Console) { self.console = console }

    public func answer(_ prompt: String) -> String? {
        console.write(prompt)
        guard let line = readLine(strippingNewline: true) else {
            console.write("\n")
            return nil
        }
        return line
    }
}
