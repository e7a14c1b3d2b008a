/// What the user asked for, as values: the command line's only product.
public struct Request: Equatable, Sendable {
    public var action: Action
    public var options: SyncOptions
    public var paths: [String]
    public var configFile: String?
    public var configName: String?
    public var from: String?
    public var to: [String]

    public init(action: Action, options: SyncOptions = SyncOptions(), paths: [String], configFile: String? = nil,
                configName: String? = nil, from: String? = nil, to: [String] = []) {
        self.action = action
        self.options = options
        self.paths = paths
        self.configFile = configFile
        self.configName = configName
        self.from = from
        self.to = to
    }
}
