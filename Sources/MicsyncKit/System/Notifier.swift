#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells the user that an unattended run failed or left something: a desktop notification
/// (`notify-send`, where it exists) and a line in the system journal (`logger`, else
/// `systemd-cat`). Nobody watches the terminal of a timer, so neither may be skipped silently;
/// neither can change the run's outcome.
public struct Notifier: Sendable {
    let runner: ProcessRunner
    let environment: [String: String]
    /// Whether a program of that name is an executable in one of PATH's folders.
    let findsProgram: @Sendable (String) -> String?

    public init(runner: ProcessRunner, environment: [String: String], findsProgram: (@Sendable (String) -> String?)? = nil) {
        self.runner = runner
        self.environment = environment
        self.findsProgram = findsProgram ?? { Notifier.search($0, path: environment["PATH"]) }
    }

    /// The commands that would tell of `summary` (title and text), in the order they are run.
    public func commands(title: String, text: String) -> [[String]] {
        var commands: [[String]] = []
        if let notify = findsProgram("notify-send") {
            commands.append([notify, "--app-name=micsync", "--urgency=critical", "--icon=dialog-warning", "--", title, text])
        }
        if let logger = findsProgram("logger") {
            commands.append([logger, "--tag", "micsync", "--priority", "user.warning", "--", title + ": " + text])
        } else if let cat = findsProgram("systemd-cat") {
            commands.append([cat, "--identifier=micsync", "--priority=warning", "printf", "%s\\n", title + ": " + text])
        }
        return commands
    }

    /// Runs them; what could not be told, for a warning.
    public func notify(title: String, text: String) -> [String] {
        var problems: [String] = []
        let commands = commands(title: title, text: text)
        if commands.isEmpty { problems.append("neither notify-send nor logger nor systemd-cat was found in PATH") }
        for command in commands {
            do {
                let result = try runner.run(command, environment: environment, timeLimit: 10) { _ in }
                if result.status != 0 { problems.append("\(Paths.lastComponent(command[0])) ended with status \(result.status)") }
            } catch {
                problems.append("cannot run \(command[0])")
            }
        }
        return problems
    }

    /// The first executable `name` in the folders of `path` (colon-separated).
    public static func search(_ name: String, path: String?) -> String? {
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where folder.hasPrefix("/") {
            let candidate = Paths.join(String(folder), name)
            if PathBytes.bytes(candidate).withCString({ access($0, X_OK) }) == 0 { return candidate }
        }
        return nil
    }
}
