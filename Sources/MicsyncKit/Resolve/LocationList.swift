/// `micsync --list`: every config of the configuration file and its locations, each marked
/// accessible or not, with the reason when not. Reads only; changes nothing.
public struct LocationList: Sendable {
    let fileSystem: FileSystem
    let console: Console
    /// Names each accessible location's file system and what it cannot keep (nil: not asked).
    public var probe: DriveProbing?

    public init(fileSystem: FileSystem, console: Console) {
        self.fileSystem = fileSystem
        self.console = console
    }

    /// `records`: the history, for when each BACKUP last received a completed copy.
    public func print(_ configuration: Configuration, records: [JournalRecord] = [], now: Int = LastCopy.currentTime()) {
        console.line("Configuration file: " + PathBytes.display(configuration.file))
        for config in configuration.configs {
            var flags: [String] = []
            if config.requireMarker { flags.append("require_marker") }
            if config.keep { flags.append("keep") }
            console.line()
            console.line(console.styled(config.name, .bold) + (flags.isEmpty ? "" : "  (" + flags.joined(separator: ", ") + ")"))
            for location in config.locations {
                let last = location.role == .backup ? LastCopy(of: location, in: config, records: records, now: now)
                    .text(console: console, now: now, staleAfterDays: config.staleAfterDays) : ""
                console.line("  \(location.role.rawValue.padding(6)) \(location.displayName)  " + state(of: location, in: config) + last)
                if let probe, fileSystem.isAccessible(location, in: config) {
                    console.line("         " + probe.capabilities(of: location).summary)
                }
            }
        }
    }

    func state(of location: Location, in config: Config) -> String {
        if let reason = fileSystem.unreachableReason(location) { return console.styled("unreachable", .yellow) + " (" + reason + ")" }
        let files = fileSystem.on(location)
        guard files.isDirectory(location.path) else { return console.styled("missing", .yellow) }
        if config.requireMarker && files.kind(of: Paths.join(location.path, ReservedName.marker)) == .missing {
            return console.styled("no \(ReservedName.marker) marker", .yellow)
        }
        return console.styled("accessible", .green)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
