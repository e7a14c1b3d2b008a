/// The questions of the README's "Questions", asked through a `Prompter`.
public struct Questions: Sendable {
    let prompter: Prompter
    let console: Console

    public init(prompter: Prompter, console: Console) {
        self.prompter = prompter
        self.console = console
    }

    /// Asks until the answer is `yes` (or its first letter) or `no`; `q` cancels.
    /// `yes` is the word shown for agreeing, e.g. "Modify", "Delete" or "yes".
    public func confirm(_ question: String, yes: String, no: String = "No") throws(CancelledError) -> Bool {
        while true {
            guard let reply = prompter.answer("\(question) [\(yes)/\(no)] ") else {
                throw prompter.noAnswer(question)
            }
            let answer = reply.trimmingSpaces().lowercased()
            if answer == yes.lowercased() || answer == String(yes.prefix(1)).lowercased() { return true }
            if answer == no.lowercased() || answer == String(no.prefix(1)).lowercased() { return false }
            if answer == "q" || answer == "quit" { throw CancelledError(question: question, endOfInput: false) }
        }
    }

    /// A numbered choice from 0; a single option is taken without asking.
    public func choose(_ question: String, options: [String]) throws(CancelledError) -> Int {
        if options.count == 1 { return 0 }
        return try numbered(question, hint: "q to cancel", options: options) { answer in
            Int(answer).flatMap { options.indices.contains($0) ? $0 : nil }
        }
    }

    /// A choice of one or more: numbers separated by spaces or commas, or `a` for all.
    public func chooseSeveral(_ question: String, options: [String]) throws(CancelledError) -> [Int] {
        if options.count == 1 { return [0] }
        return try numbered(question, hint: "several numbers, a for all, q to cancel", options: options) { answer in
            if answer == "a" || answer == "all" { return Array(options.indices) }
            let words = answer.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            let numbers = words.compactMap { Int($0) }
            guard !words.isEmpty, numbers.count == words.count, numbers.allSatisfy(options.indices.contains) else { return nil }
            var seen = Set<Int>()
            return numbers.filter { seen.insert($0).inserted }
        }
    }

    /// Lists the options numbered from 0 and asks until `interpret` accepts an answer.
    private func numbered<Choice>(_ question: String, hint: String, options: [String],
                                  interpret: (String) -> Choice?) throws(CancelledError) -> Choice {
        console.line(question + " (\(hint)):")
        for (index, option) in options.enumerated() { console.line("  [\(index)] \(PathBytes.display(option))") }
        while true {
            guard let reply = prompter.answer("[0-\(options.count - 1)] ") else {
                throw prompter.noAnswer(question)
            }
            let answer = reply.trimmingSpaces().lowercased()
            if answer == "q" || answer == "quit" { throw CancelledError(question: question, endOfInput: false) }
            if let choice = interpret(answer) { return choice }
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
