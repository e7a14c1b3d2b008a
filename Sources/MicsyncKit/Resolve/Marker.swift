/// `micsync --mark PATH`: puts the marker file into the location that holds PATH, so that a
/// config with `"require_marker": true` counts that location as accessible (and an empty mount
/// point, which has no marker, as not plugged in).
public struct Marker: Sendable {
    let fileSystem: FileSystem

    public init(fileSystem: FileSystem) { self.fileSystem = fileSystem }

    /// The locations marked (one per config that names the location holding PATH).
    public func mark(_ argument: String, in configuration: Configuration) throws -> Location {
        let absolute = Paths.absolute(argument, base: fileSystem.currentDirectory(), home: fileSystem.homeDirectory())
        guard fileSystem.isDirectory(absolute) || fileSystem.kind(of: absolute) != .missing else {
            throw PathError(message: "\(PathBytes.display(argument)): no such file or directory")
        }
        let path = Paths.resolvingLinks(absolute, in: fileSystem)
        guard let location = configuration.configs.flatMap(\.locations).first(where: { $0.holds(path) }) else {
            throw UsageError("\(PathBytes.display(argument)) is in no location of any config in \(PathBytes.display(configuration.file))")
        }
        let marker = Paths.join(location.path, ReservedName.marker)
        do {
            try fileSystem.createFile(marker, contents: Array("This folder is a micsync location; see micsync --help.\n".utf8))
        } catch {
            throw SyncError("cannot create \(PathBytes.display(marker)): \(error.reason)")
        }
        return location
    }
}
