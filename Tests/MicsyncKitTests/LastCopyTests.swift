import Testing
@testable import MicsyncKit

@Suite("Last completed copy")
struct LastCopyTests {
    let backup = Location(role: .backup, path: "/mnt/usb1/docs")

    func record(_ time: Int, status: Int = 0, to destination: String = "/mnt/usb1/docs") -> JournalRecord {
        JournalRecord(time: time, action: "backup", config: "Docs", source: "/home/ann/docs", destination: destination,
                      copied: 1, overwritten: 0, deleted: 0, bytes: 1, status: status)
    }

    @Test func agoReadsInTheLargestWholeUnit() {
        #expect(LastCopy.ago(5) == "just now")
        #expect(LastCopy.ago(60) == "1 minute ago")
        #expect(LastCopy.ago(59 * 60) == "59 minutes ago")
        #expect(LastCopy.ago(3 * 3_600) == "3 hours ago")
        #expect(LastCopy.ago(47 * 3_600) == "47 hours ago")
        #expect(LastCopy.ago(9 * 86_400 + 5) == "9 days ago")
    }

    @Test func onlyCompletedCopiesToThatLocationCountAndStaleAfterTheConfiguredDays() {
        var config = Config(name: "Docs", work: [Location(role: .work, path: "/home/ann/docs")], backup: [backup])
        let now = 100 * 86_400
        let records = [record(now - 10 * 86_400), record(now - 86_400, status: 1), record(now - 60, to: "/mnt/other")]
        #expect(LastCopy(of: backup, in: config, records: records, now: now) == LastCopy(time: now - 10 * 86_400, isStale: false))
        config.staleAfterDays = 10
        #expect(!LastCopy(of: backup, in: config, records: records, now: now).isStale, "exactly 10 days is not older than 10")
        config.staleAfterDays = 9
        let stale = LastCopy(of: backup, in: config, records: records, now: now)
        #expect(stale.isStale)
        #expect(stale.text(console: RecordingConsole(), now: now, staleAfterDays: 9).hasSuffix("(10 days ago)  STALE (none completed in the last 9 days)"))
        #expect(LastCopy(of: backup, in: config, records: [], now: now).isStale, "never copied counts as stale when the key is set")
    }
}
