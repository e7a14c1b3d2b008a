import ArgumentParser
import MicsyncKit

public let micsyncVersion = "0.1.0"

/// The four actions as one exclusive flag: `--backup`, `--work`, `--transfer`, `--tree`.
enum ActionFlag: String, EnumerableFlag {
    case backup, work, transfer, tree

    var action: Action { Action(rawValue: rawValue)! }

    static func help(for value: ActionFlag) -> ArgumentHelp? {
        switch value {
        case .backup: "Copy from a WORK location to every accessible BACKUP."
        case .work: "Copy from a BACKUP location into a WORK location."
        case .transfer: "Copy from one BACKUP location to other BACKUPs."
        case .tree: "Copy only the folder structure (no files) from a BACKUP into a WORK location."
        }
    }
}

/// When to colour the output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// `auto`: only on a terminal, and never when NO_COLOR is set (https://no-color.org);
    /// an explicit `always` wins over NO_COLOR, as the convention allows.
    func usesColor(isTerminal: Bool, noColor: String?) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: isTerminal && (noColor ?? "").isEmpty
        }
    }
}

/// Flags → a `Request`; nothing else decides anything here.
public struct MicsyncCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "micsync",
        abstract: "Keep WORKING folders and their BACKUP copies in step, with rsync.",
        usage: Syntax.all,
        discussion: """
            Locations are configured in ~/.micsync.json (or --config FILE, or $MICSYNC_CONFIG). \
            Before anything existing is overwritten or deleted, micsync lists it and asks; \
            answers are read from standard input, so they can be piped.

            Exit status: 0 done or nothing to do; 1 a copy failed or was incomplete; \
            2 usage or configuration error (nothing changed); 3 cancelled (answer q, or no \
            answer possible); 130 interrupted. --status: 0 every BACKUP in step; 1 some differ; \
            4 in step where compared, a location missing or unreachable.
            """,
        version: "micsync \(micsyncVersion)"
    )

    @Flag(exclusivity: .exclusive, help: "The action (exactly one).")
    var action: ActionFlag?

    @Flag(name: .customShort("m"), help: "Overwrite modified files without asking.")
    var overwriteWithoutAsking = false

    @Flag(name: .customShort("d"), help: "Delete items in the destination that the source lacks; list them and ask first.")
    var delete = false

    @Flag(name: .customShort("D"), help: "Like -d, without asking (wins over -d).")
    var deleteWithoutAsking = false

    @Flag(name: .customShort("s"), help: "Leave folders out of the listings (only files are listed).")
    var filesOnly = false

    @Flag(name: .customShort("v"), help: "Show every rsync command before it runs, and ask before each that changes files.")
    var verbose = false

    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Show what would be copied, overwritten and deleted; change nothing.")
    var dryRun = false

    @Flag(name: [.customShort("k"), .customLong("keep")], help: "Move files that are overwritten or deleted into .micsync-trash/<time>/ in the destination.")
    var keep = false

    @Flag(name: .customLong("mark"), help: "Create the marker file .micsync-location in the location that holds PATH (for \"require_marker\": true).")
    var mark = false

    @Option(name: .customLong("color"), help: ArgumentHelp("Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .customLong("history"), help: "Show the latest runs, newest first (those of the config holding PATH, when given).")
    var history = false

    @Flag(name: .customLong("status"), help: "Show each location (accessible, free space, last completed copy) and how each BACKUP differs from WORK; changes nothing.")
    var status = false

    @Flag(name: [.customShort("c"), .customLong("checksum")], help: "Compare file contents, not only size and time: --status finds silent corruption, and --backup, --work and --transfer list and replace a file whose contents differ.")
    var checksum = false

    @Flag(name: .customLong("list"), help: "List the configs and their locations, accessible or not; changes nothing.")
    var list = false

    @Flag(name: .customLong("init"), help: "Create or extend the configuration file: asks for a config's name, its WORK folders and its BACKUP folders.")
    var initialize = false

    @Flag(name: .customLong("wait"), help: "Wait for another micsync run that is writing to a destination, instead of stopping.")
    var waitForLock = false

    @Flag(name: .customLong("allow-empty-source"), help: "Let -d/-D delete everything in a destination when the source location is empty.")
    var allowEmptySource = false

    @Flag(name: .customLong("no-progress"), help: "No live progress line while copying (it is shown only on a terminal).")
    var noProgress = false

    @Option(name: .customLong("parallel"), help: ArgumentHelp("At most N destinations previewed or copied at once (1: one after another; default: the config's \"parallel\", else all, one copy per drive).", valueName: "n"))
    var parallel: Int?

    @Flag(name: .customLong("unattended"), help: "Nobody is there to answer: new items are copied; modified items and deletions only with -m, -D or the config's keys, else left alone and listed (exit status 1).")
    var unattended = false

    @Option(name: .customLong("max-delete"), help: ArgumentHelp("Delete nothing in a destination when more than N items (or N% of the items there) would go.", valueName: "n"))
    var maxDelete: String?

    @Option(name: .customLong("max-overwrite"), help: ArgumentHelp("Overwrite nothing in a destination when more than N items (or N% of the items there) would be overwritten.", valueName: "n"))
    var maxOverwrite: String?

    @Option(name: .customLong("schedule"), help: ArgumentHelp("Run the action given with it by itself: on a systemd calendar (daily, \"Mon..Fri 18:00\", …) or, with mount, whenever the BACKUP's drive is mounted. Writes systemd user units.", valueName: "calendar"))
    var schedule: String?

    @Flag(name: .customLong("schedules"), help: "List the scheduled runs and when each last ran.")
    var schedules = false

    @Option(name: .customLong("unschedule"), help: ArgumentHelp("Remove a scheduled run (its name as --schedules shows it).", valueName: "name"))
    var unschedule: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (default: $MICSYNC_CONFIG, else ~/.micsync.json).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("config-name"), help: ArgumentHelp("The config to use when several hold the PATHs.", valueName: "name"))
    var configName: String?

    @Option(name: .customLong("from"), help: ArgumentHelp("The source location.", valueName: "location"))
    var from: String?

    @Option(name: .customLong("to"), help: ArgumentHelp("A destination location (repeatable with --backup and --transfer).", valueName: "location"))
    var to: [String] = []

    @Argument(help: ArgumentHelp("Files or folders inside a configured location, all in one folder.", valueName: "path"))
    var paths: [String] = []

    public init() {}

    public func validate() throws {
        if checksum && !status && !(action?.action.copiesFiles ?? false) {
            throw ValidationError("-c (--checksum) goes with --status, --backup, --work and --transfer")
        }
        if schedules || unschedule != nil {
            let flag = schedules ? "--schedules" : "--unschedule"
            if action != nil || mark || list || history || initialize || status || schedule != nil || (schedules && unschedule != nil) {
                throw ValidationError("\(flag) is an action of its own")
            }
            if !paths.isEmpty { throw ValidationError("\(flag) takes no PATH") }
            return
        }
        if unattended || maxDelete != nil || maxOverwrite != nil || schedule != nil {
            try validateUnattended()
        }
        try validateOptionsOfTheOtherActions()
        if status {
            if action != nil || mark || list || history || initialize { throw ValidationError("--status is an action of its own") }
            return
        }
        if initialize {
            if action != nil || mark || list || history { throw ValidationError("--init is an action of its own") }
            if !paths.isEmpty { throw ValidationError("--init takes no PATH") }
            return
        }
        if history {
            if action != nil || mark || list { throw ValidationError("--history is an action of its own") }
            if paths.count > 1 { throw ValidationError("--history takes at most one PATH") }
            return
        }
        if list {
            if action != nil || mark { throw ValidationError("--list is an action of its own") }
            if !paths.isEmpty { throw ValidationError("--list takes no PATH") }
            return
        }
        if mark {
            if action != nil { throw ValidationError("--mark is an action of its own: give it without \(action!.action.flagName)") }
            if paths.count != 1 { throw ValidationError("--mark takes one PATH") }
            return
        }
        guard let action else {
            throw ValidationError("choose one action: --backup, --work, --transfer or --tree")
        }
        if let parallel, !(1...ConfigurationLoader.parallelLimit).contains(parallel) {
            throw ValidationError("--parallel takes a number from 1 to \(ConfigurationLoader.parallelLimit)")
        }
        let given: [(Bool, String)] = [(overwriteWithoutAsking, "-m"), (delete, "-d"), (deleteWithoutAsking, "-D"), (keep, "-k")]
        for (isSet, flag) in given where isSet {
            let allowed = flag == "-m" || flag == "-k" ? action.action.copiesFiles : action.action.mayDelete
            if !allowed { throw ValidationError("--\(action.rawValue) does not take \(flag)") }
        }
        if paths.isEmpty { throw ValidationError("--\(action.rawValue) needs at least one PATH") }
    }

    /// The options of the copying actions mean nothing to the actions that copy nothing: given
    /// with one of those, they are a usage error rather than silently ignored.
    func validateOptionsOfTheOtherActions() throws {
        guard action == nil, let own = status ? "--status" : history ? "--history" : list ? "--list" : initialize ? "--init" : mark ? "--mark" : nil else { return }
        let copyingOnly: [(Bool, String)] = [(overwriteWithoutAsking, "-m"), (delete, "-d"), (deleteWithoutAsking, "-D"), (keep, "-k"),
                                            (filesOnly, "-s"), (dryRun, "-n"), (waitForLock, "--wait"), (allowEmptySource, "--allow-empty-source"),
                                            (parallel != nil, "--parallel"), (from != nil, "--from"), (!to.isEmpty, "--to")]
        if let flag = copyingOnly.first(where: \.0)?.1 {
            throw ValidationError("\(own) does not take \(flag)" + (own == "--status" ? " (it changes nothing)" : ""))
        }
    }

    /// --unattended, the limits and --schedule go with a sync action only.
    func validateUnattended() throws {
        let given = schedule != nil ? "--schedule" : unattended ? "--unattended" : maxDelete != nil ? "--max-delete" : "--max-overwrite"
        guard let action, !(mark || list || history || initialize || status) else {
            throw ValidationError("\(given) goes with --backup, --work, --transfer or --tree")
        }
        if (unattended || schedule != nil) && verbose { throw ValidationError("-v asks before each command, so it does not go with \(given)") }
        if schedule != nil && dryRun { throw ValidationError("a scheduled run changes files: -n does not go with --schedule") }
        for (value, flag) in [(maxDelete, "--max-delete"), (maxOverwrite, "--max-overwrite")] {
            guard let value else { continue }
            guard ChangeLimit(parsing: value) != nil else {
                throw ValidationError("\(flag) takes a number of items (such as 100) or a percentage (such as 10%), not \(value)")
            }
            let allowed = flag == "--max-delete" ? action.action.mayDelete : action.action.copiesFiles
            if !allowed { throw ValidationError("--\(action.rawValue) does not take \(flag)") }
        }
    }

    /// The parsed command line as a value for the library.
    public func request() -> Request {
        var options = SyncOptions()
        options.overwriteWithoutAsking = overwriteWithoutAsking
        options.deletion = deleteWithoutAsking ? .withoutAsking : (delete ? .ask : .never)
        options.filesOnly = filesOnly
        options.verbose = verbose
        options.dryRun = dryRun
        options.waitForLock = waitForLock
        options.allowEmptySource = allowEmptySource
        options.keep = keep
        options.checksum = checksum
        options.parallel = parallel
        options.unattended = unattended || schedule != nil
        options.maxDelete = maxDelete.flatMap(ChangeLimit.init(parsing:))
        options.maxOverwrite = maxOverwrite.flatMap(ChangeLimit.init(parsing:))
        return Request(action: action!.action, options: options, paths: paths, configFile: configFile,
                       configName: configName, from: from, to: to)
    }

    public func run() throws {
        // `main` below drives the run so that it decides the exit status.
    }
}

/// The valid syntax of each action, printed with usage errors.
enum Syntax {
    static let lines: [Action: String] = [
        .backup: "micsync --backup   [-m] [-c] [-k] [-s] [-v] [-n] [selection] PATH...",
        .work: "micsync --work     [-m] [-d | -D] [-c] [-k] [-s] [-v] [-n] [selection] PATH...",
        .transfer: "micsync --transfer [-m] [-d | -D] [-c] [-k] [-s] [-v] [-n] [selection] PATH...",
        .tree: "micsync --tree     [-s] [-v] [-n] [selection] PATH...",
    ]
    static let selection = "selection: [--config FILE] [--config-name NAME] [--from LOCATION] [--to LOCATION]... [--wait] [--allow-empty-source] [--no-progress] [--parallel N]"
    static let unattended = "unattended: [--unattended] [--max-delete N[%]] [--max-overwrite N[%]]"

    static let history = "micsync --history [PATH]"
    static let status = "micsync --status [-c] [PATH...]"

    static var all: String {
        (Action.allCases.map { lines[$0]! } + ["micsync --mark PATH", "micsync --list", "micsync --init", history, status,
                                               "micsync --schedule CALENDAR|mount ACTION [options] PATH...", "micsync --schedules", "micsync --unschedule NAME",
                                               "micsync --version", "micsync --help", selection, unattended]).joined(separator: "\n")
    }

    /// The usage of the one action of a command line: its own line for --status or --history
    /// (given without any other action), else that of `of(_:)`.
    static func of(arguments: [String]) -> String {
        let actions = MicsyncCommand.actionsNamed(in: arguments)
        let given = arguments.prefix { $0 != "--" }
        if actions.isEmpty {
            // One action of its own given: its line alone.
            let own = [("--status", status), ("--history", history), ("--list", "micsync --list"), ("--init", "micsync --init"),
                       ("--mark", "micsync --mark PATH")].filter { given.contains($0.0) }
            if own.count == 1 { return "usage: " + own[0].1 }
        }
        return of(actions.first)
    }

    static func of(_ action: Action?) -> String {
        guard let action else { return "usage:\n" + all.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") }
        return "usage: " + lines[action]! + "\n       " + selection
    }
}
