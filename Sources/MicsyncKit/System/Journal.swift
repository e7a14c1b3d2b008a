#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One finished copy to one destination, as the history keeps it.
public struct JournalRecord: Equatable, Sendable {
    /// Seconds since 1970, UTC.
    public var time: Int
    public var action: String
    public var config: String
    public var source: String
    public var destination: String
    public var copied: Int
    public var overwritten: Int
    public var deleted: Int
    public var bytes: Int64
    /// 0 complete (or nothing to do), 1 incomplete or failed, 130 interrupted.
    public var status: Int
    /// Modified items and deletions the user declined (answered No): the destination was left
    /// out of step on purpose. Written as `"declined"`; a line without it (older micsync) has none.
    public var declined: Int

    /// Whether the destination was left in step: done, and nothing declined.
    public var isComplete: Bool { status == 0 && declined == 0 }
    /// Items the drive cannot store, listed and left out of a copy otherwise complete
    /// (`"unstorable"`, written when there are any).
    public var unstorable = 0
    /// Run with --unattended; `schedule` names the scheduled run (its units' name) that started it.
    public var unattended = false
    public var schedule: String?

    public init(time: Int, action: String, config: String, source: String, destination: String,
                copied: Int, overwritten: Int, deleted: Int, bytes: Int64, status: Int, declined: Int = 0) {
        self.time = time
        self.action = action
        self.config = config
        self.source = source
        self.destination = destination
        self.copied = copied
        self.overwritten = overwritten
        self.deleted = deleted
        self.bytes = bytes
        self.status = status
        self.declined = declined
    }

    /// One line of JSON.
    public var line: String {
        func text(_ value: String) -> String { "\"" + JournalRecord.escaped(value) + "\"" }
        return "{\"time\":\(time),\"action\":\(text(action)),\"config\":\(text(config)),\"source\":\(text(source)),"
            + "\"destination\":\(text(destination)),\"copied\":\(copied),\"overwritten\":\(overwritten),"
            + "\"deleted\":\(deleted),\"bytes\":\(bytes),\"status\":\(status),\"declined\":\(declined)"
            + (unstorable > 0 ? ",\"unstorable\":\(unstorable)" : "")
            + (unattended ? ",\"unattended\":true" : "") + (schedule.map { ",\"schedule\":" + text($0) } ?? "") + "}"
    }

    /// Reads a line written by `line`; nil for anything else (a damaged line is skipped).
    public init?(line: String) {
        guard case .object(let members)? = try? JSONReader.parse(Array(line.utf8)) else { return nil }
        func value(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        func string(_ key: String) -> String? { if case .string(let text)? = value(key) { return text }; return nil }
        func number(_ key: String) -> Int? { if case .number(let number)? = value(key), number.isFinite, abs(number) < 9e15 { return Int(number) }; return nil }
        guard let time = number("time"), let action = string("action"), let config = string("config"),
              let source = string("source"), let destination = string("destination"), let copied = number("copied"),
              let overwritten = number("overwritten"), let deleted = number("deleted"), let bytes = number("bytes"),
              let status = number("status") else { return nil }
        self.init(time: time, action: action, config: config, source: source, destination: destination,
                  copied: copied, overwritten: overwritten, deleted: deleted, bytes: Int64(bytes), status: status,
                  declined: number("declined") ?? 0)
        unstorable = number("unstorable") ?? 0
        if case .bool(true)? = value("unattended") { unattended = true }
        schedule = string("schedule")
    }

    static func escaped(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// The seam of the history: where a run's records go and are read from. The real one is a
/// file (`Journal`); tests may keep the records in memory.
public protocol HistoryStore: Sendable {
    /// Where it is, for messages.
    var path: String { get }
    /// Appends one record; the reason when it cannot.
    func append(_ record: JournalRecord) -> String?
    /// Every readable record, oldest first.
    func records(fileSystem: FileSystem) -> [JournalRecord]
}

/// The history of applied copies: a JSON-lines file in the user's state folder, never in a
/// location. Writing it can fail (read-only home): that is a warning, never a failed copy.
public struct Journal: HistoryStore {
    public let path: String

    public init(path: String) { self.path = path }

    /// `$XDG_STATE_HOME/micsync/history.jsonl`, default `~/.local/state/micsync/history.jsonl`.
    public static func defaultPath(environment: [String: String], home: String) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Paths.join(home, ".local/state")
        return Paths.join(Paths.join(state, "micsync"), "history.jsonl")
    }

    /// Appends one record; the reason when it cannot.
    public func append(_ record: JournalRecord) -> String? {
        var folder = ""
        for component in Paths.parent(path).split(separator: "/") {
            folder += "/" + component
            if PathBytes.bytes(folder).withCString({ mkdir($0, 0o700) }) != 0 && errno != EEXIST {
                return String(cString: strerror(errno))
            }
        }
        let descriptor = PathBytes.bytes(path).withCString { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) }
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        let bytes = Array((record.line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        return written == bytes.count ? nil : String(cString: strerror(errno))
    }

    /// Every readable record, oldest first.
    public func records(fileSystem: FileSystem) -> [JournalRecord] {
        guard let content = try? fileSystem.readFile(path) else { return [] }
        return content.split(separator: 0x0A).compactMap { JournalRecord(line: String(decoding: $0, as: UTF8.self)) }
    }
}
