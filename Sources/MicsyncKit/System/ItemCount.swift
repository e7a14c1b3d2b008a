#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counting what a selection holds in a destination: the base of a percentage limit
/// (`--max-delete 10%`). Only done when such a limit has something to decide.
public extension FileSystem {
    /// The items of the transfer's PATHs in its destination (the PATHs themselves included; for
    /// the whole location everything in it but micsync's marker and trash); nil when unknown.
    func selectionItemCount(of spec: TransferSpec) -> Int? {
        let files = on(spec.destination)
        var total = 0
        for root in spec.roots {
            let path = root == "." ? spec.destination.path : Paths.join(spec.destination.path, root)
            let kind = files.kind(of: path)
            if kind == .missing || kind == .blockedByNonDirectory { continue }
            if root != "." { total += 1 }
            guard kind == .directory else { continue }
            guard let below = files.itemCount(under: path) else { return nil }
            total += below
            if root == "." {
                let trash = Paths.join(path, ReservedName.trash)
                if files.kind(of: trash) == .directory { total -= 1 + (files.itemCount(under: trash) ?? 0) }
                if files.kind(of: Paths.join(path, ReservedName.marker)) != .missing { total -= 1 }
            }
        }
        return max(total, 0)
    }
}

extension LocalFileSystem {
    public func itemCount(under path: String) -> Int? {
        guard let directory = PathBytes.bytes(path).withCString({ opendir($0) }) else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in PathBytes.string(Array(raw.prefix(while: { $0 != 0 }))) }
            if name == "." || name == ".." { continue }
            count += 1
            let child = Paths.join(path, name)
            let isFolder = entry.pointee.d_type == UInt8(DT_DIR) || (entry.pointee.d_type == UInt8(DT_UNKNOWN) && kind(of: child) == .directory)
            if isFolder {
                guard let below = itemCount(under: child) else { return nil }
                count += below
            }
        }
        return count
    }
}

extension RoutingFileSystem {
    public func itemCount(under path: String) -> Int? { local.itemCount(under: path) }
}

extension RemoteFileSystem {
    /// One `find` on the host; each name ends with a NUL, so a name holding a newline counts once.
    public func itemCount(under path: String) -> Int? {
        guard let absolute = absolute(path) else { return nil }
        let script = #"cd "$1" || exit 2; find . ! -name . -print0 | tr -cd '\000' | wc -c"#
        guard let answer = sessions.run("set -- " + RemoteShell.quote(absolute) + "; " + script, on: host),
              answer.result.status == 0 else { return nil }
        return Int(answer.output.trimmingSpaces())
    }
}
