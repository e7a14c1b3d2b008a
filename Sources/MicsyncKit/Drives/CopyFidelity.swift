/// What a copy between two file systems keeps, besides the tree and the contents: everything
/// that both sides can hold and the rsync on each side can carry. What either side cannot hold
/// is neither copied nor compared, so an unchanged tree stays "in step" on any drive.
public struct CopyFidelity: Equatable, Sendable {
    public var permissions = true
    /// Owner and group (rsync sets owners only as root, and compares them only then).
    public var owners = true
    public var hardLinks = true
    public var sparseFiles = true
    public var acls = true
    public var extendedAttributes = true
    /// Owner and group as numbers, not names: a restore on a rescue system gives files back to
    /// the right owners (as root only, where owners are kept at all).
    public var numericIds = false
    /// rsync's `--modify-window`: 1 where either side keeps times in 2-second steps (FAT).
    public var modifyWindow = 0
    /// Either side shows ACLs as `trusted.SGI_ACL_*` extended attributes (XFS): those are left
    /// to `--acls`, not copied as attributes.
    public var excludesACLAttributes = false
    /// The destination keeps local time (FAT): a file whose time differs by exactly the hour of
    /// a daylight-saving change, and nothing else, is not modified.
    public var ignoresTimeShift = false
    /// The source makes its modes up (exFAT, FAT, NTFS without `permissions`: every file
    /// 0777): a file it creates gets an ordinary file's mode instead (0644, less the umask).
    public var plainModesForNewFiles = false
    /// Either location folder keeps no time of its own (the root of an exFAT or FAT drive,
    /// whose time is made up at each mount): a change of only its time is not a change.
    public var ignoresLocationFolderTime = false

    public init() {}

    /// Everything both sides hold and both rsyncs carry. `aclsAndAttributes` is the config's
    /// `"acls_xattrs"` (false turns both off for speed); `asRoot` whether micsync runs as root.
    public static func between(source: FileSystemCapabilities, destination: FileSystemCapabilities,
                               sourceRsync: RsyncCapabilities = .full, destinationRsync: RsyncCapabilities = .full,
                               aclsAndAttributes: Bool = true, asRoot: Bool = false) -> CopyFidelity {
        var fidelity = CopyFidelity()
        fidelity.permissions = source.permissions && destination.permissions
        fidelity.owners = source.ownership && destination.ownership
        fidelity.hardLinks = source.hardLinks && destination.hardLinks
        fidelity.sparseFiles = destination.sparseFiles
        // rsync's --acls implies --perms: no ACLs where modes are not kept.
        fidelity.acls = aclsAndAttributes && fidelity.permissions && source.acls && destination.acls
            && sourceRsync.acls && destinationRsync.acls
        fidelity.extendedAttributes = aclsAndAttributes && source.extendedAttributes && destination.extendedAttributes
            && sourceRsync.extendedAttributes && destinationRsync.extendedAttributes
        fidelity.numericIds = asRoot && fidelity.owners
        fidelity.modifyWindow = max(source.modifyWindow, destination.modifyWindow)
        fidelity.excludesACLAttributes = fidelity.extendedAttributes
            && (source.aclsAsExtendedAttributes || destination.aclsAsExtendedAttributes)
        fidelity.ignoresTimeShift = source.localTime || destination.localTime
        fidelity.plainModesForNewFiles = !source.permissions && destination.permissions
        fidelity.ignoresLocationFolderTime = !source.locationFolderTimes || !destination.locationFolderTimes
        return fidelity
    }

    /// The rsync options that follow, after `--archive` (which keeps links, permissions, times,
    /// group, owner as root, devices and special files).
    public var rsyncFlags: [String] {
        var flags: [String] = []
        if !permissions { flags.append("--no-perms") }
        // Without --perms, rsync gives a new file the source's mode less the umask.
        if plainModesForNewFiles { flags.append("--chmod=F-x") }
        if !owners { flags += ["--no-owner", "--no-group"] }
        if hardLinks { flags.append("--hard-links") }
        if sparseFiles { flags.append("--sparse") }
        if acls { flags.append("--acls") }
        if extendedAttributes {
            flags.append("--xattrs")
            // A rule of one's own replaces rsync's default exclusion of system.*: give it again.
            if excludesACLAttributes { flags += ["--filter=-x trusted.SGI_ACL_*", "--filter=-x system.*"] }
        }
        if numericIds { flags.append("--numeric-ids") }
        if modifyWindow > 0 { flags.append("--modify-window=\(modifyWindow)") }
        return flags
    }

    /// Attributes the copy keeps that plain `rsync -a` does not, and those `-a` keeps that this
    /// copy cannot, for `-v`.
    public var description: String {
        var kept: [String] = []
        if hardLinks { kept.append("hard links") }
        if sparseFiles { kept.append("sparse files") }
        if acls { kept.append("ACLs") }
        if extendedAttributes { kept.append("extended attributes") }
        if numericIds { kept.append("numeric owner ids") }
        var lost: [String] = []
        if !permissions { lost.append("permissions") }
        if !owners { lost.append("owners") }
        return "keeps " + (kept.isEmpty ? "what rsync -a keeps" : kept.joined(separator: ", "))
            + (lost.isEmpty ? "" : "; not " + lost.joined(separator: ", "))
    }
}
