/// The capability trial of remote locations: the local trial's steps as a POSIX sh script
/// (coreutils' stat, touch, ln, mkfifo, chmod, mktemp; awk and od), which the host's SSH probe
/// runs for each of its locations in the same round trip, and the reading of its answer. The
/// location folder's times are kept on a file in the temporary folder and put back with one
/// `touch -r`: exfat-fuse ignores a change of only one of the two times.
///
/// Each location `i` answers lines `c<i> KEY [VALUE]`: `-` not a folder; `m` its mount table
/// line; `b` the first 90 bytes of a FUSE mount's source in hex; `w UID` the private folder
/// was made (the trials ran, as UID); `s NAME|MODE|UID|GID|LINKS|BLOCKS|BLOCKSIZE|MTIME|TYPE` a
/// trial file's status; `k` a name was found in another case; `x BYTES…` the refused name
/// bytes; `u` a name that is not UTF-8 was refused; `a 1|0` and `l 1|0` a user extended
/// attribute and an ACL kept (no line: setfattr/getfattr or setfacl/getfacl are missing);
/// `g` the ACL also shows as an XFS attribute; `o` the location is the root folder of its mount.
/// rsync answers `r LINE` per line of `rsync --version`, or `r-` when the host has none.
enum RemoteDriveTrial {
    /// The trial of each path (home-relative `~` paths allowed), then `rsync --version`, which
    /// runs meanwhile (the trial starts a few dozen small programs: whatever runs beside them is
    /// time saved) into a pipe that is read only after the trial: a mount table line can be
    /// longer than a pipe keeps whole in one write (an overlay of many layers), so nothing may
    /// write beside the trial.
    static func script(_ paths: [String]) -> String {
        guard !paths.isEmpty else { return rsyncVersionScript }
        let calls = SSHSessions.shellWords(paths).enumerated().map { "mt \($0.offset) \($0.element) </dev/null" }
        return function + "; { " + rsyncVersionScript + "; } | { " + calls.joined(separator: "; ")
            + #"; while IFS= read -r line; do printf '%s\n' "$line"; done; }"#
    }

    static let rsyncVersionScript = #"if command -v rsync >/dev/null 2>&1; then rsync --version 2>/dev/null | while IFS= read -r v; do printf 'r %s\n' "$v"; done; else echo r-; fi"#

    /// The mount table line of the deepest mount point on the way to the resolved path `P`
    /// (escapes such as `\040` undone to compare), after `R ` if it is `P` itself, else `N `.
    static let mountLineProgram = #"BEGIN { p = ENVIRON["P"]; n = -1 } { m = $5; gsub(/\\040/, " ", m); gsub(/\\011/, "\t", m); gsub(/\\012/, "\n", m); gsub(/\\134/, "\\", m); if ((m == "/" || p == m || index(p, m "/") == 1) && length(m) >= n) { n = length(m); b = $0 } } END { if (n >= 0) print (n == length(p) ? "R " : "N ") b }"#

    static var function: String {
        let id = String(DriveTrial.otherID)
        let refused = FileSystemCapabilities.windowsRefusedBytes.map { byte -> String in
            let name = RemoteShell.quote(PathBytes.string(DriveTrial.candidateName(byte)))
            return "{ true >\(name) && [ -e \(name) ]; } || x=\"$x \(byte)\""
        }.joined(separator: "; ")
        let all = RemoteShell.quote(PathBytes.string(DriveTrial.allCandidatesName))
        let nonUTF8 = RemoteShell.quote(PathBytes.string(DriveTrial.nonUTF8Name))
        return """
            mt() { i=$1; r=$(cd "$2" 2>/dev/null && pwd -P) || { echo "c$i -"; return 0; }; \
            l=$(P="$r" awk \(RemoteShell.quote(mountLineProgram)) /proc/self/mountinfo 2>/dev/null); \
            case "$l" in R*) printf 'c%s o\\n' "$i";; esac; l=${l#? }; \
            [ -n "$l" ] && printf 'c%s m %s\\n' "$i" "$l"; \
            case "$l" in *" - fuse "*|*" - fuseblk "*) s=${l#* - }; s=${s#* }; s=${s%% *}; \
            [ -r "$s" ] && printf 'c%s b %s\\n' "$i" "$(od -A n -t x1 -N 90 "$s" 2>/dev/null | tr -d ' \\n')";; esac; \
            t=$(mktemp 2>/dev/null) || return 0; touch -r "$r" "$t"; \
            d=$(mktemp -d "$r/\(DriveTrial.folderPrefix).XXXXXX" 2>/dev/null) || { rm -f "$t"; return 0; }; \
            (cd "$d" || exit 0; u=$(id -u); printf 'c%s w %s\\n' "$i" "$u"; \
            true > f && chmod 640 f && [ "$(stat -c %a f)" = 640 ] && chmod 604 f; \
            [ "$u" = 0 ] && chown \(id):\(id) f; ln -s f l; ln f h; mkfifo p; \
            dd if=/dev/zero of=s bs=1 count=1 seek=1048576; TZ=UTC0 touch -d '\(DriveTrial.probeTimeText)' t; \
            true > c; [ -e C ] && printf 'c%s k\\n' "$i"; \
            x=; { true >\(all) && [ -e \(all) ]; } || { \(refused); }; printf 'c%s x%s\\n' "$i" "$x"; \
            { true >\(nonUTF8) && [ -e \(nonUTF8) ]; } || printf 'c%s u\\n' "$i"; \
            TZ=UTC0 stat -c "c$i s %n|%a|%u|%g|%h|%b|%B|%y|%F" f l p s t; \
            if command -v setfattr >/dev/null && command -v getfattr >/dev/null; then true > a; \
            if setfattr -n \(DriveTrial.attributeName) -v 1 a && [ "$(getfattr --only-values -n \(DriveTrial.attributeName) a)" = 1 ]; \
            then echo "c$i a 1"; else echo "c$i a 0"; fi; fi; \
            if command -v setfacl >/dev/null && command -v getfacl >/dev/null; then true > e; \
            if setfacl -m u:\(id):r e && case "$(getfacl -n e)" in *"
            user:\(id):"*) true;; *) false;; esac; then echo "c$i l 1"; \
            case "$(getfattr -m - e)" in *SGI_ACL*) echo "c$i g";; esac; else echo "c$i l 0"; fi; fi) 2>/dev/null; \
            rm -rf "$d"; touch -r "$t" "$r"; rm -f "$t"; }
            """
    }

    /// Each path's answer lines (without their `c<i> ` prefix), nil for a path the answer does not
    /// mention.
    static func answers(in lines: [String], count: Int) -> [[String]?] {
        var answers = [[String]?](repeating: nil, count: count)
        for line in lines where line.hasPrefix("c") {
            let digits = line.dropFirst().prefix { $0.isNumber }
            guard let index = Int(digits), index < count else { continue }
            let rest = line.dropFirst(1 + digits.count)
            answers[index, default: []].append(String(rest.hasPrefix(" ") ? rest.dropFirst() : rest))
        }
        return answers
    }

    /// The text of `rsync --version` in an answer: nil if not there, "" if the host has none.
    static func rsyncVersion(in lines: [String]) -> String? {
        if lines.contains("r-") { return "" }
        let text = lines.filter { $0.hasPrefix("r ") }.map { String($0.dropFirst(2)) }
        return text.isEmpty ? nil : text.joined(separator: "\n")
    }
}

extension RemoteDriveTrial {
    /// What one location's answer lines say it can store. Where setfattr or setfacl are missing
    /// on the host, extended attributes and ACLs are as the type has them, if the host's rsync
    /// can copy them at all.
    static func capabilities(from lines: [String], rsync: RsyncCapabilities) -> FileSystemCapabilities {
        func value(_ key: String) -> String? {
            lines.first { $0 == key || $0.hasPrefix(key + " ") }.map { String($0.dropFirst(min($0.count, key.count + 1))) }
        }
        guard !lines.isEmpty, value("-") == nil else { return .everything() }
        let entry = value("m").flatMap { MountTable.parse($0).first }
        let sector = value("b").map(bytes(fromHex:))
        let type = entry.map { MountTable.typeName(of: $0, bootSector: sector) } ?? "unknown"
        let options = entry?.options ?? []
        let isMountRoot = value("o") != nil
        let rules = DriveTrial.atLocation(FileSystemCapabilities.ofType(type, mountOptions: options), isMountRoot: isMountRoot)
        guard let user = value("w") else { return rules }
        var tried = FileSystemCapabilities(type: type, learnedBy: .trying)
        var files: [String: [String]] = [:]
        for line in lines where line.hasPrefix("s ") {
            let fields = line.dropFirst(2).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if fields.count == 9 { files[fields[0]] = fields }
        }
        // A folder but no file could be made (fusefat): nothing was learned by trying.
        guard let file = files["f"] else { return rules }
        tried.permissions = file[1] == "604"
        tried.ownership = user == "0" ? file[2] == String(DriveTrial.otherID) && file[3] == String(DriveTrial.otherID) : tried.permissions
        tried.hardLinks = file[4] == "2"
        tried.symbolicLinks = files["l"]?[8] == "symbolic link"
        tried.specialFiles = files["p"]?[8] == "fifo"
        if let sparse = files["s"], let blocks = Int(sparse[5]), let blockSize = Int(sparse[6]) {
            tried.sparseFiles = blocks * blockSize < 1 << 19
        } else {
            tried.sparseFiles = false
        }
        if let time = files["t"].flatMap({ readTime($0[7]) }),
           let resolution = DriveTrial.timeResolution(set: DriveTrial.probeTime, read: time) {
            tried.timeResolution = resolution
        }
        tried.caseSensitive = value("k") == nil
        let refused = Set((value("x") ?? "").split(separator: " ").compactMap { UInt8($0) })
        tried.refusedBytes = FileSystemCapabilities.windowsRefusedBytes.filter(refused.contains)
        tried.requiresUTF8Names = value("u") != nil
        tried.extendedAttributes = value("a").map { $0 == "1" } ?? (rsync.extendedAttributes && rules.extendedAttributes)
        tried.acls = value("l").map { $0 == "1" } ?? (rsync.acls && rules.acls)
        tried.aclsAsExtendedAttributes = value("g") != nil
        return DriveTrial.completed(tried, mountOptions: options, isMountRoot: isMountRoot)
    }

    /// `stat`'s `%y` of the trial's time file, read in UTC: only its minute is expected, so the
    /// seconds and their fraction are what the file system kept.
    static func readTime(_ text: String) -> (seconds: Int, nanoseconds: Int)? {
        let minute = String(DriveTrial.probeTimeText.prefix(17))
        guard text.hasPrefix(minute) else { return nil }
        let rest = text.dropFirst(minute.count).prefix { $0 != " " }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard let seconds = Int(parts[0]) else { return nil }
        var nanoseconds = 0
        if parts.count > 1 {
            let digits = String(parts[1].prefix(9))
            guard let fraction = Int(digits) else { return nil }
            nanoseconds = fraction * (0..<(9 - digits.count)).reduce(1) { product, _ in product * 10 }
        }
        let setSeconds = Int(DriveTrial.probeTimeText.dropFirst(minute.count).prefix(2)) ?? 0
        return (DriveTrial.probeTime.seconds - setSeconds + seconds, nanoseconds)
    }

    static func bytes(fromHex text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while let end = text.index(index, offsetBy: 2, limitedBy: text.endIndex), end > index {
            guard let byte = UInt8(text[index..<end], radix: 16) else { break }
            bytes.append(byte)
            index = end
        }
        return bytes
    }
}

extension Array where Element == [String]? {
    fileprivate subscript(index: Int, default value: [String]) -> [String] {
        get { self[index] ?? value }
        set { self[index] = newValue }
    }
}
