/// What starts a scheduled run: a systemd calendar, or the mounting of the BACKUP's drive.
public enum ScheduleTrigger: Equatable, Sendable {
    /// As `OnCalendar=` takes it: `daily`, `Mon..Fri 18:00`, …
    case calendar(String)
    /// The drive's mount unit (`media-ann-usb1.mount`) and its mount point.
    case mount(unit: String, mountPoint: String)
}

/// One scheduled run as systemd user units: a oneshot service that runs micsync with
/// `--unattended`, and for a calendar a timer with `Persistent=true` (a run missed while the
/// machine was off or asleep happens at the next boot or wake). Pure text, unit-tested; written
/// by `Scheduler`.
public struct ScheduleUnits: Equatable, Sendable {
    /// `micsync-…`, without the `.service`/`.timer` suffix.
    public var name: String
    public var trigger: ScheduleTrigger
    /// The whole command: the micsync binary first.
    public var command: [String]
    /// Variables the service sets (the history's folder, so that it is the one --history reads).
    public var environment: [(String, String)] = []
    /// For people: "backup of Documents".
    public var summary: String

    public init(name: String, trigger: ScheduleTrigger, command: [String], environment: [(String, String)] = [], summary: String) {
        self.name = name
        self.trigger = trigger
        self.command = command
        self.environment = environment
        self.summary = summary
    }

    public static func == (lhs: ScheduleUnits, rhs: ScheduleUnits) -> Bool {
        lhs.name == rhs.name && lhs.trigger == rhs.trigger && lhs.command == rhs.command && lhs.summary == rhs.summary
            && lhs.environment.map { $0.0 + "=" + $0.1 } == rhs.environment.map { $0.0 + "=" + $0.1 }
    }

    public static let prefix = "micsync-"
    static let header = "# Written by micsync --schedule; remove with: micsync --unschedule "

    public var serviceName: String { name + ".service" }
    public var timerName: String { name + ".timer" }

    /// The unit the user enables: the timer, or for a drive the service itself.
    public var enabledUnit: String {
        if case .calendar = trigger { return timerName }
        return serviceName
    }

    /// How the trigger reads in listings.
    public var when: String {
        switch trigger {
        case .calendar(let calendar): calendar
        case .mount(_, let mountPoint): "when " + PathBytes.display(mountPoint) + " is mounted"
        }
    }

    public var service: String {
        var lines = [Self.header + name, "[Unit]", "Description=micsync: " + Self.escapedValue(summary + ", " + when)]
        if case .mount(let unit, _) = trigger {
            // Started by the mount (WantedBy below), and only while it stays mounted.
            lines += ["Requires=" + unit, "After=" + unit]
        }
        lines += ["", "[Service]", "Type=oneshot"]
        lines += ([(Schedule.nameVariable, name)] + environment).map { "Environment=" + SystemdQuote.word($0.0 + "=" + $0.1, expandsVariables: false) }
        lines += ["ExecStart=" + command.map { SystemdQuote.word($0) }.joined(separator: " "), "Nice=10", "IOSchedulingClass=idle"]
        if case .mount(let unit, _) = trigger {
            lines += ["", "[Install]", "WantedBy=" + unit]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// nil for a drive: the mount starts the service itself.
    public var timer: String? {
        guard case .calendar(let calendar) = trigger else { return nil }
        return [Self.header + name, "[Unit]", "Description=micsync: " + Self.escapedValue(summary + ", " + calendar), "",
                "[Timer]", "OnCalendar=" + calendar, "Persistent=true", "Unit=" + serviceName, "",
                "[Install]", "WantedBy=timers.target"].joined(separator: "\n") + "\n"
    }

    /// A value systemd takes to the end of its line: `%` specifiers and line breaks made harmless.
    static func escapedValue(_ text: String) -> String {
        PathBytes.display(text).replacingOccurrences(of: "%", with: "%%")
    }

    /// `micsync-<action>-<config>[-<names>][-mount]`: lower-case letters, digits and `-`.
    public static func name(action: Action, config: String, names: [String], onMount: Bool) -> String {
        var parts = [action.rawValue, slug(config)]
        if !names.isEmpty { parts.append(slug(names.joined(separator: "-"))) }
        if onMount { parts.append("mount") }
        return prefix + parts.filter { !$0.isEmpty }.joined(separator: "-")
    }

    static func slug(_ text: String) -> String {
        var out = ""
        for scalar in PathBytes.display(text).lowercased().unicodeScalars {
            let keep = (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9")
            if keep { out.unicodeScalars.append(scalar) } else if !out.isEmpty && !out.hasSuffix("-") { out += "-" }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(40))
    }

    /// What `--schedules` shows of a service written by `service`: its description and command line.
    public static func described(service text: String) -> (description: String, command: String)? {
        var description: String?
        var command: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Description=micsync: ") { description = String(line.dropFirst("Description=micsync: ".count)) }
            if line.hasPrefix("ExecStart=") { command = String(line.dropFirst("ExecStart=".count)) }
        }
        guard let description, let command else { return nil }
        // The command as systemd passes it on: specifiers and variables written doubled.
        return (description.replacingOccurrences(of: "%%", with: "%"),
                command.replacingOccurrences(of: "%%", with: "%").replacingOccurrences(of: "$$", with: "$"))
    }
}

/// The names shared by the units and the runs they start.
public enum Schedule {
    /// Set by a scheduled run's service: its name, recorded in the history.
    public static let nameVariable = "MICSYNC_SCHEDULE"
}

/// Quoting for systemd unit files (systemd.syntax, "Quoting"; systemd.service, "Command
/// lines"): a word with anything but plain characters is put in double quotes with `\`, `"`
/// and non-printable bytes escaped (`\xNN`); `%` is doubled (a specifier) and `$` too (a
/// variable), so that every argument reaches micsync byte for byte.
public enum SystemdQuote {
    /// `expandsVariables`: the line expands `$NAME` (ExecStart=, not Environment=).
    public static func word(_ argument: String, expandsVariables: Bool = true) -> String {
        let bytes = PathBytes.bytes(argument)
        let plain = !bytes.isEmpty && bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || "-_./=:,+@".utf8.contains(byte)
        }
        if plain { return argument }
        // Text that is valid UTF-8 keeps its characters; other bytes above 0x7F are escaped.
        let valid = String(validating: bytes, as: UTF8.self) != nil
        var out = "\""
        var pending: [UInt8] = []
        for byte in bytes {
            let escaped: String?
            switch byte {
            case UInt8(ascii: "\\"): escaped = "\\\\"
            case UInt8(ascii: "\""): escaped = "\\\""
            case UInt8(ascii: "%"): escaped = "%%"
            case UInt8(ascii: "$") where expandsVariables: escaped = "$$"
            case _ where byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !valid): escaped = "\\x" + hex(byte)
            default: escaped = nil
            }
            if let escaped {
                out += String(decoding: pending, as: UTF8.self) + escaped
                pending = []
            } else {
                pending.append(byte)
            }
        }
        return out + String(decoding: pending, as: UTF8.self) + "\""
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
