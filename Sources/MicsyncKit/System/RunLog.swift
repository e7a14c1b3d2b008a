#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one sync run tells afterwards: a history record per destination it finished, and for an
/// unattended run also a record when it stopped before writing one (so that every unattended run
/// is in --history), and a notification with a journal line when it failed or left something.
public final class RunLog: @unchecked Sendable {
    // Called one at a time: destinations finish on threads of their own, and the
    // `DestinationScheduler` serializes `finished` and `after`.
    let journal: HistoryStore
    let console: Console
    let action: Action
    let unattended: Bool
    /// The scheduled run that started this one (MICSYNC_SCHEDULE), if any.
    public let schedule: String?
    private var recorded = 0
    /// For the notification: each destination that was not completed, and why a run stopped.
    public private(set) var unfinished: [String] = []

    public init(journal: HistoryStore, console: Console, action: Action, unattended: Bool, environment: [String: String]) {
        self.journal = journal
        self.console = console
        self.action = action
        self.unattended = unattended
        schedule = unattended ? environment[Schedule.nameVariable].flatMap { $0.isEmpty ? nil : $0 } : nil
    }

    /// The engine finished a destination (nothing to do included).
    public func finished(_ spec: TransferSpec, _ totals: ApplyTotals, status: Int) {
        append(config: spec.configName, source: spec.source.address, destination: spec.destination.address, totals: totals, status: status)
    }

    /// After each destination: names it when it was not completed, and records an unattended
    /// run that stopped before the engine wrote its record (a busy lock, the empty-source guard…).
    public func after(_ spec: TransferSpec, outcome: Outcome, status: Int, recordedBefore: Int) {
        after(spec, outcome: outcome, status: status, recorded: recorded != recordedBefore)
    }

    /// The same, told whether the engine recorded this destination (`finished`).
    public func after(_ spec: TransferSpec, outcome: Outcome, status: Int, recorded wasRecorded: Bool) {
        guard outcome != .done else { return }
        unfinished.append(spec.destination.displayName + (outcome == .failed ? " failed" : outcome == .interrupted ? " interrupted" : " incomplete"))
        if unattended && !wasRecorded {
            append(config: spec.configName, source: spec.source.address, destination: spec.destination.address, totals: ApplyTotals(), status: status)
        }
    }

    /// The number of records written so far (see `after`).
    public var recordCount: Int { recorded }

    /// The run stopped before any destination (a configuration error, a question, no drive).
    public func stopped(_ reason: String, config: String?, status: Int) {
        unfinished.append(reason)
        if unattended && recorded == 0 { append(config: config ?? "", source: "", destination: "", totals: ApplyTotals(), status: status) }
    }

    /// Something was not completed: noted for the notification (the engine recorded the destinations).
    public func note(_ reason: String) { unfinished.append(reason) }

    /// An unattended run that ends with `code` other than 0: tells the desktop and the journal.
    public func notifyIfNeeded(code: Int32, runner: ProcessRunner, environment: [String: String]) {
        guard unattended && code != 0 else { return }
        let title = "micsync: \(action.rawValue) " + (code == 1 ? "incomplete" : "failed") + (schedule.map { " (\($0))" } ?? "")
        let text = (unfinished.isEmpty ? "exit status \(code)" : unfinished.joined(separator: "; "))
            + ". See micsync --history" + (schedule.map { " and journalctl --user -u \($0).service" } ?? "")
        for problem in Notifier(runner: runner, environment: environment).notify(title: title, text: PathBytes.display(text)) {
            console.warning("this run's notice did not go through one way (the others were tried): \(problem)")
        }
    }

    private func append(config: String, source: String, destination: String, totals: ApplyTotals, status: Int) {
        var record = JournalRecord(time: Int(time(nil)), action: action.rawValue, config: config, source: source, destination: destination,
                                   copied: totals.copied, overwritten: totals.overwritten, deleted: totals.deleted, bytes: totals.bytes, status: status,
                                   declined: totals.declined)
        record.unstorable = totals.unstorable
        record.unattended = unattended
        record.schedule = schedule
        recorded += 1
        if let reason = journal.append(record) {
            console.warning("cannot write the history to \(PathBytes.display(journal.path)): \(reason) (the copy itself is not affected)")
        }
    }
}
