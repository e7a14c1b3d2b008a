import Testing
@testable import MicsyncKit

/// The pure parts of the capability probe: the mount table, naming a FUSE drive, the rules of
/// each type, rsync's version text, and the reading of what a trial found.
struct DriveCapabilityTests {
    // Lines seen on this machine: exfat-fuse on a loop device, ntfs-3g on an image file and on a
    // loop device (neither says which it is), then a root ext4 with a tag, a desktop's exFAT
    // drive with a space in its name, and sshfs (FUSE with a subtype).
    static let mountinfo = """
        29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
        45 27 7:0 / /tmp/probeexp.Oh4Z/ex rw,nosuid,nodev,relatime - fuseblk /dev/loop0 rw,user_id=0,group_id=0,default_permissions,allow_other,blksize=4096
        46 27 0:40 / /tmp/probeexp.Oh4Z/nt rw,relatime - fuse /tmp/probeexp.Oh4Z/nt.img rw,user_id=0,group_id=0,allow_other
        47 27 7:1 / /tmp/probeexp.Oh4Z/nt2 rw,relatime - fuseblk /dev/loop1 rw,user_id=0,group_id=0,allow_other,blksize=4096
        50 29 8:17 / /media/ann/My\\040Drive ro,nosuid,nodev,relatime shared:300 - exfat /dev/sdb1 ro,uid=1000,gid=1000,fmask=0022,iocharset=utf8
        51 29 0:46 / /mnt/nas rw,nosuid,nodev,relatime shared:301 - fuse.sshfs ann@nas:/ rw,user_id=1000,group_id=1000
        52 29 0:47 / /mnt/nas rw,relatime - tmpfs tmpfs rw
        """

    @Test func theMountTableIsReadWithItsOptionalFieldsAndEscapes() {
        let entries = MountTable.parse(Self.mountinfo)
        #expect(entries.count == 7)
        #expect(entries[0] == MountEntry(device: "259:2", mountPoint: "/", type: "ext4", source: "/dev/nvme0n1p2",
                                         options: ["rw", "relatime", "rw", "errors=remount-ro"]))
        #expect(entries[1].type == "fuseblk" && entries[1].source == "/dev/loop0" && entries[1].device == "7:0")
        #expect(entries[1].options.contains("default_permissions") && !entries[1].isReadOnly)
        #expect(entries[2].type == "fuse" && entries[2].source == "/tmp/probeexp.Oh4Z/nt.img")
        #expect(entries[4].mountPoint == "/media/ann/My Drive" && entries[4].isReadOnly)
        #expect(MountTable.parse("garbage\n\n1 2 3") == [])
    }

    @Test func theMountHoldingAPathIsTheDeepestAndOfThoseTheLastMounted() {
        let entries = MountTable.parse(Self.mountinfo)
        #expect(MountTable.entry(holding: "/home/ann", in: entries)?.type == "ext4")
        #expect(MountTable.entry(holding: "/media/ann/My Drive/photos", in: entries)?.type == "exfat")
        #expect(MountTable.entry(holding: "/media/ann/My Drivex", in: entries)?.type == "ext4")
        #expect(MountTable.entry(holding: "/tmp/probeexp.Oh4Z/nt2", in: entries)?.source == "/dev/loop1")
        // tmpfs mounted over the sshfs mount hides it.
        #expect(MountTable.entry(holding: "/mnt/nas/x", in: entries)?.type == "tmpfs")
    }

    @Test func fuseDrivesAreNamedByTheirSubtypeOrBootSector() {
        let entries = MountTable.parse(Self.mountinfo)
        let exfat = Array(repeating: 0, count: 3) + Array("EXFAT   ".utf8) + Array(repeating: 0, count: 79)
        let ntfs = [0xEB, 0x52, 0x90] + Array("NTFS    ".utf8) + Array(repeating: 0, count: 79)
        var fat32 = [UInt8](repeating: 0, count: 90)
        fat32.replaceSubrange(82..<90, with: Array("FAT32   ".utf8))
        #expect(MountTable.typeName(of: entries[1], bootSector: exfat) == "exfat")
        #expect(MountTable.typeName(of: entries[2], bootSector: ntfs) == "ntfs")
        #expect(MountTable.typeName(of: entries[3], bootSector: fat32) == "vfat")
        // Unreadable source (not root): the kernel's word stays.
        #expect(MountTable.typeName(of: entries[3], bootSector: nil) == "fuseblk")
        #expect(MountTable.typeName(of: entries[3], bootSector: [1, 2, 3]) == "fuseblk")
        #expect(MountTable.typeName(of: entries[5], bootSector: nil) == "sshfs")
        #expect(MountTable.typeName(of: MountEntry(device: "0:1", mountPoint: "/m", type: "fuseblk.ntfs-3g", source: "/dev/sdc1", options: []),
                                    bootSector: nil) == "ntfs")
        #expect(MountTable.typeName(of: entries[4], bootSector: ntfs) == "exfat", "a kernel type is not second-guessed")
    }

    @Test func statfsMagicNumbersNameTheFamilyTheMountTableShows() {
        #expect(MountTable.magicName(0xEF53) == "ext4" && MountTable.type("ext3", matchesMagicName: "ext4"))
        #expect(MountTable.magicName(0x6573_5546) == "fuseblk" && MountTable.type("fuse", matchesMagicName: "fuseblk"))
        #expect(MountTable.magicName(0x5846_5342) == "xfs" && !MountTable.type("btrfs", matchesMagicName: "xfs"))
        #expect(MountTable.magicName(-1) == nil && MountTable.magicName(0x1234) == nil)
    }

    @Test func theTypesOwnRulesWhereNothingCanBeTried() {
        let fat = FileSystemCapabilities.ofType("vfat", mountOptions: ["ro"])
        #expect(fat.learnedBy == .typeAndMountOptions)
        #expect(fat.maximumFileSize == 4 * 1024 * 1024 * 1024 - 1 && fat.timeResolution == 2 && fat.localTime)
        #expect(!fat.caseSensitive && fat.refusedBytes == FileSystemCapabilities.windowsRefusedBytes && !fat.symbolicLinks)
        #expect(fat.modifyWindow == 1)
        let exfat = FileSystemCapabilities.ofType("exfat")
        #expect(exfat.maximumFileSize == nil && exfat.timeResolution == 1 && !exfat.localTime && !exfat.permissions)
        #expect(exfat.modifyWindow == 0 && exfat.refusesSomeItems)
        let ntfs = FileSystemCapabilities.ofType("ntfs")
        #expect(!ntfs.permissions && !ntfs.ownership && !ntfs.acls && ntfs.symbolicLinks && ntfs.hardLinks && ntfs.caseSensitive)
        #expect(ntfs.refusedBytes.isEmpty && ntfs.requiresUTF8Names)
        let strict = FileSystemCapabilities.ofType("ntfs", mountOptions: ["permissions", "acl", "windows_names"])
        #expect(strict.permissions && strict.ownership && strict.acls && strict.refusedBytes == FileSystemCapabilities.windowsRefusedBytes)
        #expect(FileSystemCapabilities.ofType("xfs").aclsAsExtendedAttributes)
        #expect(FileSystemCapabilities.ofType("ext4") == .everything(type: "ext4", learnedBy: .typeAndMountOptions))
    }

    // `rsync --version` of the rsync installed here.
    static let rsync350 = """
        rsync  version 3.5.0  protocol version 32
        Copyright (C) 1996-2026 by Andrew Tridgell, Wayne Davison, and others.
        Web site: https://rsync.samba.org/
        Capabilities:
            64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
            socketpairs, symlinks, symtimes, hardlinks, hardlink-specials,
            hardlink-symlinks, IPv6, atimes, batchfiles, inplace, append, ACLs,
            ACL-at, xattrs, optional secluded-args, iconv, prealloc, stop-at,
            no crtimes
        Optimizations:
            SIMD-roll, no asm-roll, openssl-crypto, no asm-MD5
        Checksum list:
            xxh128 xxh3 xxh64 (xxhash) md5 md4 sha1 none

        rsync comes with ABSOLUTELY NO WARRANTY.  This is free software, and you
        """

    // A 3.2.7 built without libacl and libattr (./configure --disable-acl-support --disable-xattr-support).
    static let rsyncWithoutACLs = """
        rsync  version 3.2.7  protocol version 31
        Copyright (C) 1996-2022 by Andrew Tridgell, Wayne Davison, and others.
        Web site: https://rsync.samba.org/
        Capabilities:
            64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
            socketpairs, symlinks, symtimes, hardlinks, hardlink-specials,
            hardlink-symlinks, IPv6, atimes, batchfiles, inplace, append, no ACLs,
            no xattrs, optional protect-args, iconv, prealloc, stop-at, no crtimes
        Optimizations:
            no SIMD-roll, no asm-roll, openssl-crypto, no asm-MD5
        """

    // 3.1.3 (Debian 10, Ubuntu 18.04 to 20.04): older layout, ACLs and xattrs mid-list.
    static let rsync313 = """
        rsync  version 3.1.3  protocol version 31
        Copyright (C) 1996-2018 by Andrew Tridgell, Wayne Davison, and others.
        Web site: http://rsync.samba.org/
        Capabilities:
            64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
            socketpairs, hardlinks, symlinks, IPv6, batchfiles, inplace,
            append, ACLs, xattrs, iconv, symtimes, prealloc

        rsync comes with ABSOLUTELY NO WARRANTY.  This is free software, and you
        """

    @Test func rsyncsVersionTextGivesItsVersionAndWhetherItCopiesACLsAndExtendedAttributes() {
        #expect(RsyncCapabilities.parse(versionOutput: Self.rsync350) == RsyncCapabilities(version: [3, 5, 0], acls: true, extendedAttributes: true))
        #expect(RsyncCapabilities.parse(versionOutput: Self.rsyncWithoutACLs) == RsyncCapabilities(version: [3, 2, 7], acls: false, extendedAttributes: false))
        let old = RsyncCapabilities.parse(versionOutput: Self.rsync313)
        #expect(old == RsyncCapabilities(version: [3, 1, 3], acls: true, extendedAttributes: true) && old.isSupported)
        // macOS's rsync 2.6.9 and its openrsync, whose first line names a protocol, not a version.
        #expect(!RsyncCapabilities.parse(versionOutput: "rsync  version 2.6.9  protocol version 29\n").isSupported)
        let openrsync = RsyncCapabilities.parse(versionOutput: "openrsync: protocol version 29\nrsync version 2.6.9 compatible\n")
        #expect(openrsync.version == [2, 6, 9] && !openrsync.isSupported)
        #expect(RsyncCapabilities.parse(versionOutput: "").version == nil)
    }

    @Test func theTimeResolutionIsTheCoarsestStepTheReadTimeFits() {
        let set = DriveTrial.probeTime
        #expect(DriveTrial.timeResolution(set: set, read: set) == 1e-9)
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds, 123_456_700)) == 1e-7)
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds, 123_456_000)) == 1e-6)
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds, 120_000_000)) == 1e-2)
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds, 0)) == 1)
        // FAT keeps even seconds, rounding down or up.
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds - 1, 0)) == 2)
        #expect(DriveTrial.timeResolution(set: set, read: (set.seconds + 1, 0)) == 2)
        // The time was not set at all.
        #expect(DriveTrial.timeResolution(set: set, read: (1_700_000_000, 987_654_321)) == nil)
    }

    @Test func theTrialsACLNamesAnotherUserAndIsFoundInWhatIsReadBack() {
        let value = DriveTrial.accessControlListValue
        #expect(value.count == 4 + 5 * 8 && Array(value.prefix(4)) == [2, 0, 0, 0])
        #expect(DriveTrial.holdsNamedUser(value))
        // What a file system that ignores the ACL gives back: its mode as the three basic entries.
        let basic: [UInt8] = [2, 0, 0, 0] + [1, 0, 6, 0, 255, 255, 255, 255] + [4, 0, 4, 0, 255, 255, 255, 255] + [32, 0, 4, 0, 255, 255, 255, 255]
        #expect(!DriveTrial.holdsNamedUser(basic) && !DriveTrial.holdsNamedUser([]))
    }

    /// The answer of the remote trial on an exFAT drive reached as a non-root user whose host
    /// lacks setfattr and setfacl.
    static let exfatAnswer = [
        "m 45 27 7:0 / /media/ann/stick rw,nosuid,nodev,relatime - fuseblk /dev/sdb1 rw,user_id=0,group_id=0,default_permissions,allow_other,blksize=4096",
        "b " + String(repeating: "00", count: 3) + "4558464154202020" + String(repeating: "00", count: 79),
        "w 1000",
        "k",
        "x 1 2 3 34 42 58 60 62 63 92 124",
        "u",
        "s f|777|1000|1000|1|0|512|2026-12-02 11:00:00.000000000 +0000|regular empty file",
        "s s|777|1000|1000|1|2056|512|2026-12-02 11:00:00.000000000 +0000|regular file",
        "s t|777|1000|1000|1|0|512|2001-09-09 01:46:41.000000000 +0000|regular empty file",
    ]

    @Test func aRemoteTrialsAnswerIsReadAndMissingToolsLeaveItToTheTypeAndRsync() {
        let found = RemoteDriveTrial.capabilities(from: Self.exfatAnswer, rsync: .full)
        #expect(found.type == "exfat" && found.learnedBy == .trying)
        #expect(!found.permissions && !found.ownership && !found.symbolicLinks && !found.hardLinks && !found.specialFiles && !found.sparseFiles)
        #expect(!found.caseSensitive && found.requiresUTF8Names && found.timeResolution == 1)
        #expect(found.refusedBytes == [1, 2, 3, 34, 42, 58, 60, 62, 63, 92, 124])
        // No setfattr/setfacl: exFAT's type says no.
        #expect(!found.extendedAttributes && !found.acls)
        // A folder on the drive keeps its time; the drive's root folder has none.
        #expect(found.locationFolderTimes)
        #expect(!RemoteDriveTrial.capabilities(from: Self.exfatAnswer + ["o"], rsync: .full).locationFolderTimes)
        var ext4 = Self.exfatAnswer
        ext4[0] = "m 29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw"
        let posix = RemoteDriveTrial.capabilities(from: ext4, rsync: .full)
        #expect(posix.type == "ext4" && posix.extendedAttributes && posix.acls)
        let noSupport = RemoteDriveTrial.capabilities(from: ext4, rsync: RsyncCapabilities.parse(versionOutput: Self.rsyncWithoutACLs))
        #expect(!noSupport.extendedAttributes && !noSupport.acls)
        // Not writable: the type's rules; not a folder: nothing known.
        let readOnly = RemoteDriveTrial.capabilities(from: Self.exfatAnswer.filter { $0.hasPrefix("m ") || $0.hasPrefix("b ") }, rsync: .full)
        #expect(readOnly == FileSystemCapabilities.ofType("exfat"))
        #expect(RemoteDriveTrial.capabilities(from: ["-"], rsync: .full) == .everything())
        // A folder was made but no file (fusefat): the type's rules.
        let noFiles = RemoteDriveTrial.capabilities(from: Self.exfatAnswer.filter { !$0.hasPrefix("s ") }, rsync: .full)
        #expect(noFiles == FileSystemCapabilities.ofType("exfat"))
    }

    @Test func theAnswerOfSeveralLocationsIsSplitByIndexAndRsyncsLinesKept() {
        let lines = ["c0 -", "c1 w 0", "c1 k", "c12 w 0", "r rsync  version 3.2.7  protocol version 31", "r Capabilities:"]
        let answers = RemoteDriveTrial.answers(in: lines, count: 3)
        #expect(answers[0] == ["-"] && answers[1] == ["w 0", "k"] && answers[2] == nil)
        #expect(RemoteDriveTrial.rsyncVersion(in: lines) == "rsync  version 3.2.7  protocol version 31\nCapabilities:")
        #expect(RemoteDriveTrial.rsyncVersion(in: ["r-"]) == "")
        #expect(RemoteDriveTrial.rsyncVersion(in: ["c0 -"]) == nil)
        #expect(RemoteDriveTrial.readTime("2001-09-09 01:46:41.1234567 +0000")! == (DriveTrial.probeTime.seconds, 123_456_700))
        #expect(RemoteDriveTrial.readTime("2001-09-09 01:46:42 +0000")! == (DriveTrial.probeTime.seconds + 1, 0))
        #expect(RemoteDriveTrial.readTime("2026-12-02 11:00:00.0 +0000") == nil)
    }

    @Test func theHostProbeCarriesTheTrialAndRsyncsVersionInItsOneAnswer() {
        let runner = ScriptedRunner(lines: ["/home/ann", ":d", ":"] + Self.exfatAnswer.map { "c0 " + $0 } + ["c1 -"]
                                    + Self.rsyncWithoutACLs.split(separator: "\n").map { "r " + $0 })
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        let host = RemoteHost(user: "ann", host: "nas")
        let stick = Location(role: .backup, path: "~/stick", host: host)
        sessions.expect([stick, Location(role: .backup, path: "/gone", host: host)])
        let probe = CapabilityProbe(runner: runner, environment: [:], sessions: sessions)
        #expect(probe.capabilities(of: stick).type == "exfat")
        // The copy asks with the home filled in: the same answer.
        #expect(probe.capabilities(of: stick.withPath("/home/ann/stick")) == probe.capabilities(of: stick))
        #expect(probe.capabilities(of: Location(role: .backup, path: "/gone", host: host)) == .everything())
        #expect(probe.rsync(for: stick) == RsyncCapabilities.parse(versionOutput: Self.rsyncWithoutACLs))
        #expect(runner.runs.count == 1)
        let script = SSHSessions.probeScript(["~/stick"])
        #expect(script.contains("mt 0 \"$HOME\"/'stick'") && script.contains("rsync --version"))
        sessions.close()
    }

    @Test func aLocationTheHostProbeDidNotLookAtIsTriedInOneMoreRoundTrip() {
        let runner = AnsweringRunner(answers: [["/home/ann"] + Self.rsyncWithoutACLs.split(separator: "\n").map { "r " + $0 },
                                               Self.exfatAnswer.map { "c0 " + $0 }])
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        let stick = Location(role: .backup, path: "/media/stick", host: RemoteHost(host: "nas"))
        let probe = CapabilityProbe(runner: runner, environment: [:], sessions: sessions)
        #expect(probe.capabilities(of: stick).type == "exfat")
        #expect(probe.capabilities(of: stick).type == "exfat")
        #expect(probe.rsync(for: stick).version == [3, 2, 7])
        #expect(runner.runs.count == 2, "the host probe, then the trial of the one location")
        let trial = runner.runs[1].last ?? ""
        #expect(trial.contains("mt 0 ") && trial.contains("/media/stick") && !trial.contains("$HOME"))
        sessions.close()
    }

    @Test func aProbeAnswerWithStrayLinesIsNotTakenForOne() {
        let runner = ScriptedRunner(lines: ["/home/ann", ":d", "Welcome to nas!"])
        let sessions = SSHSessions(runner: runner, environment: [:], clock: { 0 })
        let host = RemoteHost(host: "nas")
        sessions.expect([Location(role: .backup, path: "/b", host: host)])
        guard case .unreachable = sessions.state(of: host) else { Issue.record("a stray line was accepted"); return }
        sessions.close()
    }
}

/// A runner that gives its answers in turn, one per command, recording the commands.
final class AnsweringRunner: ProcessRunner, @unchecked Sendable {
    private var answers: [[String]]
    private(set) var runs: [[String]] = []
    init(answers: [[String]]) { self.answers = answers }
    func run(_ arguments: [String], environment: [String: String], onLine: (String) -> Void) throws(ProcessLaunchError) -> ProcessResult {
        if arguments.contains("-O") { return ProcessResult(status: 0) }
        runs.append(arguments)
        (answers.isEmpty ? [] : answers.removeFirst()).forEach(onLine)
        return ProcessResult(status: 0)
    }
}
