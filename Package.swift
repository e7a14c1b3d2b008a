// swift-tools-version: 6.0
// Linux only: micsync calls the C library (Glibc) directly, so it claims no other platform.
import PackageDescription

let package = Package(
    name: "micsync",
    products: [
        .executable(name: "micsync", targets: ["micsync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // All behaviour lives here; it never imports ArgumentParser.
        .target(name: "MicsyncKit", dependencies: ["CFileSystemCalls"]),
        // statfs and extended attributes, which Swift's Glibc module does not bring.
        .target(name: "CFileSystemCalls"),
        // The command line: flags → Request, errors → exit statuses.
        .target(
            name: "MicsyncCLI",
            dependencies: [
                "MicsyncKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "micsync", dependencies: ["MicsyncCLI"]),
        .testTarget(name: "MicsyncKitTests", dependencies: ["MicsyncKit"]),
        .testTarget(name: "MicsyncCLITests", dependencies: ["MicsyncCLI", "MicsyncKit"]),
        // Runs the built binary; depends on it so `swift test` builds it first.
        .testTarget(name: "EndToEndTests", dependencies: ["micsync"]),
    ]
)
