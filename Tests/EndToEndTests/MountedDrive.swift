// A real file system for a test: an image file made in a new temporary folder, formatted, and
// mounted in that folder; `MountedDrive.with` always unmounts it, detaches its loop device and
// removes the folder again, also when the test fails or throws.
//
// Kinds: ext4, btrfs and xfs (the kernel's, through `mount -o loop`), exFAT (exfat-fuse on a
// loop device: the kernel here has no exfat), NTFS (ntfs-3g on a loop device as a real drive
// is, or on the image file itself), tmpfs. Needs root and the tools `make drive-tools` installs;
// without them `with` throws, so a test fails loudly instead of passing unseen.
//
// This file is compiled into EndToEndTests and, through a link, into MicsyncKitTests.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct MountedDrive: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case ext4, btrfs, xfs, exfat, ntfs, tmpfs
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let kind: Kind
    /// The folder the file system is mounted on (empty but for what mkfs puts there).
    let mountPoint: String
    /// The temporary folder holding the image and the mount point.
    let folder: String
    /// The loop device a FUSE kind reads, which `with` detaches again.
    let loopDevice: String?

    /// The system's temporary folder, without the trailing slash NSTemporaryDirectory gives it
    /// (mount points are compared with the mount table's paths).
    static var temporaryFolder: String {
        var folder = NSTemporaryDirectory()
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        return folder
    }

    /// A path on the drive.
    func path(_ relative: String) -> String { mountPoint + "/" + relative }

    /// Makes a drive of `kind`, runs `body` with it, then unmounts and removes everything.
    /// `readOnly` mounts it read-only; `options` are further mount options (ntfs-3g's
    /// `windows_names`, say); `onImageFile` mounts NTFS from the image file instead of a loop
    /// device (ntfs-3g then shows as `fuse`, not `fuseblk`).
    static func with<Result>(_ kind: Kind, readOnly: Bool = false, options: [String] = [], onImageFile: Bool = false,
                             _ body: (MountedDrive) throws -> Result) throws -> Result {
        guard geteuid() == 0 else { throw Failure(description: "mounting a \(kind) drive needs root (make test runs as root in CI)") }
        removeDrivesOfEndedProcesses()
        var template = Array((temporaryFolder + "/micsync-drive-\(getpid()).XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw Failure(description: "cannot make a temporary folder") }
        let folder = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let mountPoint = folder + "/mnt"
        let image = folder + "/" + kind.rawValue + ".img"
        var loopDevice: String?
        var mounted = false
        defer {
            if mounted { unmount(mountPoint) }
            if let loopDevice { _ = try? run(["losetup", "-d", loopDevice]) }
            try? FileManager.default.removeItem(atPath: folder)
        }
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let mountOptions = (readOnly ? ["ro"] : []) + options
        switch kind {
        case .tmpfs:
            try check(["mount", "-t", "tmpfs", "-o", (["size=16m"] + mountOptions).joined(separator: ","), "tmpfs", mountPoint])
        case .ext4, .btrfs, .xfs:
            try makeImage(kind, at: image)
            try check(["mount", "-o", (["loop"] + mountOptions).joined(separator: ","), image, mountPoint])
        case .exfat, .ntfs:
            try makeImage(kind, at: image)
            let source: String
            if kind == .ntfs && onImageFile {
                source = image
            } else {
                loopDevice = try check(["losetup", "-f", "--show", image]).trimmingCharacters(in: .whitespacesAndNewlines)
                source = loopDevice!
            }
            let program = kind == .exfat ? "mount.exfat-fuse" : "ntfs-3g"
            try check([program] + (mountOptions.isEmpty ? [] : ["-o", mountOptions.joined(separator: ",")]) + [source, mountPoint])
        }
        mounted = true
        return try body(MountedDrive(kind: kind, mountPoint: mountPoint, folder: folder, loopDevice: loopDevice))
    }

    /// What a test process that was killed (or crashed) before its `with` could clean up left:
    /// the folders of processes that no longer run, their mounts and loop devices.
    private static func removeDrivesOfEndedProcesses() {
        let prefix = "micsync-drive-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0 != "." }), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            let folder = temporaryFolder + "/" + name
            let mounts = mountTable()
            if mounts.contains(" \(folder)/mnt ") { _ = try? run(["umount", "-l", folder + "/mnt"]) }
            for kind in Kind.allCases {
                let attached = (try? run(["losetup", "-j", folder + "/" + kind.rawValue + ".img"]))?.output ?? ""
                for line in attached.split(separator: "\n") {
                    if let device = line.split(separator: ":").first { _ = try? run(["losetup", "-d", String(device)]) }
                }
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// `/proc/self/mountinfo` whole: `String(contentsOfFile:)` stops at the kernel's first short
    /// read, which a mount with a long line (an overlay with many layers) brings early.
    static func mountTable() -> String {
        let data = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/mountinfo")).readToEnd()) ?? nil
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// A sparse image file (it takes room only as it is written) with a new file system.
    private static func makeImage(_ kind: Kind, at image: String) throws {
        let megabytes = kind == .xfs ? 300 : kind == .btrfs || kind == .exfat ? 160 : 32
        try check(["truncate", "-s", "\(megabytes)M", image])
        switch kind {
        case .ext4: try check(["mkfs.ext4", "-q", "-F", image])
        case .btrfs: try check(["mkfs.btrfs", "-q", "-f", image])
        case .xfs: try check(["mkfs.xfs", "-q", "-f", image])
        case .exfat: try check(["mkfs.exfat", image])
        case .ntfs: try check(["mkfs.ntfs", "-F", "-Q", "-q", image])
        case .tmpfs: break
        }
    }

    /// Unmounts, waiting a little for a file system still busy (a FUSE daemon finishing), and
    /// lazily as a last resort so that nothing stays mounted.
    private static func unmount(_ mountPoint: String) {
        for _ in 0..<20 {
            if (try? run(["umount", mountPoint]))?.status == 0 { return }
            usleep(100_000)
        }
        _ = try? run(["umount", "-l", mountPoint])
    }

    /// Runs a tool and returns its output; throws, naming it and what it said, if it fails.
    @discardableResult
    static func check(_ arguments: [String]) throws -> String {
        let result: (status: Int32, output: String)
        do {
            result = try run(arguments)
        } catch {
            throw Failure(description: "cannot run \(arguments[0]) (make drive-tools installs it): \(error)")
        }
        guard result.status == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.output)")
        }
        return result.output
    }

    /// Runs a program found in PATH or /sbin, /usr/sbin; its standard output and error together.
    /// They go to a file, not a pipe, and the program is waited for with waitpid, not Foundation's
    /// Process: a FUSE daemon it starts keeps whatever it inherited open until it is unmounted.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        guard let program = searched.map({ $0 + "/" + arguments[0] }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "\(arguments[0]) is not installed")
        }
        var template = Array((temporaryFolder + "/micsync-drive-output.XXXXXX").utf8CString)
        let output = mkstemp(&template)
        guard output >= 0 else { throw Failure(description: "cannot make a temporary file") }
        let outputPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        posix_spawn_file_actions_addclose(&actions, output)
        let argv = ([program] + arguments.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, program, &actions, nil, argv, environ)
        close(output)
        guard spawned == 0 else { throw Failure(description: "cannot run \(program): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally: its exit status; killed by a signal: 128 + the signal, as shells say.
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), text)
    }
}
