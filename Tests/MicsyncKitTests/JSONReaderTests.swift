import Testing
@testable import MicsyncKit

/// README "Configuration": "not valid JSON: the line and column of the fault, as `line N, column M`;
/// a key given twice in one object".
@Suite("JSONReader")
struct JSONReaderTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONReader.parse(Array(text.utf8))
    }

    func fault(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONSyntaxError? {
        #expect(throws: JSONSyntaxError.self, sourceLocation: sourceLocation) { try parse(text) }
    }

    @Test func aValidDocumentKeepsEveryValueAndTheOrderOfKeys() throws {
        let value = try parse("""
            {"configs": [{"name": "A", "n": -1.5e2, "zero": 0, "t": true, "f": false, "z": null, "e": [], "o": {}}], "b": 10}
            """)
        let expected: JSONValue = .object([
            ("configs", .array([.object([
                ("name", .string("A")), ("n", .number(-150)), ("zero", .number(0)), ("t", .bool(true)),
                ("f", .bool(false)), ("z", .null), ("e", .array([])), ("o", .object([])),
            ])])),
            ("b", .number(10)),
        ])
        #expect(value == expected)
        // Order matters: the same members in another order are another value.
        #expect(value != .object([("b", .number(10)), ("configs", .array([]))]))
    }

    @Test func whitespaceAroundTheValueAndAByteOrderMarkAreAccepted() throws {
        #expect(try parse(" \n\t[1, 2]\r\n ") == .array([.number(1), .number(2)]))
        #expect(try JSONReader.parse([0xEF, 0xBB, 0xBF] + Array("true".utf8)) == .bool(true))
    }

    @Test func aMissingColonIsReportedAtItsLineAndColumn() {
        let error = fault("{\n  \"a\": 1,\n  \"b\" 2\n}")
        #expect(error?.line == 3)
        #expect(error?.column == 7)
        #expect(error?.message.contains("':'") == true)
    }

    @Test func aDoubledCommaInAListIsReportedAtTheSecondComma() {
        let error = fault("[1,\n 2,,\n 3]")
        #expect(error.map { [$0.line, $0.column] } == [2, 4])
    }

    @Test func aTrailingCommaInAnObjectIsReportedAtTheClosingBrace() {
        let error = fault("{\"a\": 1,\n}")
        #expect(error.map { [$0.line, $0.column] } == [2, 1])
        #expect(error?.message.contains("key") == true)
    }

    @Test func anUnterminatedStringIsReportedAtTheEndOfTheFile() {
        let error = fault("{\"a\": \"x")
        #expect(error.map { [$0.line, $0.column] } == [1, 9])
        #expect(error?.message.contains("end of file") == true)
    }

    @Test func textAfterTheValueIsAFault() {
        let error = fault("{}\n x")
        #expect(error.map { [$0.line, $0.column] } == [2, 2])
    }

    @Test func columnsCountCharactersNotBytes() {
        // "é" is two bytes but one column: the stray x is the 7th character.
        let error = fault("[\"é\", x]")
        #expect(error.map { [$0.line, $0.column] } == [1, 7])
    }

    @Test func anEmptyDocumentIsAFault() {
        let error = fault("")
        #expect(error.map { [$0.line, $0.column] } == [1, 1])
    }

    @Test func aKeyGivenTwiceInOneObjectIsAnErrorNamingTheKey() {
        let error = fault("{\n  \"backup\": [\"/a\"],\n  \"backup\": [\"/b\"]\n}")
        #expect(error?.message.contains("\"backup\"") == true)
        #expect(error?.message.contains("twice") == true)
        #expect(error.map { [$0.line, $0.column] } == [3, 3])
    }

    @Test func theSameKeyInTwoDifferentObjectsIsAllowed() throws {
        let value = try parse("[{\"name\": \"A\"}, {\"name\": \"B\"}]")
        #expect(value == .array([.object([("name", .string("A"))]), .object([("name", .string("B"))])]))
    }

    @Test func stringEscapesAreDecoded() throws {
        let value = try parse(#"["a\"b\\c\/d\bx\fx\nx\rx\tx\u00e9\u0041"]"#)
        #expect(value == .array([.string("a\"b\\c/d\u{8}x\u{C}x\nx\rx\txéA")]))
    }

    @Test func aSurrogatePairIsOneCharacter() throws {
        let value = try parse(#""\ud83d\ude00 \uD834\uDD1E""#)
        #expect(value == .string("😀 𝄞"))
    }

    @Test func aLoneOrMismatchedSurrogateIsAFault() {
        #expect(fault(#""\ud83d""#) != nil)
        #expect(fault(#""\udc00""#) != nil)
        #expect(fault(#""\ud83d\u0041""#)?.message.contains("surrogate") == true)
    }

    @Test func anUnknownEscapeIsReportedAtItsBackslash() {
        let error = fault(#"["a\x"]"#)
        #expect(error.map { [$0.line, $0.column] } == [1, 4])
    }

    @Test func aRawControlCharacterInAStringIsAFault() {
        #expect(fault("[\"a\tb\"]")?.message.contains("control character") == true)
    }

    @Test func numbersWithALeadingZeroOrNoDigitsAreFaults() {
        #expect(fault("[01]") != nil)
        #expect(fault("[-]") != nil)
        #expect(fault("[1.]") != nil)
        #expect(fault("[1e]") != nil)
    }

    @Test func misspelledLiteralsAreFaults() {
        #expect(fault("[tru]") != nil)
        #expect(fault("nul") != nil)
    }
}
