/// Lexical path helpers on absolute, lossless `String` paths (see `PathBytes`).
public enum Paths {
    /// Expands `~` and `~/…` with `home`, and makes a relative path absolute against `base`.
    public static func absolute(_ path: String, base: String, home: String) -> String {
        var expanded = path
        if path == "~" {
            expanded = home
        } else if path.hasPrefix("~/") {
            expanded = home + String(path.dropFirst(1))
        }
        if !expanded.hasPrefix("/") { expanded = base + "/" + expanded }
        return normalized(expanded)
    }

    /// Collapses `//`, `.` and `..` and drops a trailing slash: `/a//b/./c/` → `/a/b/c`.
    public static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `inner` equals `outer` or lies inside it, on whole path components.
    public static func contains(_ outer: String, _ inner: String) -> Bool {
        if outer == inner { return true }
        if outer == "/" { return inner.hasPrefix("/") }
        return inner.hasPrefix(outer + "/")
    }

    /// `inner` relative to `outer` ("" when equal); `inner` must lie in `outer`.
    public static func relative(_ inner: String, to outer: String) -> String {
        if inner == outer { return "" }
        if outer.isEmpty { return inner }  // relative paths: "" is the top
        if outer == "/" { return String(inner.dropFirst()) }
        return String(inner.dropFirst(outer.count + 1))
    }

    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return path == "/" ? "" : "/" }
        return String(path[..<slash])
    }

    /// The folders a relative path lies in, nearest first ("a/b/c": "a/b", "a").
    public static func folders(above path: String) -> [String] {
        var folders: [String] = []
        var folder = parent(path)
        while !folder.isEmpty {
            folders.append(folder)
            folder = parent(folder)
        }
        return folders
    }

    /// How many folders deep a relative path lies ("a" 0, "a/b" 1).
    public static func depth(_ path: String) -> Int {
        path.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
    }

    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Joins a folder and a relative path, either of which may be empty.
    public static func join(_ base: String, _ relative: String) -> String {
        if relative.isEmpty { return base }
        if base.isEmpty { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// Resolves the symbolic links of `path`; where it does not exist (an unplugged drive),
    /// those of its deepest existing ancestor, keeping the rest as written.
    public static func resolvingLinks(_ path: String, in fileSystem: FileSystem) -> String {
        if let real = fileSystem.realPath(path) { return real }
        var head = path
        var tail: [String] = []
        while head != "/" && !head.isEmpty {
            tail.insert(lastComponent(head), at: 0)
            head = parent(head)
            if let real = fileSystem.realPath(head) {
                return normalized(real + "/" + tail.joined(separator: "/"))
            }
        }
        return path
    }
}
