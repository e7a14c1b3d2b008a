/// When the preview first compares the two trees itself (`TreeComparing`): if they are
/// identical, rsync's dry run could only list nothing, so "Nothing to do" is said without it;
/// otherwise the dry run lists the changes as always.
enum QuickComparison {
    /// Only where the comparison is stricter than rsync's preview: both trees local and whole
    /// (PATHs and `--relative` trees are rsync's to work out), the files compared by size and
    /// time (not `-c`; `--tree` compares its folders only), and on drives that store everything
    /// (a name or item the destination cannot store is listed by the preview even when all
    /// else is equal, and a drive that does not tell case apart gets a preview of every name).
    /// Not when the destination has nothing yet: one rsync run copies everything then. Not with
    /// the config's exclusions: an excluded item the source has and the destination lacks (a
    /// `.cache`) would be a difference every time, the walk's cost paid for nothing.
    static func applies(to spec: TransferSpec, command: RsyncCommand, drives: (source: FileSystemCapabilities, destination: FileSystemCapabilities),
                        singleRun: Bool) -> Bool {
        !spec.source.isRemote && !spec.destination.isRemote && spec.isWholeLocation && spec.exclude.isEmpty && !command.checksum
            && !command.itemizesEverything && !drives.source.refusesSomeItems && !drives.destination.refusesSomeItems && !singleRun
    }

    /// What `-v` shows in place of the dry run's command.
    static let verboseLine = "(both trees were compared directly and nothing differs: no rsync run needed)"
}
