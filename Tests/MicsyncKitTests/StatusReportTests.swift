import Foundation
import Testing
@testable import MicsyncKit

/// `--status`: sorting rsync's itemized lines, the one dry run per pair, and the history lookup.
@Suite("StatusReport")
struct StatusReportTests {
    final class ScriptedRunner: ProcessRunner, @unchecked Sendable {
        let output: [String]
        var calls: [[String]] = []
        init(_ output: [String]) { self.output = output }
        func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
            calls.append(arguments)
            #expect(environment["LC_ALL"] == "C")
            output.forEach(onLine)
            return ProcessResult(status: 0)
        }
    }

    let config = Config(name: "Docs", work: [Location(role: .work, path: "/w")],
                        backup: [Location(role: .backup, path: "/b1"), Location(role: .backup, path: "/b2")], exclude: ["*.tmp"])

    @Test func linesAreSortedIntoOnlyInWorkModifiedAndOnlyInBackup() throws {
        var comparison = StatusReport.Comparison()
        for text in [">f+++++++++ 3 new.txt", "cd+++++++++ 0 dir/", ">f.st...... 4 changed.txt", ".d..t...... 0 ./",
                     ".d..t...... 0 sub/", "*deleting   0 gone.txt", ">fc........ 4 corrupt.bin"] {
            let line = try #require(ItemizedLine.parse(text))
            comparison.add(line, path: line.name)
        }
        #expect(comparison.onlyInWork == ["new.txt", "dir"])
        #expect(comparison.modified == ["changed.txt", "corrupt.bin"])
        #expect(comparison.onlyInBackup == ["gone.txt"])
        #expect(!comparison.inStep)
    }

    @Test func oneDryRunPerAccessiblePairWithChecksumAndTheLatestCompletedCopy() throws {
        let fileSystem = FakeFileSystem(["/w": .directory, "/b1": .directory])
        let runner = ScriptedRunner([">f+++++++++ 3 new.txt"])
        let console = RecordingConsole()
        let records = [
            JournalRecord(time: 100, action: "backup", config: "Docs", source: "/w", destination: "/b1", copied: 1, overwritten: 0, deleted: 0, bytes: 1, status: 0),
            JournalRecord(time: 300, action: "backup", config: "Docs", source: "/w", destination: "/b1", copied: 1, overwritten: 0, deleted: 0, bytes: 1, status: 1),
        ]
        let status = try StatusReport(fileSystem: fileSystem, runner: runner, console: console, environment: [:])
            .run(Configuration(file: "/cfg.json", configs: [config]), paths: [], checksum: true, records: records)
        #expect(status == 1)
        #expect(runner.calls.count == 1, "b2 is missing: not compared")
        let arguments = try #require(runner.calls.first)
        for flag in ["--archive", "--dry-run", "--delete", "--checksum", "--exclude=*.tmp", "/w/", "/b1/"] {
            #expect(arguments.contains(flag), "\(arguments)")
        }
        #expect(console.output.contains("last completed copy " + HistoryReport.localTime(100)), "\(console.output)")
        #expect(console.output.contains("/b2  missing"), "\(console.output)")
        #expect(console.output.contains("new.txt"), "\(console.output)")
    }
}
