/// One copy from a source location to a destination location of the same config: the PATHs as
/// names inside one parent folder, the same relative paths in both locations.
public struct TransferSpec: Equatable, Sendable {
    public let action: Action
    public let configName: String
    public let source: Location
    public let destination: Location
    /// The PATHs' parent folder relative to the location ("" is the location folder).
    public let parent: String
    /// The PATHs' last components; empty means the whole location.
    public let names: [String]
    /// The config asks for replaced and deleted files to be kept in the trash (`"keep": true`).
    public var keep = false
    /// The config's `"exclude"` patterns.
    public var exclude: [String] = []
    /// The config's `"acls_xattrs"`: ACLs and extended attributes are kept where both sides
    /// can hold them (false: neither, for speed).
    public var aclsAndXattrs = true
    /// The config's limits and its say on unattended runs.
    public var policy = ChangePolicy()

    public init(action: Action, configName: String, source: Location, destination: Location, parent: String, names: [String]) {
        self.action = action
        self.configName = configName
        self.source = source
        self.destination = destination
        self.parent = parent
        self.names = names
    }

    public var isWholeLocation: Bool { names.isEmpty }

    /// The location-relative paths of the copied items ("." for the whole location).
    public var roots: [String] { isWholeLocation ? ["."] : names.map { Paths.join(parent, $0) } }

    /// Whether a location-relative path is one of the copied items or inside one.
    public func isInside(_ path: String) -> Bool {
        if isWholeLocation { return true }
        return roots.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
