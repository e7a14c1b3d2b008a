import Testing
@testable import MicsyncKit

/// Lexical paths (Config/Paths.swift) and lossless name bytes (System/PathBytes.swift).
@Suite("Paths and PathBytes")
struct PathsTests {
    @Test func normalisationCollapsesDoubleSlashesDotsAndATrailingSlash() {
        #expect(Paths.normalized("/a//b/./c/") == "/a/b/c")
        #expect(Paths.normalized("/a/b/../c") == "/a/c")
        #expect(Paths.normalized("/../a") == "/a")
        #expect(Paths.normalized("/") == "/")
        #expect(Paths.normalized("//") == "/")
    }

    @Test func absoluteExpandsTheTildeAndTakesARelativePathFromTheBase() {
        #expect(Paths.absolute("~", base: "/cwd", home: "/home/u") == "/home/u")
        #expect(Paths.absolute("~/docs/", base: "/cwd", home: "/home/u") == "/home/u/docs")
        #expect(Paths.absolute("docs/../photos", base: "/cwd", home: "/home/u") == "/cwd/photos")
        #expect(Paths.absolute("/abs", base: "/cwd", home: "/home/u") == "/abs")
        // Only `~` and `~/…` mean the home folder: `~x` is a relative name.
        #expect(Paths.absolute("~x", base: "/cwd", home: "/home/u") == "/cwd/~x")
    }

    @Test func containsDecidesOnWholeComponents() {
        #expect(Paths.contains("/a/b", "/a/b"))
        #expect(Paths.contains("/a/b", "/a/b/c"))
        #expect(!Paths.contains("/a/b", "/a/bc"))
        #expect(!Paths.contains("/a/b/c", "/a/b"))
        #expect(Paths.contains("/", "/anything"))
    }

    @Test func relativeIsThePathInsideTheOuterFolder() {
        #expect(Paths.relative("/a/b/c", to: "/a") == "b/c")
        #expect(Paths.relative("/a", to: "/a") == "")
        #expect(Paths.relative("/a/b", to: "/") == "a/b")
    }

    @Test func parentDropsTheLastComponent() {
        #expect(Paths.parent("/a/b") == "/a")
        #expect(Paths.parent("/a") == "/")
        #expect(Paths.parent("/") == "")
        #expect(Paths.parent("a/b") == "a")
        #expect(Paths.parent("a") == "")
    }

    @Test func lastComponentIsTheName() {
        #expect(Paths.lastComponent("/a/b c") == "b c")
        #expect(Paths.lastComponent("name") == "name")
    }

    @Test func joinPutsOneSlashBetweenNonEmptyParts() {
        #expect(Paths.join("/a", "b/c") == "/a/b/c")
        #expect(Paths.join("/", "b") == "/b")
        #expect(Paths.join("/a", "") == "/a")
        #expect(Paths.join("", "b") == "b")
    }

    @Test func bytesThatAreNotUTF8SurviveARoundTrip() {
        let raw: [UInt8] = [0x61, 0xE9, 0x2F, 0xFF, 0xC3, 0xA9, 0x0A, 0x80]  // a, stray é (Latin-1), /, 0xFF, é (UTF-8), newline, stray continuation
        let text = PathBytes.string(raw)
        #expect(PathBytes.bytes(text) == raw)
        #expect(text.hasPrefix("a"))
        #expect(!text.contains("é/"), "a stray byte is not read as Latin-1")
        #expect(PathBytes.bytes(PathBytes.string(Array("plain é".utf8))) == Array("plain é".utf8))
        #expect(PathBytes.string(Array("plain é".utf8)) == "plain é")
    }

    @Test func aTruncatedUTF8SequenceIsKeptByteForByte() {
        let raw: [UInt8] = [0xE2, 0x82]  // the first two bytes of "€"
        #expect(PathBytes.bytes(PathBytes.string(raw)) == raw)
    }

    @Test func aNameHoldingAPrivateUseCharacterSurvivesARoundTrip() {
        // U+10FF80 is valid UTF-8 (F4 8F BE 80) and so a possible name; it must not turn into 0x80.
        let raw: [UInt8] = [0x78, 0xF4, 0x8F, 0xBE, 0x80, 0xE9]
        #expect(PathBytes.bytes(PathBytes.string(raw)) == raw)
        #expect(PathBytes.bytes(PathBytes.string(raw.dropLast())) == Array(raw.dropLast()))
    }

    @Test func displayEscapesNewlinesAndInvalidBytesAsOctal() {
        #expect(PathBytes.display("a\nb") == ##"a\#012b"##)
        #expect(PathBytes.display(PathBytes.string([0x6E, 0xE9])) == ##"n\#351"##)
        #expect(PathBytes.display("tab\tand del\u{7F}") == ##"tab\#011and del\#177"##)
        #expect(PathBytes.display("café ok") == "café ok")
    }

    @Test func displayEscapesABackslashBeforeAHashSoTheFormIsUnambiguous() {
        #expect(PathBytes.display(##"a\#101"##) == ##"a\#134#101"##)
        #expect(PathBytes.display(#"a\b"#) == #"a\b"#)
    }

    @Test func aChangeIsListedRelativeToTheLocationWithASlashAfterAFolder() {
        #expect(Change(kind: .new, path: "d/e", isDirectory: true, itemize: "cd+++++++++").displayPath == "d/e/")
        #expect(Change(kind: .new, path: "d/f\n", isDirectory: false, itemize: ">f+++++++++").displayPath == ##"d/f\#012"##)
        #expect(Change(kind: .folderUpdate, path: ".", isDirectory: true, itemize: ".d..t......").displayPath == "./")
    }
}
