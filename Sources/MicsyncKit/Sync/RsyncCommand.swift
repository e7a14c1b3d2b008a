/// rsync argument lists, built without touching anything (pure, unit-tested).
///
/// Sources are given as `SRC/EXISTING/./REST/NAME` with `--relative` into `DST/EXISTING/`, where
/// EXISTING is the deepest folder of the PATHs' parent that the destination already has: missing
/// folders between it and the items are created with the source's attributes, and the folders
/// that exist keep theirs (rsync's manual, `--relative` and `--no-implied-dirs`).
///
/// A remote side is never named by its path in an operand: rsync's server is started in that
/// folder (`--rsync-path='cd FOLDER && rsync'`, the folder quoted for the remote shell) and the
/// operand is `host:./`, and a remote source's PATH names go in a `--files-from` list. So no byte
/// of a remote path or name meets the remote shell's word splitting or rsync's own wildcard
/// expansion (`[`, `*`, `?`, newlines and spaces included), and a remote folder that has gone
/// makes the `cd` fail instead of rsync creating it.
public struct RsyncCommand: Sendable {
    public let spec: TransferSpec
    /// Deepest existing folder of `spec.parent` in the destination, relative to the location.
    public let existingPrefix: String
    public var program = "rsync"
    /// With -k: the folder (absolute) that replaced and deleted files are moved into.
    public var trashFolder: String?
    /// rsync's `-e` for a remote source or destination: ssh and its options.
    public var remoteShell: String?
    /// A remote source's PATH names (`namesList`), written by the caller for `--files-from`.
    public var remoteNamesList: String?
    /// What the copy keeps besides what `--archive` keeps, and what it leaves out.
    public var fidelity = CopyFidelity()
    /// The destination does not tell case apart: the preview itemizes unchanged items and the
    /// destination's extra items too, so that every source name is seen (see `PreviewBuilder`).
    public var itemizesEverything = false
    /// A file of anchored exclusion rules (`exclusionRules`) for the items the destination
    /// cannot store, read by the runs over the trees.
    public var unstorableRules: String?
    /// `-c`: files are compared by their contents, not by size and time, in the preview (so a
    /// file whose bytes differ is listed) and in the replacing run (so that it is replaced).
    public var checksum = false

    public init(spec: TransferSpec, existingPrefix: String) {
        self.spec = spec
        self.existingPrefix = existingPrefix
    }

    /// The location-relative path of a name that rsync prints (relative to the transfer root).
    public func locationPath(ofPrinted name: String) -> String {
        if spec.isWholeLocation || existingPrefix.isEmpty { return name }
        return name == "." ? existingPrefix : existingPrefix + "/" + name
    }

    /// The runs over the trees: from the existing prefix (or the location) on both sides.
    var operands: [String] {
        let sourceFolder = spec.isWholeLocation ? spec.source.path : Paths.join(spec.source.path, existingPrefix)
        let destinationFolder = spec.isWholeLocation ? spec.destination.path : Paths.join(spec.destination.path, existingPrefix)
        let destination = spec.destination.isRemote ? [Self.remoteFolder(spec.destination)] : [destinationFolder + "/"]
        if spec.source.isRemote {
            let names = spec.isWholeLocation ? [] : ["--recursive", "--files-from=" + (remoteNamesList ?? "-"), "--from0"]
            return names + [Self.remoteFolder(spec.source)] + destination
        }
        if spec.isWholeLocation { return [sourceFolder + "/"] + destination }
        let rest = Paths.relative(spec.parent, to: existingPrefix)
        return spec.names.map { Paths.join(Paths.join(Paths.join(sourceFolder, "."), rest), $0) } + destination
    }

    /// A remote source's names for `--files-from`, relative to the folder its server starts in.
    public var namesList: [String] {
        let rest = Paths.relative(spec.parent, to: existingPrefix)
        return spec.names.map { Paths.join(rest, $0) }
    }

    /// Whether the runs over the trees need `namesList` written to a file (`remoteNamesList`).
    public var needsNamesList: Bool { spec.source.isRemote && !spec.isWholeLocation }

    /// The two locations' folders as the listed runs take them.
    var sourceRoot: String { spec.source.isRemote ? Self.remoteFolder(spec.source) : spec.source.path + "/" }
    var destinationRoot: String { spec.destination.isRemote ? Self.remoteFolder(spec.destination) : spec.destination.path + "/" }

    /// `host:./`: the folder rsync's server was started in.
    static func remoteFolder(_ location: Location) -> String { location.rsyncOperand("./") }

    /// `-e SSH…` when one side is remote (rsync copies between at most one remote side), and where
    /// rsync's server starts: the remote folder of the runs over the trees (`trees`) or the
    /// location (the listed runs).
    func shellFlags(trees: Bool) -> [String] {
        guard let remoteShell else { return [] }
        guard let remote = spec.destination.isRemote ? spec.destination : spec.source.isRemote ? spec.source : nil else { return ["-e", remoteShell] }
        let folder = trees && !spec.isWholeLocation ? Paths.join(remote.path, existingPrefix) : remote.path
        return ["-e", remoteShell, "--rsync-path=cd " + RemoteShell.quote(folder) + " && rsync"]
    }

    var relativeFlag: [String] { spec.isWholeLocation ? [] : ["--relative"] }

    /// The marker and the trash at the top of a location are never copied, listed or deleted.
    /// Filter rules are anchored at the transfer root, which is the location only for these.
    var reservedExclusions: [String] {
        guard spec.isWholeLocation || existingPrefix.isEmpty else { return [] }
        return Self.reservedRules
    }
    static let reservedRules = ["--exclude=/" + ReservedName.trash + "/", "--exclude=/" + ReservedName.marker,
                                "--exclude=/" + ReservedName.probePrefix + ".*", "--exclude=" + ReservedName.renamePrefix + "*"]

    /// Which names `reservedRules` leave out, for the tree comparison, which must skip exactly
    /// those (`atTop`: in the location folder itself). The trash's rule ends in `/`: it matches
    /// a folder only.
    enum ReservedMatch { case none, always, whenFolder }
    static func reservedMatch(_ name: some Collection<UInt8>, atTop: Bool) -> ReservedMatch {
        if name.starts(with: renamePrefixBytes) { return .always }
        guard atTop, name.first == 0x2E else { return .none }
        if name.elementsEqual(markerBytes) || name.starts(with: probeBytes) { return .always }
        return name.elementsEqual(trashBytes) ? .whenFolder : .none
    }
    private static let renamePrefixBytes = Array(ReservedName.renamePrefix.utf8)
    private static let markerBytes = Array(ReservedName.marker.utf8)
    private static let probeBytes = Array((ReservedName.probePrefix + ".").utf8)
    private static let trashBytes = Array(ReservedName.trash.utf8)

    /// The config's exclusions for runs rooted below the location (the preview, single and bulk
    /// runs of PATHs): a pattern anchored with `/` means the location's top, so it is re-anchored
    /// at the transfer root, or dropped when it cannot reach below it.
    var userExclusions: [String] {
        spec.exclude.compactMap { pattern in
            guard pattern.hasPrefix("/"), !existingPrefix.isEmpty, !spec.isWholeLocation else { return "--exclude=" + pattern }
            let inside = String(pattern.dropFirst())
            guard inside.hasPrefix(existingPrefix + "/") else { return nil }
            return "--exclude=/" + inside.dropFirst(existingPrefix.count + 1)
        }
    }

    /// The same for the listed runs, which are rooted at the location.
    var listedExclusions: [String] { spec.exclude.map { "--exclude=" + $0 } }

    var checksumFlag: [String] { checksum ? ["--checksum"] : [] }

    /// -k: replaced and deleted files are moved into the trash folder instead of being lost.
    var keepFlags: [String] { trashFolder.map { ["--backup", "--backup-dir=" + $0] } ?? [] }

    /// `--tree` copies folders only; the exclusions of refused paths must come before these.
    var folderFilters: [String] { spec.action == .tree ? ["--include=*/", "--exclude=*"] : [] }

    static let output = "--out-format=" + ItemizedLine.formatWithLinks

    /// Reads a line of any of these runs; a name that holds ` -> ` or ` => ` itself is told from
    /// its target by asking the source what stands there.
    public func parse(_ text: String, sourceFiles: FileSystem) -> ItemizedLine? {
        guard let line = ItemizedLine.parse(text, withLinks: true) else { return nil }
        guard !line.otherSplits.isEmpty else { return line }
        return line.resolvingSplit { name, target in
            let at = { (printed: String) in Paths.join(spec.source.path, locationPath(ofPrinted: printed)) }
            let kind = sourceFiles.kind(of: at(name))
            return line.isHardLink ? kind == .regularFile && sourceFiles.kind(of: at(target)) == .regularFile : kind == .symbolicLink
        }
    }

    /// `--archive` and what the drives on both sides add to it or take from it.
    var archive: [String] { ["--archive"] + fidelity.rsyncFlags }

    /// The runs over the trees leave out what the destination cannot store.
    /// `--from0` first: rsync reads the file when it meets `--exclude-from`.
    var unstorableExclusions: [String] { unstorableRules.map { ["--from0", "--exclude-from=" + $0] } ?? [] }

    /// Location-relative paths as anchored exclusion rules of the runs over the trees, for a
    /// NUL-separated rules file.
    public func exclusionRules(for paths: [String]) -> [String] {
        paths.map { "/" + Self.escapeWildcards(transferRelative($0)) }
    }

    /// The preview: one dry run that itemizes every change (`--force` so that a folder replaced
    /// by a file previews instead of failing).
    public func preview(deleting: Bool) -> [String] {
        [program] + shellFlags(trees: true) + archive + ["--dry-run", "--force"] + checksumFlag + (deleting || itemizesEverything ? ["--delete"] : [])
            + (itemizesEverything ? ["--itemize-changes", "--itemize-changes"] : []) + relativeFlag + [Self.output] + reservedExclusions + userExclusions + folderFilters + operands
    }

    /// The single real run used when the destination has nothing of the items yet: nothing can
    /// be replaced or deleted, so there is no question to ask. `--ignore-existing` keeps it so
    /// if something appears there meanwhile (folders still get their attributes).
    public func singleRun() -> [String] {
        [program] + shellFlags(trees: true) + archive + ["--ignore-existing"] + relativeFlag + [Self.output] + reservedExclusions + userExclusions
            + unstorableExclusions + folderFilters + operands
    }

    /// Copies what the destination lacks and updates folder attributes; never replaces anything.
    /// `refused` are location-relative paths of declined changes of type, kept out by anchored rules.
    public func bulkNew(refused: [String]) -> [String] {
        let exclusions = refused.map { "--exclude=/" + Self.escapeWildcards(transferRelative($0)) }
        return [program] + shellFlags(trees: true) + archive + ["--ignore-existing"] + relativeFlag + [Self.output] + reservedExclusions + userExclusions
            + exclusions + unstorableExclusions + folderFilters + operands
    }

    /// Replaces exactly the listed location-relative paths: the accepted modifications. No
    /// recursion, no folders implied; `--force` lets a file replace a folder.
    public func replace(listFile: String) -> [String] {
        [program] + shellFlags(trees: false) + archive + ["--no-recursive", "--dirs", "--no-implied-dirs", "--force"] + checksumFlag + keepFlags + Self.reservedRules + listedExclusions
            + ["--files-from=" + listFile, "--from0", Self.output, sourceRoot, destinationRoot]
    }

    /// Adds exactly the listed location-relative paths (new items, folder updates, the folders
    /// whose times must be set) and can replace nothing. Listing "." brings in the location's
    /// top-level items too (rsync's `--dirs`), so declined changes of type are kept out.
    /// `topLevel` (see `ApplyPlan.topLevel(of:)`): with "." listed, only these top-level names.
    /// `--info=skip1` names each listed item it leaves alone because the destination has it now
    /// (it appeared there since the preview), so that the run does not claim it was copied.
    public func add(listFile: String, refused: [String], topLevel: [String]? = nil) -> [String] {
        [program] + shellFlags(trees: false) + archive + ["--no-recursive", "--dirs", "--no-implied-dirs", "--ignore-existing", "--info=skip1"]
            + Self.reservedRules + listedExclusions
            + refused.map { "--exclude=/" + Self.escapeWildcards($0) }
            + (topLevel.map { names in names.map { "--include=/" + Self.escapeWildcards($0) } + ["--exclude=/*"] } ?? [])
            + ["--files-from=" + listFile, "--from0", Self.output, sourceRoot, destinationRoot]
    }

    /// Deletes exactly the listed paths (names missing in the source); `--ignore-existing` keeps it
    /// from ever replacing an item whose name reappeared in the source since the preview.
    /// The listing of many paths of a remote host at once: a dry run from the host into an empty
    /// local folder, one line per path that exists with its time (`%M`), type and size.
    public static func remoteListing(shell: String, host: String, listFile: String, emptyFolder: String) -> [String] {
        ["rsync", "-e", shell, "--archive", "--dry-run", "--no-recursive", "--dirs", "--no-implied-dirs",
         "--files-from=" + listFile, "--from0", "--out-format=%M " + ItemizedLine.format, host + ":/", emptyFolder + "/"]
    }

    /// The arguments of one run of a plan; `listFile` holds the run's list (none for the runs
    /// over the trees). With `overallProgress` rsync reports its progress (`--info=progress2`).
    public func arguments(for run: RunPlan.Run, listFile: String?, plan: RunPlan, overallProgress: Bool = false) -> [String] {
        let arguments: [String] = switch run {
        case .delete: deletion(listFile: listFile ?? "-")
        case .replace: replace(listFile: listFile ?? "-")
        case .add(let list): add(listFile: listFile ?? "-", refused: plan.refused, topLevel: ApplyPlan.topLevel(of: list))
        case .folderTimes(let list): add(listFile: listFile ?? "-", refused: plan.refused, topLevel: ApplyPlan.topLevel(of: list))
        case .bulk: bulkNew(refused: plan.refused + plan.hardLinks.map(\.path))
        case .single: singleRun()
        }
        guard overallProgress && run.copies, let program = arguments.first else { return arguments }
        return [program, "--info=progress2"] + arguments.dropFirst()
    }

    public func deletion(listFile: String) -> [String] {
        [program] + shellFlags(trees: false) + archive + ["--no-recursive", "--dirs", "--no-implied-dirs", "--ignore-existing",
         "--delete-missing-args", "--force"] + keepFlags + Self.reservedRules + listedExclusions
            + ["--files-from=" + listFile, "--from0", Self.output, sourceRoot, destinationRoot]
    }

    func transferRelative(_ locationPath: String) -> String {
        if spec.isWholeLocation || existingPrefix.isEmpty { return locationPath }
        return Paths.relative(locationPath, to: existingPrefix)
    }

    /// A literal path as an rsync filter rule. rsync reads backslashes as escapes only in a
    /// rule that holds a wildcard (`*?[`); otherwise it compares the rule as it is.
    static func escapeWildcards(_ path: String) -> String {
        guard path.contains(where: { "*?[".contains($0) }) else { return path }
        var out = ""
        for character in path {
            if "*?[\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The environment rsync runs in: the C locale makes it escape every non-ASCII byte as
    /// `\#ooo`, so its output is decoded the same way whatever the user's locale.
    public static func environment(from base: [String: String]) -> [String: String] {
        var environment = base
        environment["LC_ALL"] = "C"
        // rsync's argument handling as this version of micsync knows it, whatever the user set.
        environment["RSYNC_OLD_ARGS"] = nil
        environment["RSYNC_PROTECT_ARGS"] = nil
        return environment
    }
}

/// Shell quoting for `-v`: a command printed so that it can be pasted into a shell.
public enum ShellQuote {
    public static func command(_ arguments: [String]) -> String {
        arguments.map(quote).joined(separator: " ")
    }

    public static func quote(_ argument: String) -> String {
        let bytes = PathBytes.bytes(argument)
        let plain = !bytes.isEmpty && bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || "-_./=:%,+@".utf8.contains(byte)
        }
        if plain { return argument }
        let needsANSI = bytes.contains { $0 < 0x20 || $0 == 0x7F } || String(validating: bytes, as: UTF8.self) == nil
        if !needsANSI { return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        // Bytes a terminal cannot show, or that are not UTF-8: bash's $'…' form.
        var out = "$'"
        for byte in bytes {
            switch byte {
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        // Valid UTF-8 above ASCII was written byte by byte above, which bash reassembles.
        return out + "'"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
