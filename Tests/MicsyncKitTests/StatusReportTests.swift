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

    /// The comparison of WORK /w with BACKUP /b made from rsync's itemized lines.
    func comparison(_ lines: [String], backup: [String: FileKind]) -> StatusReport.Comparison {
        let spec = TransferSpec(action: .backup, configName: "Docs", source: Location(role: .work, path: "/w"),
                                destination: Location(role: .backup, path: "/b"), parent: "", names: [])
        var builder = PreviewBuilder(command: RsyncCommand(spec: spec, existingPrefix: ""), fileSystem: FakeFileSystem(backup))
        lines.forEach { builder.add($0) }
        return StatusReport.Comparison(builder.finish())
    }

    @Test func linesAreSortedIntoOnlyInWorkModifiedAndOnlyInBackup() throws {
        let sorted = comparison([">f+++++++++ 3 new.txt", "cd+++++++++ 0 dir/", ">f.st...... 4 changed.txt", ".d..t...... 0 ./",
                                 ".d..t...... 0 sub/", "*deleting   0 gone.txt", ">fc........ 4 corrupt.bin"],
                                backup: ["/b": .directory, "/b/sub": .directory, "/b/changed.txt": .regularFile,
                                         "/b/gone.txt": .regularFile, "/b/corrupt.bin": .regularFile])
        #expect(sorted.onlyInWork == ["new.txt", "dir"])
        #expect(sorted.modified == ["changed.txt", "corrupt.bin"])
        #expect(sorted.onlyInBackup == ["gone.txt"])
        #expect(!sorted.inStep)
    }

    @Test func aChangeOfTypeIsOneModificationThatTakesTheFolderContentsWithIt() throws {
        // WORK has a file f where the BACKUP has a folder f/ (holding in.txt), and a folder g/
        // (holding in.txt) where the BACKUP has a file g: rsync shows creations and the contents' deletions.
        let sorted = comparison(["*deleting   0 f/in.txt", ">f+++++++++ 2 f", "cd+++++++++ 0 g/", ">f+++++++++ 2 g/in.txt"],
                                backup: ["/b": .directory, "/b/f": .directory, "/b/f/in.txt": .regularFile, "/b/g": .regularFile])
        #expect(sorted.modified == ["f", "g"])
        #expect(sorted.onlyInWork.isEmpty && sorted.onlyInBackup.isEmpty, "\(sorted)")
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
