import Foundation
import Testing
@testable import MicsyncKit

/// rsync's `--out-format='%i %l %n'` lines, as the preview reads them.
@Suite("ItemizedLine")
struct ItemizedLineTests {
    func parse(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ItemizedLine {
        try #require(ItemizedLine.parse(line), sourceLocation: sourceLocation)
    }

    @Test func anItemAnIgnoreExistingRunLeftAloneIsReadFromItsSkipLine() {
        #expect(ItemizedLine.skippedAsExisting("docs/a.txt exists") == "docs/a.txt")
        #expect(ItemizedLine.skippedAsExisting("x\\#012y exists") == "x\ny")
        #expect(ItemizedLine.skippedAsExisting(">f+++++++++ 5 b exists") == nil, "an itemized line of a name ending in ' exists'")
        #expect(ItemizedLine.skippedAsExisting("rsync: something failed") == nil)
    }

    @Test func aNewFileGivesItsChangeFieldLengthAndName() throws {
        let line = try parse(">f+++++++++ 3 d/f")
        #expect(line == ItemizedLine(itemize: ">f+++++++++", length: 3, name: "d/f", isDirectory: false))
        #expect(line.isCreation)
        #expect(!line.isDeletion)
        #expect(line.fileType == "f")
    }

    @Test func aNewFolderLosesItsTrailingSlashAndIsAFolder() throws {
        let line = try parse("cd+++++++++ 4096 a/b/")
        #expect(line.name == "a/b")
        #expect(line.isDirectory)
        #expect(line.isCreation)
        #expect(line.fileType == "d")
        #expect(line.length == 4096)
    }

    @Test func aDeletionIsRecognised() throws {
        let line = try parse("*deleting   0 d/old/x")
        #expect(line.isDeletion)
        #expect(line.itemize == "*deleting  ")
        #expect(line.name == "d/old/x")
        #expect(!line.isDirectory)
        #expect(try parse("*deleting   0 d/old/").isDirectory)
    }

    @Test func theLocationFolderItselfIsDot() throws {
        let line = try parse(".d..t...... 0 ./")
        #expect(line.name == ".")
        #expect(line.isDirectory)
        #expect(!line.isCreation)
    }

    @Test func aModifiedFileIsNotACreation() throws {
        let line = try parse(">f.st...... 1234567 notes.txt")
        #expect(!line.isCreation)
        #expect(line.length == 1_234_567)
        #expect(try parse("cL+++++++++ 5 link").fileType == "L")
    }

    @Test func leadingSpacesInANameSurvive() throws {
        #expect(try parse(">f+++++++++ 1  lead").name == " lead")
        #expect(try parse(">f+++++++++ 1    three").name == "   three")
    }

    @Test func anEscapedNewlineIsDecoded() throws {
        #expect(try parse(##">f+++++++++ 1 nl\#012name"##).name == "nl\nname")
    }

    @Test func anEscapedNonUTF8ByteIsDecodedToThatByte() throws {
        let line = try parse(##">f+++++++++ 1 e\#351"##)
        #expect(PathBytes.bytes(line.name) == [0x65, 0xE9])
    }

    @Test func anEscapedBackslashBeforeAHashIsALiteralBackslash() throws {
        let line = try parse(##">f+++++++++ 1 back\#134#101"##)
        #expect(PathBytes.bytes(line.name) == Array(##"back\#101"##.utf8))
    }

    @Test func aBackslashNotFollowedByAnEscapeIsLiteral() throws {
        #expect(try parse(##">f+++++++++ 1 a\b\#9x"##).name == ##"a\b\#9x"##)
    }

    @Test func linesThatAreNotItemizedGiveNil() {
        for text in ["", "sending incremental file list", "sent 120 bytes  received 20 bytes  280.00 bytes/sec",
                     "total size is 0  speedup is 0.00", "rsync: [sender] link_stat \"/x\" failed: No such file or directory (2)",
                     ">f+++++++++ x name", ">f+++++++++ 3", ">f+++++++++3 name", "Xf+++++++++ 3 name", ">q+++++++++ 3 name"] {
            #expect(ItemizedLine.parse(text) == nil, "\(text)")
        }
    }

    /// Runs the real rsync over a small tree and checks the lines it prints parse as expected.
    @Test func realRsyncLinesParseToTheNamesOnDisc() throws {
        try withTemporaryFolder { temporary in
            try temporary.file("src/d/f", "abc\n")
            try temporary.file("src/ lead")
            try temporary.file("src/nl\nname")
            try temporary.file("src/" + PathBytes.string([0x65, 0xE9]))
            try temporary.file(##"src/back\#101"##)
            try temporary.file("src/d/old-file-kept")
            try temporary.file("dst/old/x")
            let arguments = ["rsync", "-n", "-a", "--delete", "--out-format=" + ItemizedLine.format,
                             temporary.at("src") + "/", temporary.at("dst") + "/"]
            var lines: [ItemizedLine] = []
            var other: [String] = []
            let result = try SpawningProcessRunner().run(arguments, environment: RsyncCommand.environment(from: ProcessInfo.processInfo.environment)) { text in
                if let line = ItemizedLine.parse(text) { lines.append(line) } else { other.append(text) }
            }
            #expect(result.status == 0)
            #expect(other.filter { !$0.isEmpty } == [])
            let byName = Dictionary(lines.map { (PathBytes.bytes($0.name), $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byName[Array("d/f".utf8)]?.length == 4)
            #expect(byName[Array("d/f".utf8)]?.isCreation == true)
            #expect(byName[Array("d".utf8)]?.isDirectory == true)
            #expect(byName[Array(" lead".utf8)] != nil)
            #expect(byName[Array("nl\nname".utf8)] != nil)
            #expect(byName[[0x65, 0xE9]] != nil)
            #expect(byName[Array(##"back\#101"##.utf8)] != nil)
            #expect(byName[Array("old/x".utf8)]?.isDeletion == true)
            #expect(byName[Array("old".utf8)].map { $0.isDeletion && $0.isDirectory } == true)
        }
    }
}
