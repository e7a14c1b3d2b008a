/// Reads one answer for a question. The library never reads standard input itself.
public protocol Prompter: Sendable {
    /// Shows `prompt` and returns the line typed, without its newline; nil at end of input.
    func answer(_ prompt: String) -> String?
}

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

    public func answer(_ prompt: String) -> String? {
        console.write(prompt)
        guard let line = readLine(strippingNewline: true) else {
            console.write("\n")
            return nil
        }
        if echoesAnswers { console.write(line + "\n") }
        return line
    }
}
