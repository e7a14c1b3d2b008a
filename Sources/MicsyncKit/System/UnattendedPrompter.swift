/// --unattended: nobody reads the questions, so none is answered and standard input is never
/// read (a timer's input could be anything). The question is still printed for the log.
public struct UnattendedPrompter: Prompter {
    let console: Console

    public init(console: Console) { self.console = console }

    public func answer(_ prompt: String) -> String? {
        console.write(prompt + "(no answer: --unattended)\n")
        return nil
    }
}
