import Testing
@testable import MicsyncKit

/// Questions, answered from standard input (README: "Questions").
@Suite("Questions")
struct QuestionsTests {
    func questions(_ answers: [String?]) -> (Questions, ScriptedPrompter, RecordingConsole) {
        let prompter = ScriptedPrompter(answers)
        let console = RecordingConsole()
        return (Questions(prompter: prompter, console: console), prompter, console)
    }

    @Test(arguments: ["Modify", "modify", "MODIFY", "m", "M", " m "])
    func theYesWordOrItsFirstLetterInAnyCaseAgrees(answer: String) throws {
        let (questions, _, _) = questions([answer])
        #expect(try questions.confirm("Overwrite these 2 files in /b?", yes: "Modify"))
    }

    @Test(arguments: ["No", "no", "NO", "n", "N"])
    func theNoWordOrItsFirstLetterInAnyCaseDeclines(answer: String) throws {
        let (questions, _, _) = questions([answer])
        #expect(try !questions.confirm("Overwrite these 2 files in /b?", yes: "Modify"))
    }

    @Test func deleteAndYesQuestionsTakeTheirOwnWords() throws {
        #expect(try questions(["d"]).0.confirm("Delete these 3 items in /b?", yes: "Delete"))
        #expect(try questions(["Y"]).0.confirm("Run this command?", yes: "yes", no: "no"))
        #expect(try !questions(["n"]).0.confirm("Run this command?", yes: "yes", no: "no"))
    }

    @Test func anyOtherAnswerAsksAgain() throws {
        let (questions, prompter, _) = questions(["yes", "", "maybe", "Mo", "m"])
        #expect(try questions.confirm("Overwrite these 2 files in /b?", yes: "Modify"))
        #expect(prompter.askedCount == 5)
        #expect(prompter.prompts.allSatisfy { $0 == "Overwrite these 2 files in /b? [Modify/No] " })
    }

    @Test func qCancelsAYesNoQuestion() {
        let (questions, _, _) = questions(["Q"])
        let error = #expect(throws: CancelledError.self) { try questions.confirm("Delete these 3 items in /b?", yes: "Delete") }
        #expect(error == CancelledError(question: "Delete these 3 items in /b?", endOfInput: false))
    }

    @Test func theEndOfInputCancelsAndSaysSo() {
        let (questions, _, _) = questions(["what", nil])
        let error = #expect(throws: CancelledError.self) { try questions.confirm("Overwrite?", yes: "Modify") }
        #expect(error?.endOfInput == true)
        #expect(error?.description.contains("\"Overwrite?\"") == true)
        #expect(error?.description.contains("standard input ended") == true)
    }

    @Test func aChoiceWithOneOptionIsTakenWithoutAsking() throws {
        let (questions, prompter, console) = questions([])
        #expect(try questions.choose("Choose the WORK location", options: ["/w"]) == 0)
        #expect(try questions.chooseSeveral("Choose the BACKUP locations", options: ["/b"]) == [0])
        #expect(prompter.askedCount == 0)
        #expect(console.output.isEmpty)
    }

    @Test func aChoiceListsTheOptionsNumberedFromZero() throws {
        let (questions, prompter, console) = questions(["1"])
        #expect(try questions.choose("Choose the BACKUP location to copy from", options: ["/mnt/usb1", "/mnt/nas"]) == 1)
        #expect(console.output.contains("  [0] /mnt/usb1\n  [1] /mnt/nas\n"))
        #expect(console.output.contains("Choose the BACKUP location to copy from"))
        #expect(prompter.prompts == ["[0-1] "])
    }

    @Test func aChoiceAsksAgainUntilANumberInRange() throws {
        let (questions, prompter, _) = questions(["2", "-1", "one", "", " 0 "])
        #expect(try questions.choose("Choose", options: ["/a", "/b"]) == 0)
        #expect(prompter.askedCount == 5)
    }

    @Test func qCancelsAChoice() {
        let (questions, _, _) = questions(["q"])
        let error = #expect(throws: CancelledError.self) { try questions.choose("Choose", options: ["/a", "/b"]) }
        #expect(error?.endOfInput == false)
        let several = #expect(throws: CancelledError.self) { try self.questions(["Q"]).0.chooseSeveral("Choose", options: ["/a", "/b"]) }
        #expect(several?.endOfInput == false)
    }

    @Test func theEndOfInputAtAChoiceCancels() {
        let error = #expect(throws: CancelledError.self) { try questions([]).0.choose("Choose one", options: ["/a", "/b"]) }
        #expect(error == CancelledError(question: "Choose one", endOfInput: true))
        let several = #expect(throws: CancelledError.self) { try questions([]).0.chooseSeveral("Choose", options: ["/a", "/b"]) }
        #expect(several?.endOfInput == true)
    }

    @Test func severalNumbersMayBeSeparatedBySpacesOrCommas() throws {
        let options = ["/b1", "/b2", "/b3"]
        #expect(try questions(["0 2"]).0.chooseSeveral("Choose", options: options) == [0, 2])
        #expect(try questions(["2,0"]).0.chooseSeveral("Choose", options: options) == [2, 0])
        #expect(try questions(["1, 2"]).0.chooseSeveral("Choose", options: options) == [1, 2])
        #expect(try questions(["1 1"]).0.chooseSeveral("Choose", options: options) == [1])
    }

    @Test func aForAllChoosesEveryOption() throws {
        #expect(try questions(["a"]).0.chooseSeveral("Choose", options: ["/b1", "/b2", "/b3"]) == [0, 1, 2])
        #expect(try questions(["A"]).0.chooseSeveral("Choose", options: ["/b1", "/b2"]) == [0, 1])
    }

    @Test func aSeveralChoiceWithAnyInvalidNumberAsksAgain() throws {
        let (questions, prompter, _) = questions(["0 3", "0 x", "", "1"])
        #expect(try questions.chooseSeveral("Choose", options: ["/b1", "/b2", "/b3"]) == [1])
        #expect(prompter.askedCount == 4)
    }

    @Test func optionsAreShownWithEscapedNames() throws {
        let (questions, _, console) = questions(["0"])
        _ = try questions.choose("Choose", options: ["/mnt/a\nb", "/mnt/c"])
        #expect(console.output.contains(##"[0] /mnt/a\#012b"##))
    }
}
