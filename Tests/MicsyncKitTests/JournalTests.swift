import Testing
@testable import MicsyncKit

@Suite("Journal")
struct JournalTests {
    @Test func aRecordSurvivesItsOwnLineWithAnyBytesInItsPaths() {
        let odd = PathBytes.string([0x2F, 0x77, 0x0A, 0x22, 0x5C, 0xFF, 0x09])  // "/w\n\"\\<FF>\t"
        let record = JournalRecord(time: 1_795_000_000, action: "work", config: "D \"x\"", source: odd, destination: "/b",
                                   copied: 3, overwritten: 1, deleted: 2, bytes: 12_345, status: 130)
        #expect(!record.line.contains("\n"))
        #expect(JournalRecord(line: record.line) == record)
        #expect(JournalRecord(line: "{not json") == nil)
        #expect(JournalRecord(line: #"{"time":1}"#) == nil)
    }

    @Test func declinedItemsAreRecordedAndOlderLinesReadAsNoneDeclined() {
        let declined = JournalRecord(time: 1_795_000_000, action: "backup", config: "D", source: "/w", destination: "/b",
                                     copied: 1, overwritten: 0, deleted: 0, bytes: 5, status: 0, declined: 2)
        #expect(declined.line.contains(#""declined":2"#))
        #expect(JournalRecord(line: declined.line) == declined)
        #expect(!declined.isComplete, "declined changes leave the destination out of step")
        let older = #"{"time":1,"action":"backup","config":"D","source":"/w","destination":"/b","copied":1,"overwritten":0,"deleted":0,"bytes":5,"status":0}"#
        let record = JournalRecord(line: older)
        #expect(record?.declined == 0 && record?.isComplete == true)
    }

    @Test func theJournalLivesInTheStateFolder() {
        #expect(Journal.defaultPath(environment: [:], home: "/home/ann") == "/home/ann/.local/state/micsync/history.jsonl")
        #expect(Journal.defaultPath(environment: ["XDG_STATE_HOME": "/var/state"], home: "/home/ann") == "/var/state/micsync/history.jsonl")
        // A relative XDG_STATE_HOME is invalid by the XDG rules and ignored.
        #expect(Journal.defaultPath(environment: ["XDG_STATE_HOME": "rel"], home: "/h") == "/h/.local/state/micsync/history.jsonl")
    }
}
