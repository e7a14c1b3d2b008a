import Testing
import MicsyncKit
@testable import MicsyncCLI

/// --unattended, the limits and the schedule options on the command line.
@Suite("Command line: unattended and schedules")
struct UnattendedCommandTests {
    @Test func unattendedAndLimitsBecomeOptions() throws {
        let request = try MicsyncCommand.parse(["--unattended", "--max-delete", "10%", "--max-overwrite", "3", "--work", "-D", "p"]).request()
        #expect(request.options.unattended)
        #expect(request.options.maxDelete == .percent(10))
        #expect(request.options.maxOverwrite == .count(3))
        #expect(request.options.deletion == .withoutAsking)
        #expect(try MicsyncCommand.parse(["--schedule", "daily", "--backup", "p"]).request().options.unattended, "a scheduled run is unattended")
    }

    @Test func theirValuesAreNotTakenForPaths() {
        let (options, paths) = MicsyncCommand.separatingPaths(["--schedule", "Mon..Fri 18:00", "--backup", "--max-delete", "5", "--max-overwrite", "1%", "docs", "--unschedule", "x"])
        #expect(paths == ["docs"])
        #expect(options == ["--schedule", "Mon..Fri 18:00", "--backup", "--max-delete", "5", "--max-overwrite", "1%", "--unschedule", "x"])
    }

    @Test func misuseIsAUsageError() {
        for arguments in [["--unattended", "-v", "--backup", "p"], ["--max-delete", "1", "--backup", "p"], ["--max-delete", "x", "--work", "p"],
                          ["--unattended", "--list"], ["--schedules", "--backup", "p"], ["--unschedule", "n", "p"], ["--schedules", "--unschedule", "n"],
                          ["--schedule", "daily", "-n", "--backup", "p"], ["--schedule", "daily", "--status"], ["--max-overwrite", "1", "--tree", "p"]] {
            #expect(throws: (any Error).self, "\(arguments)") { try MicsyncCommand.parse(arguments) }
        }
        #expect((try? MicsyncCommand.parse(["--schedules"])) != nil)
        #expect((try? MicsyncCommand.parse(["--unschedule", "micsync-backup-docs"])) != nil)
    }
}
