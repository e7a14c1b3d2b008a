import Foundation
import Testing
@testable import MicsyncKit

#if canImport(Glibc)
import Glibc
#endif

/// The capability probe on real file systems, each made, mounted and removed by the test
/// (`MountedDrive`; needs root and `make drive-tools`, which `make test` runs: nothing is
/// skipped). One drive at a time, so that a slow machine is not asked for several at once.
@Suite(.serialized) struct MountedDriveProbeTests {
    /// What each kind keeps, found by trying it here (exfat-fuse and ntfs-3g with their defaults).
    static func expected(_ kind: MountedDrive.Kind) -> FileSystemCapabilities {
        var capabilities = FileSystemCapabilities(type: kind.rawValue, learnedBy: .trying)
        switch kind {
        case .ext4, .btrfs, .tmpfs:
            break
        case .xfs:
            capabilities.aclsAsExtendedAttributes = true
        case .exfat:
            capabilities.permissions = false
            capabilities.ownership = false
            capabilities.symbolicLinks = false
            capabilities.hardLinks = false
            capabilities.specialFiles = false
            capabilities.sparseFiles = false
            capabilities.caseSensitive = false
            capabilities.refusedBytes = FileSystemCapabilities.windowsRefusedBytes
            capabilities.requiresUTF8Names = true
            capabilities.timeResolution = 1
            capabilities.extendedAttributes = false
            capabilities.acls = false
        case .ntfs:
            // ntfs-3g accepts chmod, chown and ACLs and keeps none of them; it keeps links,
            // pipes, holes and extended attributes, and times to 100 ns.
            capabilities.permissions = false
            capabilities.ownership = false
            capabilities.acls = false
            capabilities.requiresUTF8Names = true
            capabilities.timeResolution = 1e-7
        }
        return capabilities
    }

    @Test(arguments: MountedDrive.Kind.allCases)
    func eachKindIsFoundToKeepWhatItKeepsAndTheProbeLeavesNoTrace(kind: MountedDrive.Kind) throws {
        try MountedDrive.with(kind) { drive in
            let location = drive.path("backup")
            try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: false)
            try Data("kept".utf8).write(to: URL(fileURLWithPath: location + "/file"))
            var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, location, &times, 0) == 0)
            let before = try status(location)
            let start = now()
            let found = LocalDriveTrial.capabilities(at: location)
            let cost = now() - start
            print("probe of \(kind): \(String(format: "%.2f", cost * 1000)) ms")
            #expect(found == Self.expected(kind), "\(found)")
            let after = try status(location)
            let left = try FileManager.default.contentsOfDirectory(atPath: location)
            #expect(left == ["file"])
            #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
            #expect(after.st_atim.tv_sec == before.st_atim.tv_sec && after.st_atim.tv_nsec == before.st_atim.tv_nsec)
        }
    }

    /// The remote trial is the same script run over SSH; here sh runs the host probe as the
    /// login shell would, and the probe reads its one answer.
    @Test(arguments: MountedDrive.Kind.allCases)
    func theRemoteTrialInTheHostProbeFindsWhatTheLocalOneFinds(kind: MountedDrive.Kind) throws {
        try MountedDrive.with(kind) { drive in
            let runner = LocalShellRunner()
            let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
            let host = RemoteHost(host: "drive")
            let location = drive.path("backup")
            try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: false)
            let remote = Location(role: .backup, path: location, host: host)
            sessions.expect([remote])
            let probe = CapabilityProbe(runner: runner, environment: [:], sessions: sessions)
            let found = probe.capabilities(of: remote)
            #expect(found == LocalDriveTrial.capabilities(at: location), "\(found)")
            #expect(found == Self.expected(kind))
            let version = try rsyncVersionText()
            #expect(probe.rsync(for: remote) == RsyncCapabilities.parse(versionOutput: version))
            #expect(probe.capabilities(of: remote) == found)
            #expect(runner.commands.count == 1, "one round trip: \(runner.commands.count)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: location).isEmpty)
            sessions.close()
        }
    }

    /// Through a real SSH connection (a throwaway sshd on 127.0.0.1, scripts/loopback-sshd.sh):
    /// the script's names with control bytes and a byte that is not UTF-8 pass the remote login
    /// shell intact, and the answer is the local trial's.
    @Test func overRealSSHTheProbeFindsWhatTheLocalOneFinds() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/loopback-sshd.sh").path
        let server = MountedDrive.temporaryFolder + "/micsync-probe-sshd-" + UUID().uuidString
        defer {
            _ = try? MountedDrive.run(["bash", script, "stop", server])
            try? FileManager.default.removeItem(atPath: server)
        }
        let port = try #require(Int(try MountedDrive.check(["bash", script, "start", server]).trimmingCharacters(in: .whitespacesAndNewlines)))
        let host = RemoteHost(host: "127.0.0.1", port: port, sshOptions: ["-F", server + "/ssh_config"])
        for kind in [MountedDrive.Kind.exfat, .ntfs, .xfs] {
            try MountedDrive.with(kind) { drive in
                let sessions = SSHSessions(runner: SpawningProcessRunner(), environment: ProcessInfo.processInfo.environment, clock: { 0 })
                defer { sessions.close() }
                // A folder on the drive: exFAT's root folder keeps no times (exfat-fuse shows 1970,
                // then the time of the last change, which no utimensat can set back).
                let location = drive.path("backup")
                try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: false)
                let remote = Location(role: .backup, path: location, host: host)
                sessions.expect([remote])
                // Times in the past, which the trial's changes in the folder would replace.
                var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
                #expect(utimensat(AT_FDCWD, location, &times, 0) == 0)
                let before = try status(location)
                let probe = CapabilityProbe(runner: SpawningProcessRunner(), environment: [:], sessions: sessions)
                #expect(probe.capabilities(of: remote) == Self.expected(kind), "\(kind): \(probe.capabilities(of: remote))")
                #expect(probe.rsync(for: remote).isSupported)
                // Its times put back (the facts' listing of the folder may read it, not this).
                let after = try status(location)
                #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec, "\(kind)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: location).isEmpty)
            }
        }
    }

    /// A location on a mount whose table line is longer than a pipe keeps whole in one write (an
    /// overlay of 50 layers, mounted on a folder with a long path): the host probe's answer reads
    /// whole, the line's type among it, with the host's `rsync --version` (asked meanwhile) after it.
    @Test func aMountTableLineLongerThanAPipeWriteReadsWhole() throws {
        let top = MountedDrive.temporaryFolder + "/micsync-overlay-" + UUID().uuidString
        let mountPoint = top + "/" + String(repeating: "long-folder-name/", count: 50) + "mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer {
            _ = try? MountedDrive.run(["umount", mountPoint])
            try? FileManager.default.removeItem(atPath: top)
        }
        for layer in ["upper", "work"] + (1...50).map(String.init) {
            try FileManager.default.createDirectory(atPath: top + "/" + layer, withIntermediateDirectories: false)
        }
        // The kernel takes at most a page of options: the layers' paths are shorter.
        let options = "lowerdir=" + (1...50).map { top + "/" + String($0) }.joined(separator: ":") + ",upperdir=\(top)/upper,workdir=\(top)/work"
        _ = try MountedDrive.check(["mount", "-t", "overlay", "overlay", "-o", options, mountPoint])
        let line = MountedDrive.mountTable().split(separator: "\n").first { $0.contains(" \(mountPoint) ") }
        #expect((line?.utf8.count ?? 0) > 4096, "the premise: a line longer than a pipe's atomic write")
        let location = mountPoint + "/backup"
        try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: false)
        let runner = LocalShellRunner()
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        defer { sessions.close() }
        let remote = Location(role: .backup, path: location, host: RemoteHost(host: "overlay"))
        sessions.expect([remote])
        let probe = CapabilityProbe(runner: runner, environment: [:], sessions: sessions)
        #expect(sessions.state(of: remote.host!) == .reachable(home: ProcessInfo.processInfo.environment["HOME"] ?? ""))
        #expect(probe.capabilities(of: remote).type == "overlay", "\(probe.capabilities(of: remote))")
        #expect(probe.rsync(for: remote) == RsyncCapabilities.parse(versionOutput: try rsyncVersionText()))
        #expect(runner.commands.count == 1)
    }

    /// exFAT's root folder keeps no time: a location there shows it, by trying and over SSH.
    @Test func theRootFolderOfAnExFATDriveIsFoundToKeepNoTimes() throws {
        try MountedDrive.with(.exfat) { drive in
            #expect(!LocalDriveTrial.capabilities(at: drive.mountPoint).locationFolderTimes)
            let sessions = SSHSessions(runner: LocalShellRunner(), environment: [:], clock: { 0 })
            let remote = Location(role: .backup, path: drive.mountPoint, host: RemoteHost(host: "drive"))
            sessions.expect([remote])
            #expect(!CapabilityProbe(runner: LocalShellRunner(), environment: [:], sessions: sessions).capabilities(of: remote).locationFolderTimes)
            sessions.close()
        }
        try MountedDrive.with(.ext4) { drive in
            #expect(LocalDriveTrial.capabilities(at: drive.mountPoint).locationFolderTimes)
        }
    }

    @Test func aDriveMountedReadOnlyIsKnownByItsTypeAndMountOptions() throws {
        try MountedDrive.with(.ext4, readOnly: true) { drive in
            let found = LocalDriveTrial.capabilities(at: drive.mountPoint)
            #expect(found.learnedBy == .typeAndMountOptions && found.type == "ext4")
            #expect(found == FileSystemCapabilities.ofType("ext4"))
        }
        try MountedDrive.with(.exfat, readOnly: true) { drive in
            let found = LocalDriveTrial.capabilities(at: drive.mountPoint)
            // exfat-fuse shows as `fuseblk`: the boot sector names it. The drive's root folder
            // has no times.
            var expected = FileSystemCapabilities.ofType("exfat")
            expected.locationFolderTimes = false
            #expect(found == expected, "\(found)")
            #expect(LocalDriveTrial.identify(drive.mountPoint).options.contains("ro"))
        }
    }

    /// A folder nothing may be made in, on a drive mounted for writing (immutable, so that even
    /// root is refused): the type and mount options, and the folder untouched.
    @Test func aLocationThatRefusesTheProbesFolderIsKnownByItsTypeAndMountOptions() throws {
        try MountedDrive.with(.ext4) { drive in
            let location = drive.path("locked")
            try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: false)
            try MountedDrive.check(["chattr", "+i", location])
            defer { _ = try? MountedDrive.check(["chattr", "-i", location]) }
            let found = LocalDriveTrial.capabilities(at: location)
            #expect(found == FileSystemCapabilities.ofType("ext4", mountOptions: LocalDriveTrial.identify(location).options))
            #expect(found.learnedBy == .typeAndMountOptions)
            #expect(try FileManager.default.contentsOfDirectory(atPath: location).isEmpty)
        }
    }

    @Test func ntfsOnAnImageFileIsNamedByItsBootSector() throws {
        try MountedDrive.with(.ntfs, onImageFile: true) { drive in
            let entry = MountTable.entry(holding: drive.mountPoint, in: MountTable.parse(MountedDrive.mountTable()))
            #expect(entry?.type == "fuse")
            #expect(LocalDriveTrial.capabilities(at: drive.mountPoint) == Self.expected(.ntfs))
        }
    }

    /// ntfs-3g's options do not show in the mount table: only trying finds what they change.
    @Test func ntfsMountOptionsThatTheMountTableDoesNotShowAreFoundByTrying() throws {
        try MountedDrive.with(.ntfs, options: ["permissions", "acl", "windows_names"]) { drive in
            #expect(!LocalDriveTrial.identify(drive.mountPoint).options.contains("windows_names"))
            let found = LocalDriveTrial.capabilities(at: drive.mountPoint)
            #expect(found.permissions && found.acls && found.ownership)
            #expect(found.refusedBytes == FileSystemCapabilities.windowsRefusedBytes, "\(found.refusedBytes)")
        }
    }

    @Test func aMissingLocationIsAssumedToKeepEverything() {
        let found = CapabilityProbe(runner: SpawningProcessRunner(), environment: [:], sessions: nil)
            .capabilities(of: Location(role: .backup, path: "/nonexistent/micsync-probe-test"))
        #expect(found == .everything() && found.learnedBy == .assumption)
    }

    @Test func theLocalRsyncIsAskedOnceAndRead() throws {
        let runner = LocalShellRunner()
        let probe = CapabilityProbe(runner: runner, environment: [:], sessions: nil)
        let local = Location(role: .work, path: "/")
        let found = probe.rsync(for: local)
        #expect(found == RsyncCapabilities.parse(versionOutput: try rsyncVersionText()))
        #expect(found.isSupported && found.acls && found.extendedAttributes)
        #expect(probe.rsync(for: Location(role: .backup, path: "/tmp")) == found)
        #expect(runner.commands == [["rsync", "--version"]])
    }

    private func status(_ path: String) throws -> stat {
        var found = stat()
        guard stat(path, &found) == 0 else { throw MountedDrive.Failure(description: "cannot stat \(path)") }
        return found
    }

    private func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func rsyncVersionText() throws -> String { try MountedDrive.check(["rsync", "--version"]) }
}

/// Runs commands for real, with ssh left out: an `ssh … -- HOST COMMAND` runs COMMAND with sh,
/// as the remote login shell would. Records what it ran.
final class LocalShellRunner: ProcessRunner, @unchecked Sendable {
    private(set) var commands: [[String]] = []

    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        // Ending a shared connection: there is none.
        if arguments.contains("-O") { return ProcessResult(status: 0) }
        commands.append(arguments)
        let command = arguments.first == "ssh" ? ["/bin/sh", "-c", arguments.last ?? ""] : arguments
        return try SpawningProcessRunner().run(command, environment: ProcessInfo.processInfo.environment, onLine: onLine)
    }
}
