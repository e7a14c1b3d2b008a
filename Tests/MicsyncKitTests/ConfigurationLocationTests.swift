import Foundation
import Testing
@testable import MicsyncKit

/// Where the configuration file is found, and how location paths are read (README: "Configuration").
@Suite("Configuration file locations")
struct ConfigurationLocationTests {
    func load(_ json: String, at file: String = "/etc/micsync/config.json", fileSystem: FakeFileSystem = FakeFileSystem()) throws -> Configuration {
        var fileSystem = fileSystem
        fileSystem.addFile(file, json)
        return try ConfigurationLoader(fileSystem: fileSystem).load(path: file)
    }

    // MARK: Which file

    @Test func theConfigOptionWinsOverTheEnvironment() {
        let loader = ConfigurationLoader(fileSystem: FakeFileSystem())
        #expect(loader.configurationPath(explicit: "/given.json", environment: "/env.json") == "/given.json")
        #expect(loader.configurationPath(explicit: "given.json", environment: nil) == "/cwd/given.json")
        #expect(loader.configurationPath(explicit: "~/given.json", environment: nil) == "/home/user/given.json")
    }

    @Test func theEnvironmentVariableComesNext() {
        let loader = ConfigurationLoader(fileSystem: FakeFileSystem())
        #expect(loader.configurationPath(explicit: nil, environment: "/env.json") == "/env.json")
        #expect(loader.configurationPath(explicit: nil, environment: "rel/env.json") == "/cwd/rel/env.json")
    }

    @Test func anEmptyEnvironmentVariableCountsAsUnset() {
        let loader = ConfigurationLoader(fileSystem: FakeFileSystem())
        #expect(loader.configurationPath(explicit: nil, environment: "") == "/home/user/.micsync.json")
        #expect(loader.configurationPath(explicit: nil, environment: nil) == "/home/user/.micsync.json")
    }

    // MARK: Location paths

    @Test func aValidFileGivesItsConfigsInOrder() throws {
        let configuration = try load("""
            {"configs": [
              {"name": "Documents", "work": ["/home/u/docs"], "backup": ["/mnt/usb1/docs", "/mnt/nas/docs"]},
              {"name": "Photos", "work": ["/home/u/photos", "/data/photos"], "backup": ["/archive/photos"]}
            ]}
            """)
        #expect(configuration.file == "/etc/micsync/config.json")
        #expect(configuration.configs.map(\.name) == ["Documents", "Photos"])
        #expect(configuration.configs[0].work == [Location(role: .work, path: "/home/u/docs")])
        #expect(configuration.configs[0].backup.map(\.path) == ["/mnt/usb1/docs", "/mnt/nas/docs"])
        #expect(configuration.configs[0].backup.allSatisfy { $0.role == .backup })
        #expect(configuration.configs[1].locations.map(\.path) == ["/home/u/photos", "/data/photos", "/archive/photos"])
    }

    @Test func aRelativeLocationIsTakenFromTheConfigurationFilesFolder() throws {
        var fileSystem = FakeFileSystem()
        fileSystem.cwd = "/somewhere/else"
        let configuration = try load(#"{"configs": [{"name": "A", "work": ["docs"], "backup": ["../archive/./docs"]}]}"#,
                                     at: "/etc/micsync/config.json", fileSystem: fileSystem)
        #expect(configuration.configs[0].locations.map(\.path) == ["/etc/micsync/docs", "/etc/archive/docs"])
        #expect(configuration.configs[0].work[0].written == "docs")
    }

    @Test func aRelativeLocationOnDiscIsTakenFromTheFilesFolderNotTheCurrentOne() throws {
        try withTemporaryFolder { temporary in
            try temporary.folder("conf/docs")
            let file = try temporary.file("conf/micsync.json", #"{"configs": [{"name": "A", "work": ["docs"], "backup": ["./backup"]}]}"#)
            let configuration = try ConfigurationLoader(fileSystem: LocalFileSystem()).load(path: file)
            #expect(configuration.configs[0].locations.map(\.path) == [temporary.at("conf/docs"), temporary.at("conf/backup")])
        }
    }

    @Test func aLinkToTheFileIsNotFollowedForRelativeLocations() throws {
        try withTemporaryFolder { temporary in
            try temporary.file("real/micsync.json", #"{"configs": [{"name": "A", "work": ["docs"], "backup": ["backup"]}]}"#)
            try temporary.folder("named")
            let link = try temporary.link("named/micsync.json", to: temporary.at("real/micsync.json"))
            let configuration = try ConfigurationLoader(fileSystem: LocalFileSystem()).load(path: link)
            #expect(configuration.configs[0].work[0].path == temporary.at("named/docs"))
        }
    }

    @Test func aRelativeConfigOptionIsTakenFromTheCurrentFolder() throws {
        try withTemporaryFolder { temporary in
            try temporary.file("conf/m.json", #"{"configs": [{"name": "A", "work": ["w"], "backup": ["b"]}]}"#)
            let fileSystem = LocalFileSystemIn(cwd: temporary.path)
            let configuration = try ConfigurationLoader(fileSystem: fileSystem).load(explicit: "conf/m.json", environment: nil)
            #expect(configuration.file == temporary.at("conf/m.json"))
            #expect(configuration.configs[0].work[0].path == temporary.at("conf/w"))
        }
    }

    @Test func aTildeStandsForTheHomeFolder() throws {
        let configuration = try load(#"{"configs": [{"name": "A", "work": ["~/docs"], "backup": ["/mnt/b"]}]}"#)
        #expect(configuration.configs[0].work.map(\.path) == ["/home/user/docs"])
        let home = try load(#"{"configs": [{"name": "A", "work": ["~"], "backup": ["/mnt/b"]}]}"#)
        #expect(home.configs[0].work[0].path == "/home/user")
        #expect(home.configs[0].work[0].written == "~")
    }

    @Test func aTrailingSlashChangesNothing() throws {
        let configuration = try load(#"{"configs": [{"name": "A", "work": ["/data/docs/"], "backup": ["/mnt//b/./"]}]}"#)
        #expect(configuration.configs[0].locations.map(\.path) == ["/data/docs", "/mnt/b"])
        #expect(configuration.configs[0].work[0].written == "/data/docs/")
    }

    @Test func symbolicLinksInAnExistingLocationPathAreResolved() throws {
        try withTemporaryFolder { temporary in
            try temporary.folder("disk/docs")
            try temporary.link("mnt", to: temporary.at("disk"))
            let file = try temporary.file("m.json", """
                {"configs": [{"name": "A", "work": ["mnt/docs"], "backup": ["mnt/unplugged/docs"]}]}
                """)
            let configuration = try ConfigurationLoader(fileSystem: LocalFileSystem()).load(path: file)
            #expect(configuration.configs[0].work[0].path == temporary.at("disk/docs"))
            // Where the location does not exist, the links of its deepest existing folder are resolved.
            #expect(configuration.configs[0].backup[0].path == temporary.at("disk/unplugged/docs"))
        }
    }

    @Test func aLocationGivenThroughALinkIsTheSameFolderAsItsTarget() throws {
        try withTemporaryFolder { temporary in
            try temporary.folder("data")
            try temporary.link("alias", to: temporary.at("data"))
            let file = try temporary.file("m.json", #"{"configs": [{"name": "A", "work": ["data"], "backup": ["alias/"]}]}"#)
            let error = #expect(throws: ConfigError.self) { try ConfigurationLoader(fileSystem: LocalFileSystem()).load(path: file) }
            #expect(error?.message.contains("same folder") == true)
        }
    }
}
