#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long ago a BACKUP last received a completed copy, and whether that is too long
/// (`"stale_after_days"`): shown by --status and --list, from the history.
public struct LastCopy: Equatable, Sendable {
    /// The time of the latest completed copy to the location (seconds since 1970), nil if none.
    public var time: Int?
    /// Older than the config's `"stale_after_days"` (never is stale too, when that is set).
    public var isStale: Bool

    public init(time: Int?, isStale: Bool) {
        self.time = time
        self.isStale = isStale
    }

    public init(of location: Location, in config: Config, records: [JournalRecord], now: Int) {
        time = records.filter { $0.destination == location.address && $0.isComplete }.map(\.time).max()
        guard let days = config.staleAfterDays else {
            isStale = false
            return
        }
        isStale = time.map { now - $0 > days * 86_400 } ?? true
    }

    /// ", last completed copy 2026-12-01 09:00:00 (1 day ago)", with the stale flag when it is.
    public func text(console: Console, now: Int, staleAfterDays: Int?) -> String {
        var text = time.map { ", last completed copy " + HistoryReport.localTime($0) + " (" + Self.ago(now - $0) + ")" }
            ?? ", no completed copy recorded"
        if isStale, let days = staleAfterDays {
            text += "  " + console.styled("STALE", .red) + " (none completed in the last \(days) " + (days == 1 ? "day" : "days") + ")"
        }
        return text
    }

    /// Seconds since 1970, now.
    public static func currentTime() -> Int { secondsSince1970() }

    /// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
    public static func ago(_ seconds: Int) -> String {
        func unit(_ value: Int, _ name: String) -> String { "\(value) \(name)" + (value == 1 ? "" : "s") + " ago" }
        switch seconds {
        case ..<60: return "just now"
        case ..<3_600: return unit(seconds / 60, "minute")
        case ..<172_800: return unit(seconds / 3_600, "hour")
        default: return unit(seconds / 86_400, "day")
        }
    }
}

private func secondsSince1970() -> Int { Int(time(nil)) }
