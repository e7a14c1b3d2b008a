#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `micsync --history [PATH]`: the latest runs, newest first; only those of the configs holding
/// PATH when one is given. Reads only.
public struct HistoryReport: Sendable {
    let console: Console
    public static let shownRuns = 50

    public init(console: Console) { self.console = console }

    public func print(_ records: [JournalRecord], configs: Set<String>?, journal: String) {
        let chosen = records.filter { configs?.contains($0.config) ?? true }
        guard !chosen.isEmpty else {
            console.line("No runs recorded" + (configs == nil ? "" : " for " + configs!.sorted().joined(separator: ", ")) + " in " + PathBytes.display(journal) + ".")
            return
        }
        for record in chosen.reversed().prefix(Self.shownRuns) {
            let counts = "\(record.copied) copied, \(record.overwritten) overwritten, \(record.deleted) deleted, " + Report.bytes(record.bytes)
            let result = record.status == 130 ? console.styled("interrupted", .red)
                : record.status != 0 ? console.styled("incomplete", .yellow)
                : record.declined > 0 ? console.styled("not in step: \(record.declined) declined", .yellow)
                : record.unstorable > 0 ? console.styled("done but for " + Report.counted(record.unstorable, "item") + " the drive cannot store", .yellow) : console.styled("done", .green)
            console.line("\(Self.localTime(record.time))  \(record.action)  \(record.config)  "
                + (record.destination.isEmpty ? "stopped before any copy" : "\(PathBytes.display(record.source)) → \(PathBytes.display(record.destination))")
                + "  \(counts)  \(result)"
                + (record.schedule.map { "  (scheduled: \($0))" } ?? (record.unattended ? "  (unattended)" : "")))
        }
        if chosen.count > Self.shownRuns { console.line("(\(chosen.count - Self.shownRuns) older runs in \(PathBytes.display(journal)))") }
    }

    /// `YYYY-MM-DD HH:MM:SS` in local time.
    static func localTime(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        localtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
