import Testing
#if canImport(Glibc)
import Glibc
#endif
import MicsyncKit
@testable import MicsyncCLI

/// The command line → a `Request`, and the usage errors (README: "Usage").
@Suite("Command line")
struct MicsyncCommandTests {
    func request(_ arguments: [String]) throws -> Request {
        try MicsyncCommand.parse(arguments).request()
    }

    @Test func shortOptionsCombine() throws {
        let request = try request(["--work", "-mdv", "docs"])
        #expect(request.action == .work)
        #expect(request.options == SyncOptions(overwriteWithoutAsking: true, deletion: .ask, verbose: true))
        #expect(request.paths == ["docs"])
    }

    @Test func optionsMayStandBeforeOrAfterTheActionAndThePaths() throws {
        let request = try request(["-s", "a", "--backup", "b", "-m", "--config", "/c.json", "-n"])
        #expect(request.action == .backup)
        #expect(request.paths == ["a", "b"])
        #expect(request.configFile == "/c.json")
        #expect(request.options == SyncOptions(overwriteWithoutAsking: true, filesOnly: true, dryRun: true))
    }

    @Test func doubleDashEndsTheOptionsSoAPathMayStartWithADash() throws {
        let request = try request(["--tree", "--", "-d", "--work"])
        #expect(request.action == .tree)
        #expect(request.paths == ["-d", "--work"])
        #expect(request.options.deletion == .never)
    }

    @Test func capitalDWinsOverSmallD() throws {
        #expect(try request(["--work", "-d", "-D", "p"]).options.deletion == .withoutAsking)
        #expect(try request(["--transfer", "-Dd", "p"]).options.deletion == .withoutAsking)
        #expect(try request(["--work", "-d", "p"]).options.deletion == .ask)
        #expect(try request(["--work", "p"]).options.deletion == .never)
    }

    @Test func toMayBeRepeatedAndTheSelectionIsKept() throws {
        let request = try request(["--transfer", "--to", "/b2", "--to", "/b3", "--from", "/b1",
                                   "--config-name", "Docs", "--dry-run", "p"])
        #expect(request.to == ["/b2", "/b3"])
        #expect(request.from == "/b1")
        #expect(request.configName == "Docs")
        #expect(request.options.dryRun)
    }

    @Test func anOptionTheActionDoesNotTakeIsAUsageError() {
        #expect(throws: (any Error).self) { try request(["--backup", "-d", "p"]) }
        #expect(throws: (any Error).self) { try request(["--backup", "-D", "p"]) }
        #expect(throws: (any Error).self) { try request(["--tree", "-m", "p"]) }
        #expect(throws: (any Error).self) { try request(["--tree", "-d", "p"]) }
    }

    @Test func theActionsThatCopyNothingTakeNoOptionOfTheCopyingOnes() {
        for own in ["--status", "--history", "--list", "--init"] {
            for option in [["-m"], ["-d"], ["-D"], ["-k"], ["-n"], ["-s"], ["--wait"], ["--allow-empty-source"], ["--parallel", "2"], ["--from", "x"], ["--to", "x"]] {
                let error = #expect(throws: (any Error).self, "\(own) \(option)") { try MicsyncCommand.parse([own] + option) }
                let message = error.map { MicsyncCommand.message(for: $0) } ?? ""
                #expect(message.contains(own) && message.contains(option[0]), "\(message)")
            }
        }
        #expect(throws: (any Error).self) { try MicsyncCommand.parse(["--mark", "-k", "p"]) }
        // What they do take.
        #expect(throws: Never.self) { try MicsyncCommand.parse(["--status", "-c", "-v", "--config-name", "Docs"]) }
        #expect(Syntax.of(arguments: ["--list", "-n"]) == "usage: micsync --list")
    }

    @Test func theUsageErrorNamesTheActionAndTheOption() {
        let error = #expect(throws: (any Error).self) { try request(["--backup", "-d", "p"]) }
        let message = error.map { MicsyncCommand.message(for: $0) } ?? ""
        #expect(message.contains("--backup"))
        #expect(message.contains("-d"))
    }

    @Test func noActionIsAUsageError() {
        let error = #expect(throws: (any Error).self) { try request(["-m", "p"]) }
        #expect(error.map { MicsyncCommand.message(for: $0) }?.contains("action") == true)
    }

    @Test func twoActionsAreAUsageError() {
        #expect(throws: (any Error).self) { try request(["--backup", "--work", "p"]) }
    }

    @Test func noPathIsAUsageError() {
        let error = #expect(throws: (any Error).self) { try request(["--work", "-m"]) }
        #expect(error.map { MicsyncCommand.message(for: $0) }?.contains("PATH") == true)
    }

    @Test func anUnknownOptionIsAUsageError() {
        #expect(throws: (any Error).self) { try request(["--backup", "-x", "p"]) }
    }

    @Test func usageErrorsPrintTheSyntaxOfTheirAction() {
        #expect(Syntax.of(.backup).contains("micsync --backup   [-m] [-c] [-k] [-s] [-v] [-n] [selection] PATH..."))
        #expect(!Syntax.of(.tree).contains("[-c]"))
        #expect(!Syntax.of(.tree).contains("-m"))
        #expect(MicsyncCommand.actionNamed(in: ["-m", "--tree", "p"]) == .tree)
        #expect(MicsyncCommand.actionNamed(in: ["--", "--tree"]) == nil)
    }
}

@Suite("Command line: PATHs taken out before parsing")
struct SeparatingPathsTests {
    @Test func optionValuesStayWithTheirOptionsAndEverythingAfterDoubleDashIsAPath() {
        let (options, paths) = MicsyncCommand.separatingPaths(
            ["a", "--backup", "--to", "x", "-mv", "b", "--config=c.json", "-", "--", "-d", "--to"])
        #expect(options == ["--backup", "--to", "x", "-mv", "--config=c.json"])
        #expect(paths == ["a", "b", "-", "-d", "--to"])
    }

    @Test func aValueOptionAtTheEndIsLeftForTheParserToReport() {
        let (options, paths) = MicsyncCommand.separatingPaths(["--backup", "p", "--from"])
        #expect(options == ["--backup", "--from"])
        #expect(paths == ["p"])
    }
}

/// argv read losslessly; an argument count of 0 (libfaketime's LD_PRELOAD) never traps.
@Suite("Command line: the raw argument vector")
struct RawArgumentsTests {
    /// A NUL-terminated vector of C strings for the duration of `body`.
    func withVector<T>(_ words: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    @Test func theArgumentsAfterTheProgramName() {
        let arguments = withVector(["micsync", "--backup", "a b"]) { MicsyncCommand.rawArguments(count: 3, vector: $0, commandLineFile: "/nonexistent") }
        #expect(arguments == ["--backup", "a b"])
    }

    @Test func aCountOfZeroWithAnEmptyVectorGivesNoArguments() {
        let arguments = withVector([]) { MicsyncCommand.rawArguments(count: 0, vector: $0, commandLineFile: "/nonexistent/cmdline") }
        #expect(arguments == [])
        #expect(MicsyncCommand.rawArguments(count: 0, vector: nil, commandLineFile: "/nonexistent/cmdline") == [])
    }

    @Test func aCountOfZeroReadsTheKernelsCommandLine() throws {
        var template = Array("/tmp/micsync-cmdline.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(descriptor >= 0)
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let content: [UInt8] = Array("micsync\0--status\0\0x\u{FF}\0".utf8)
        _ = content.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        let arguments = withVector([]) { MicsyncCommand.rawArguments(count: 0, vector: $0, commandLineFile: path) }
        #expect(arguments == ["--status", "", "x\u{FF}"])
        let empty = withVector([]) { MicsyncCommand.rawArguments(count: 0, vector: $0, commandLineFile: "/dev/null") }
        #expect(empty == [])
    }
}
