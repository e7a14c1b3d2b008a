/// One item a copy would change, by its path relative to the location.
public struct Change: Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Nothing is at this path in the destination.
        case new
        /// An existing non-folder is replaced, or something is replaced by another type.
        case modified
        /// A folder that exists on both sides gets the source's attributes: never asked about.
        case folderUpdate
        case deletion
    }

    public var kind: Kind
    /// Relative to the location, without a trailing slash; "." is the location folder itself.
    public var path: String
    public var isDirectory: Bool
    /// rsync's 11-character change field, e.g. `>f.st......`.
    public var itemize: String
    public var size: Int64
    /// For a change of type: what the destination holds now ("folder", "file", "link", …).
    public var replaces: String?
    /// Overwriting loses a destination copy newer than the source copy.
    public var destinationIsNewer = false
    /// For a folder replaced by a non-folder: what inside it would be gone with it.
    public var contained: [String] = []
    /// The destination item as the preview saw it (modified and deleted items only).
    public var destinationStamp: FileStamp?
    /// Why the destination cannot store this item (the preview's "Cannot be copied" group).
    public var refusal: String?
    /// A hard link whose leader (location-relative) the destination already has, or that is
    /// copied in another run: made by linking to it there (see `ApplyPlan.hardLinks`).
    public var hardLinkLeader: String?
    /// A case-only rename on a drive that does not tell case apart: the destination's name now.
    public var renamedFrom: String?

    public init(kind: Kind, path: String, isDirectory: Bool, itemize: String, size: Int64 = 0, replaces: String? = nil) {
        self.kind = kind
        self.path = path
        self.isDirectory = isDirectory
        self.itemize = itemize
        self.size = size
        self.replaces = replaces
    }

    /// Only the contents differ (rsync's checksum flag `c` without a size or time change): a
    /// difference that only `-c` finds.
    public var onlyContentDiffers: Bool {
        let flags = Array(itemize)
        return flags.count >= 5 && flags[2] == "c" && flags[3] != "s" && flags[4] != "t"
    }

    /// The path as listed: relative to the location, a folder with a trailing `/`.
    public var displayPath: String {
        if path == "." { return "./" }
        return PathBytes.display(path) + (isDirectory ? "/" : "")
    }
}
