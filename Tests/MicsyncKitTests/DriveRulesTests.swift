import Testing
@testable import MicsyncKit

/// Issue "Every drive as it is": what each kind of drive keeps decides the rsync flags, and what
/// it cannot store is listed, never handed to rsync.
@Suite("Drives: fidelity, storage rules, case")
struct DriveRulesTests {
    static let ext4 = FileSystemCapabilities.everything(type: "ext4", learnedBy: .trying)
    static let exfat = FileSystemCapabilities.ofType("exfat")
    static let fat = FileSystemCapabilities.ofType("vfat")
    static let ntfs = FileSystemCapabilities.ofType("fuseblk")

    @Test func betweenTwoPosixDrivesEverythingIsKeptAndOwnersByNumberAsRoot() {
        let flags = CopyFidelity.between(source: Self.ext4, destination: Self.ext4, asRoot: true).rsyncFlags
        #expect(flags == ["--hard-links", "--sparse", "--acls", "--xattrs", "--numeric-ids"])
        #expect(!CopyFidelity.between(source: Self.ext4, destination: Self.ext4, asRoot: false).rsyncFlags.contains("--numeric-ids"))
    }

    @Test func theConfigKeyTurnsACLsAndAttributesOff() {
        let flags = CopyFidelity.between(source: Self.ext4, destination: Self.ext4, aclsAndAttributes: false).rsyncFlags
        #expect(flags == ["--hard-links", "--sparse"])
    }

    @Test func toExFATNeitherModesNorOwnersNorLinksNorAttributesAreCompared() {
        let flags = CopyFidelity.between(source: Self.ext4, destination: Self.exfat, asRoot: true).rsyncFlags
        #expect(flags == ["--no-perms", "--no-owner", "--no-group"])
    }

    @Test func fromExFATTheDrivesMadeUpModesAreNotStampedOntoWork() {
        let flags = CopyFidelity.between(source: Self.exfat, destination: Self.ext4, asRoot: true).rsyncFlags
        #expect(flags.contains("--no-perms") && flags.contains("--no-owner") && !flags.contains("--acls") && !flags.contains("--xattrs"))
    }

    @Test func toFATTimesAreComparedWithinASecondAndHourShiftsIgnored() {
        let fidelity = CopyFidelity.between(source: Self.ext4, destination: Self.fat)
        #expect(fidelity.rsyncFlags.contains("--modify-window=1"))
        #expect(fidelity.ignoresTimeShift)
        #expect(Self.fat.maximumFileSize == 4 * 1024 * 1024 * 1024 - 1)
    }

    @Test func ntfsThroughNtfs3gKeepsLinksAndAttributesButNotModes() {
        let flags = CopyFidelity.between(source: Self.ext4, destination: Self.ntfs, asRoot: true).rsyncFlags
        #expect(flags == ["--no-perms", "--no-owner", "--no-group", "--hard-links", "--sparse", "--xattrs"])
        #expect(FileSystemCapabilities.ofType("fuseblk", mountOptions: ["permissions", "acl"]).acls)
    }

    @Test func xfsShowsACLsAsAttributesWhichAreLeftToACLs() {
        var xfs = Self.ext4
        xfs.aclsAsExtendedAttributes = true
        let flags = CopyFidelity.between(source: Self.ext4, destination: xfs).rsyncFlags
        #expect(flags.suffix(3) == ["--xattrs", "--filter=-x trusted.SGI_ACL_*", "--filter=-x system.*"])
    }

    @Test func anRsyncBuiltWithoutACLsOrAttributesCarriesNeither() {
        let lean = RsyncCapabilities(version: [3, 2, 7], acls: false, extendedAttributes: false)
        let flags = CopyFidelity.between(source: Self.ext4, destination: Self.ext4, destinationRsync: lean).rsyncFlags
        #expect(!flags.contains("--acls") && !flags.contains("--xattrs") && flags.contains("--hard-links"))
    }

    @Test func exFATRefusesWindowsCharactersLinksAndBadNames() {
        let rules = StorageRules(Self.exfat)
        #expect(rules.refusal(name: "what?.txt", type: "f", length: 1) == "the drive refuses '?' in names")
        #expect(rules.refusal(name: "time: 10.00.txt", type: "f", length: 1) == "the drive refuses ':' in names")
        #expect(rules.refusal(name: "tab\u{1}x", type: "f", length: 1) == "the drive refuses control characters in names")
        #expect(rules.refusal(name: "link", type: "L", length: 4) == "a symbolic link, and the drive has none")
        #expect(rules.refusal(name: PathBytes.string([0x61, 0xFF]), type: "f", length: 1) != nil)
        #expect(rules.refusal(name: "plain name.txt", type: "f", length: 1 << 40) == nil)
        #expect(StorageRules(Self.fat).refusal(name: "disc.img", type: "f", length: 5_000_000_000)?.contains("limit") == true)
        #expect(StorageRules(Self.ext4).refusal(name: "what?.txt", type: "L", length: 1) == nil)
    }

    @Test func caseKeysFoldSimpleUpperCase() {
        #expect(StorageRules.caseKey("Case.txt") == StorageRules.caseKey("case.TXT"))
        #expect(StorageRules.caseKey("Ärger/x") == StorageRules.caseKey("ärger/X"))
        #expect(StorageRules.caseKey("a") != StorageRules.caseKey("b"))
    }
}
