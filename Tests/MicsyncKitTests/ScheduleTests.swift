import Foundation
import Testing
@testable import MicsyncKit

/// Units in memory, for the scheduler's logic.
final class MemoryUnitFolder: UnitFolder, @unchecked Sendable {
    let path = "/home/user/.config/systemd/user"
    var files: [String: String] = [:]
    var links: [String: Set<String>] = [:]

    func names() -> [String] { (Array(files.keys) + links.keys.map { $0 }).sorted() }
    func read(_ name: String) -> String? { files[name] }
    func create(_ name: String, text: String) throws(FileError) {
        if files[name] != nil { throw FileError(path: name, reason: "File exists") }
        files[name] = text
    }
    func remove(_ name: String) throws(FileError) {
        files[name] = nil
        for key in links.keys { links[key]?.remove(name) }
    }
    func wanting(_ name: String) -> [String] { links.filter { $0.value.contains(name) }.map(\.key).sorted() }
}

/// Answers systemd programs from a script: for each program name, a status and output lines.
final class SystemdRunner: ProcessRunner, @unchecked Sendable {
    var answers: [String: (Int32, [String])]
    private(set) var runs: [[String]] = []
    init(_ answers: [String: (Int32, [String])]) { self.answers = answers }
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        runs.append(arguments)
        let key = arguments.prefix(2).joined(separator: " ")
        let (status, lines) = answers[key] ?? answers[arguments[0]] ?? (0, [])
        lines.forEach(onLine)
        return ProcessResult(status: status, errorOutput: status == 0 ? "" : "Failed to parse calendar specification")
    }
}

@Suite("Schedules")
struct ScheduleTests {
    let mountTable = """
        22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
        98 22 8:17 / /media/ann/USB\\0401 rw,nosuid,nodev shared:50 - exfat /dev/sdb1 rw
        99 22 8:33 / /media/ann/USB rw shared:51 - ext4 /dev/sdc1 rw
        """

    func fileSystem() -> FakeFileSystem {
        var files = FakeFileSystem(["/home/ann/docs": .directory, "/home/ann/docs/report": .directory,
                                    "/media/ann/USB 1/docs": .directory, "/mnt/nas/docs": .directory])
        files.home = "/home/ann"
        files.cwd = "/home/ann"
        files.addFile("/proc/self/mountinfo", mountTable)
        return files
    }

    let configuration = Configuration(file: "/home/ann/.micsync.json", configs: [
        Config(name: "My Docs", work: [Location(role: .work, path: "/home/ann/docs")],
               backup: [Location(role: .backup, path: "/media/ann/USB 1/docs"), Location(role: .backup, path: "/mnt/nas/docs")]),
    ])

    func scheduler(_ runner: SystemdRunner, _ units: MemoryUnitFolder, _ console: RecordingConsole) -> Scheduler {
        Scheduler(fileSystem: fileSystem(), runner: runner, console: console, units: units,
                  environment: ["XDG_STATE_HOME": "/home/ann/state"], executable: "/usr/local/bin/micsync")
    }

    @Test func namesAreMicsyncSlugs() {
        #expect(ScheduleUnits.name(action: .backup, config: "My Docs", names: [], onMount: false) == "micsync-backup-my-docs")
        #expect(ScheduleUnits.name(action: .work, config: "Fotos 2024!", names: ["a b", "c"], onMount: true) == "micsync-work-fotos-2024-a-b-c-mount")
        #expect(ScheduleUnits.name(action: .backup, config: "Ünïcode", names: [], onMount: false) == "micsync-backup-n-code")
    }

    @Test func systemdQuotingKeepsEveryByte() {
        #expect(SystemdQuote.word("/home/ann/docs") == "/home/ann/docs")
        #expect(SystemdQuote.word("a b") == "\"a b\"")
        #expect(SystemdQuote.word("10%") == "\"10%%\"")
        #expect(SystemdQuote.word("$HOME \"x\" \\") == "\"$$HOME \\\"x\\\" \\\\\"")
        #expect(SystemdQuote.word("A=$x", expandsVariables: false) == "\"A=$x\"")
        #expect(SystemdQuote.word("line\nbreak") == "\"line\\x0abreak\"")
        #expect(SystemdQuote.word("café") == "\"café\"")
        #expect(SystemdQuote.word(PathBytes.string([0x61, 0xFF])) == "\"a\\xff\"")
        #expect(SystemdQuote.word("") == "\"\"")
    }

    @Test func mountPointsComeFromTheMountTableWithItsEscapes() {
        let entries = MountTable.parse(mountTable)
        #expect(MountTable.entry(holding: "/media/ann/USB 1/docs", in: entries)?.mountPoint == "/media/ann/USB 1")
        #expect(MountTable.entry(holding: "/media/ann/USB/x", in: entries)?.mountPoint == "/media/ann/USB")
        #expect(MountTable.entry(holding: "/home/ann", in: entries)?.mountPoint == "/")
    }

    @Test func aCalendarScheduleIsAOneshotServiceAndAPersistentTimer() throws {
        let runner = SystemdRunner(["systemctl --user": (1, [])])
        let units = MemoryUnitFolder()
        let console = RecordingConsole()
        var request = Request(action: .backup, paths: ["docs"])
        request.options.overwriteWithoutAsking = true
        request.options.maxDelete = .percent(20)
        try scheduler(runner, units, console).schedule(request, when: "Mon..Fri 18:00", configuration: configuration)
        #expect(runner.runs.first == ["systemd-analyze", "calendar", "Mon..Fri 18:00"], "checked first")
        let service = try #require(units.files["micsync-backup-my-docs.service"])
        #expect(service.contains("\nType=oneshot\n"))
        #expect(service.contains("\nExecStart=/usr/local/bin/micsync --unattended --config /home/ann/.micsync.json --config-name \"My Docs\" --backup -m --max-delete \"20%%\" -- /home/ann/docs\n"), "\(service)")
        #expect(service.contains("\nEnvironment=MICSYNC_SCHEDULE=micsync-backup-my-docs\n"))
        #expect(service.contains("\nEnvironment=XDG_STATE_HOME=/home/ann/state\n"))
        #expect(!service.contains("[Install]"), "the timer starts it")
        let timer = try #require(units.files["micsync-backup-my-docs.timer"])
        #expect(timer.contains("\nOnCalendar=Mon..Fri 18:00\nPersistent=true\n"))
        #expect(timer.contains("\nWantedBy=timers.target\n"))
        // No user manager: nothing enabled, the commands printed.
        #expect(runner.runs.contains(["systemctl", "--user", "show-environment"]))
        #expect(!runner.runs.contains { $0.contains("enable") })
        #expect(console.output.contains("    systemctl --user daemon-reload\n    systemctl --user enable --now micsync-backup-my-docs.timer\n"), "\(console.output)")
    }

    @Test func withAUserManagerTheTimerIsEnabledAndStarted() throws {
        let runner = SystemdRunner([:])
        let units = MemoryUnitFolder()
        try scheduler(runner, units, RecordingConsole()).schedule(Request(action: .backup, paths: ["/home/ann/docs/report"]), when: "daily", configuration: configuration)
        #expect(units.files["micsync-backup-my-docs-report.timer"] != nil)
        #expect(runner.runs.suffix(2) == [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", "micsync-backup-my-docs-report.timer"]])
    }

    @Test func aCalendarSystemdRefusesWritesNothing() {
        let runner = SystemdRunner(["systemd-analyze calendar": (1, [])])
        let units = MemoryUnitFolder()
        #expect(throws: UsageError.self) {
            try scheduler(runner, units, RecordingConsole()).schedule(Request(action: .backup, paths: ["docs"]), when: "someday", configuration: configuration)
        }
        #expect(units.files.isEmpty)
        #expect(runner.runs == [["systemd-analyze", "calendar", "someday"]])
    }

    @Test func aPlugInScheduleIsWantedByTheDrivesMountUnit() throws {
        let runner = SystemdRunner(["systemd-escape": (0, ["media-ann-USB\\x201.mount"]), "systemctl --user": (1, [])])
        let units = MemoryUnitFolder()
        var request = Request(action: .backup, paths: ["docs"], to: ["/media/ann/USB 1/docs"])
        request.options.overwriteWithoutAsking = true
        try scheduler(runner, units, RecordingConsole()).schedule(request, when: "mount", configuration: configuration)
        #expect(runner.runs.contains(["systemd-escape", "--path", "--suffix=mount", "--", "/media/ann/USB 1"]))
        let service = try #require(units.files["micsync-backup-my-docs-mount.service"])
        #expect(service.contains("\nRequires=media-ann-USB\\x201.mount\nAfter=media-ann-USB\\x201.mount\n"))
        #expect(service.contains("\n[Install]\nWantedBy=media-ann-USB\\x201.mount\n"))
        #expect(service.contains(" --to \"/media/ann/USB 1/docs\" -- /home/ann/docs\n"), "\(service)")
        #expect(units.files.count == 1, "no timer")
    }

    @Test func aPlugInScheduleNeedsOneBackupOnADriveThatIsMounted() {
        let units = MemoryUnitFolder()
        let runner = SystemdRunner([:])
        #expect(throws: UsageError.self, "two BACKUPs and no --to") {
            try scheduler(runner, units, RecordingConsole()).schedule(Request(action: .backup, paths: ["docs"]), when: "mount", configuration: configuration)
        }
        #expect(throws: UsageError.self, "/mnt/nas is on the root file system") {
            try scheduler(runner, units, RecordingConsole()).schedule(Request(action: .backup, paths: ["docs"], to: ["/mnt/nas/docs"]), when: "mount", configuration: configuration)
        }
        #expect(units.files.isEmpty)
    }

    @Test func anExistingScheduleIsNotReplaced() throws {
        let units = MemoryUnitFolder()
        units.files["micsync-backup-my-docs.timer"] = "mine"
        #expect(throws: UsageError.self) {
            try scheduler(SystemdRunner([:]), units, RecordingConsole()).schedule(Request(action: .backup, paths: ["docs"]), when: "daily", configuration: configuration)
        }
        #expect(units.files == ["micsync-backup-my-docs.timer": "mine"])
    }

    @Test func unscheduleDisablesWhereAManagerRunsAndRemovesUnitsAndLinks() throws {
        let units = MemoryUnitFolder()
        units.files = ["micsync-backup-x.service": "s", "micsync-backup-x.timer": "t", "other.service": "o"]
        units.links = ["timers.target.wants": ["micsync-backup-x.timer"]]
        let runner = SystemdRunner([:])
        try scheduler(runner, units, RecordingConsole()).unschedule("micsync-backup-x.timer")
        #expect(units.files == ["other.service": "o"])
        #expect(units.wanting("micsync-backup-x.timer").isEmpty)
        #expect(runner.runs.contains(["systemctl", "--user", "disable", "--now", "micsync-backup-x.timer", "micsync-backup-x.service"]))
        #expect(throws: UsageError.self) { try scheduler(runner, units, RecordingConsole()).unschedule("other") }
        #expect(throws: UsageError.self) { try scheduler(runner, units, RecordingConsole()).unschedule("micsync-none") }
    }

    /// The generated units as systemd itself reads them (`systemd-analyze verify`, which works
    /// without a running systemd), the drive's mount unit standing in beside them.
    @Test func systemdVerifiesThePlugInUnits() throws {
        let runner = SystemdRunner(["systemd-escape": (0, ["media-ann-USB\\x201.mount"]), "systemctl --user": (1, [])])
        let units = MemoryUnitFolder()
        var request = Request(action: .backup, paths: ["docs"], to: ["/media/ann/USB 1/docs"])
        request.options.deletion = .never
        let scheduler = Scheduler(fileSystem: fileSystem(), runner: runner, console: RecordingConsole(), units: units,
                                  environment: [:], executable: "/bin/true")
        try scheduler.schedule(request, when: "mount", configuration: configuration)
        try withTemporaryFolder { folder in
            for (name, text) in units.files { try folder.file(name, text) }
            try folder.file("media-ann-USB\\x201.mount", "[Mount]\nWhat=/dev/sdb1\nWhere=/media/ann/USB 1\n")
            let result = try SpawningProcessRunner().run(["systemd-analyze", "verify", folder.at("micsync-backup-my-docs-mount.service")],
                                                         environment: ProcessInfo.processInfo.environment) { _ in }
            #expect(result.status == 0, "\(result.errorOutput)")
        }
    }

    @Test func schedulesListsEachWithItsLastRun() throws {
        let units = MemoryUnitFolder()
        let runner = SystemdRunner(["systemctl --user": (1, [])])
        try scheduler(runner, units, RecordingConsole()).schedule(Request(action: .backup, paths: ["docs"]), when: "daily", configuration: configuration)
        units.links = ["timers.target.wants": ["micsync-backup-my-docs.timer"]]
        var record = JournalRecord(time: 1_000_000, action: "backup", config: "My Docs", source: "/home/ann/docs", destination: "/mnt/nas/docs",
                                   copied: 1, overwritten: 0, deleted: 0, bytes: 1, status: 1)
        record.schedule = "micsync-backup-my-docs"
        let console = RecordingConsole()
        scheduler(runner, units, console).list(records: [record], now: 1_000_000 + 7_200)
        #expect(console.output.contains("micsync-backup-my-docs  enabled\n  backup of My Docs, daily\n"), "\(console.output)")
        #expect(console.output.contains("(2 hours ago): incomplete"), "\(console.output)")
    }
}
