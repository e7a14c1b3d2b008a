// The packages a user installs: `make deb` (Debian/Ubuntu), `make dist` (the single-file download)
// and packaging/arch/PKGBUILD. The suite builds the .deb and the tarball once, by make, from the
// release binary, then takes them apart and runs what they hold as a user would on a machine
// without Swift: the toolchain's folder is hidden under an empty tmpfs in a private mount
// namespace (`unshare -m`), so nothing can load the Swift runtime from it.
//
// Needs dpkg-deb, dpkg-shlibdeps (dpkg-dev), lintian, makepkg with pacman, man and unshare; `make
// test` installs the missing ones (`make packaging-tools`).

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What `make deb dist` wrote, for the tests of the suite.
struct BuiltPackages: Sendable {
    let deb: String
    let tarball: String
    let version: String

    @TaskLocal static var current: BuiltPackages?

    static func require() throws -> BuiltPackages {
        try #require(current, "the packages were not built (see the suite's error)")
    }
}

/// Builds the packages once, before the tests of the suite it marks, into a sandbox removed after.
struct BuildsPackages: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let box = try Sandbox()
        let version = try PackagingTests.codeVersion()
        // With the real HOME, so that SwiftPM uses its usual cache and leaves no lock file for a
        // cache in the sandbox behind in /tmp.
        let home = ProcessInfo.processInfo.environment["HOME"].map { "HOME=\(shellQuoted($0)) " } ?? ""
        let make = try box.shell("\(home)make -C \(shellQuoted(PackagingTests.repository)) deb dist DIST=\(shellQuoted(box.path("dist")))",
                                 timeout: 900)
        guard make.status == 0 else { throw Failure("make deb dist failed:\n\(make)") }
        let packages = BuiltPackages(
            deb: box.path("dist/micsync_\(version)_\(try PackagingTests.debianArchitecture(box)).deb"),
            tarball: box.path("dist/micsync-\(version)-linux-\(try PackagingTests.machine(box)).tar.gz"),
            version: version)
        try await BuiltPackages.$current.withValue(packages) { try await function() }
        withExtendedLifetime(box) {}
    }
}

extension Trait where Self == BuildsPackages {
    static var buildsPackages: Self { Self() }
}

@Suite("packages · make deb, make dist, the Arch PKGBUILD", .serialized, .buildsPackages)
struct PackagingTests {
    /// The repository root: Tests/EndToEndTests/PackagingTests.swift, three levels up.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The version the code keeps (what `--version` prints), read from its one place.
    static func codeVersion() throws -> String {
        let source = try String(contentsOfFile: repository + "/Sources/MicsyncCLI/MicsyncCommand.swift", encoding: .utf8)
        let match = try #require(source.firstMatch(of: /public let micsyncVersion = "([^"]+)"/), "no micsyncVersion in the sources")
        return String(match.1)
    }

    static func debianArchitecture(_ box: Sandbox) throws -> String {
        try box.shell("dpkg --print-architecture").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func machine(_ box: Sandbox) throws -> String {
        try box.shell("uname -m").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: The .deb

    @Test("the .deb's control: micsync at the code's version, Depends on rsync and exactly the libraries dpkg-shlibdeps finds")
    func debControl() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        func field(_ name: String) throws -> String {
            try box.shell("dpkg-deb -f \(shellQuoted(packages.deb)) \(name)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try field("Package") == "micsync")
        #expect(try field("Version") == packages.version)
        #expect(try field("Architecture") == Self.debianArchitecture(box))
        #expect(try field("Recommends") == "openssh-client")
        #expect(try field("Section") == "utils")
        #expect(try field("Maintainer").contains("@"))
        #expect(try field("Description").hasPrefix("keep working folders"))

        let depends = Set(try field("Depends").components(separatedBy: ", "))
        #expect(depends.contains("rsync (>= 3.1)"), "\(depends)")
        #expect(!depends.contains { $0.contains("swift") }, "\(depends)")
        // What dpkg-shlibdeps (which needs a debian/control beside it) says the binary needs.
        try extract(packages.deb, into: "root", box)
        try box.write("root/debian/control", "Source: micsync\n\nPackage: micsync\nArchitecture: any\n")
        let shlibdeps = try box.shell("cd root && dpkg-shlibdeps -O usr/bin/micsync 2>/dev/null")
        try #require(shlibdeps.status == 0, "\(shlibdeps)")
        let libraries = shlibdeps.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "shlibs:Depends=", with: "").components(separatedBy: ", ")
        #expect(!libraries.isEmpty)
        #expect(depends == Set(libraries + ["rsync (>= 3.1)"]), "Depends differs from dpkg-shlibdeps: \(libraries)")
    }

    @Test("the .deb holds the binary, the gzipped man page, the completions where each shell looks, and the docs")
    func debFiles() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        let listing = try box.shell("dpkg-deb -c \(shellQuoted(packages.deb))")
        try #require(listing.status == 0, "\(listing)")
        // Lines: mode owner/group size date time ./path
        let files = listing.lines.filter { $0.hasPrefix("-") }.map { line -> String in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return "\(fields[0]) \(fields[1]) \(fields[5])"
        }
        #expect(Set(files) == [
            "-rwxr-xr-x root/root ./usr/bin/micsync",
            "-rw-r--r-- root/root ./usr/share/man/man1/micsync.1.gz",
            "-rw-r--r-- root/root ./usr/share/bash-completion/completions/micsync",
            "-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_micsync",
            "-rw-r--r-- root/root ./usr/share/fish/vendor_completions.d/micsync.fish",
            "-rw-r--r-- root/root ./usr/share/doc/micsync/README.md",
            "-rw-r--r-- root/root ./usr/share/doc/micsync/changelog.gz",
            "-rw-r--r-- root/root ./usr/share/doc/micsync/copyright",
        ], "\(listing)")
        try extract(packages.deb, into: "root", box)
        #expect(box.read("root/usr/share/doc/micsync/README.md") == (try String(contentsOfFile: Self.repository + "/README.md", encoding: .utf8)))
        let changelog = try box.shell("gzip -dc root/usr/share/doc/micsync/changelog.gz")
        #expect(changelog.stdout.hasPrefix("micsync (\(packages.version)) unstable; urgency=medium\n"), "\(changelog)")
        let zsh = try box.shell("head -n 1 root/usr/share/zsh/vendor-completions/_micsync")
        #expect(zsh.stdout == "#compdef micsync\n", "\(zsh)")
    }

    @Test("the .deb's binary needs no Swift: --version, --help and a real --backup with the toolchain hidden")
    func debRunsWithoutSwift() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        try extract(packages.deb, into: "root", box)
        try expectRunsWithoutSwift(box.path("root/usr/bin/micsync"), version: packages.version, box)
    }

    @Test("apt would install the .deb here: its dependencies resolve (simulated, nothing changes)")
    func debInstallsWithApt() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        let apt = try box.shell("apt-get install --simulate \(shellQuoted(packages.deb))", timeout: 300)
        #expect(apt.status == 0, "\(apt)")
        #expect(apt.lines.contains { $0.hasPrefix("Inst micsync (\(packages.version) ") }, "\(apt)")
    }

    @Test("man -l renders the .deb's man page")
    func debManPage() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        try extract(packages.deb, into: "root", box)
        try expectManPageRenders(box.path("root/usr/share/man/man1/micsync.1.gz"), box)
    }

    @Test("lintian reports no error for the .deb")
    func debLintian() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        // lintian leaves its MLDBM files in TMPDIR: one in the sandbox.
        try box.folder("tmp")
        let lintian = try box.shell("TMPDIR=\(shellQuoted(box.path("tmp"))) lintian \(shellQuoted(packages.deb))", timeout: 300)
        #expect(lintian.status == 0, "\(lintian)")
        #expect(!lintian.lines.contains { $0.hasPrefix("E:") }, "\(lintian)")
    }

    // MARK: The tarball

    @Test("the tarball matches its .sha256 and holds bin/micsync, the man page, the completions and the README")
    func tarballFiles() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        let folder = (packages.tarball as NSString).deletingLastPathComponent
        let name = (packages.tarball as NSString).lastPathComponent
        let check = try box.shell("cd \(shellQuoted(folder)) && sha256sum -c \(shellQuoted(name + ".sha256"))")
        #expect(check.status == 0 && check.stdout == "\(name): OK\n", "\(check)")

        let listing = try box.shell("tar -tvzf \(shellQuoted(packages.tarball))")
        try #require(listing.status == 0, "\(listing)")
        let top = "micsync-\(packages.version)-linux-\(try Self.machine(box))/"
        let files = listing.lines.filter { $0.hasPrefix("-") }.map { line -> String in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return "\(fields[0]) \(fields[5])"
        }
        #expect(Set(files) == [
            "-rwxr-xr-x \(top)bin/micsync",
            "-rw-r--r-- \(top)share/man/man1/micsync.1",
            "-rw-r--r-- \(top)share/bash-completion/completions/micsync",
            "-rw-r--r-- \(top)share/zsh/site-functions/_micsync",
            "-rw-r--r-- \(top)share/fish/vendor_completions.d/micsync.fish",
            "-rw-r--r-- \(top)README.md",
        ], "\(listing)")
    }

    @Test("the tarball's binary needs no Swift, and its man page renders")
    func tarballRunsWithoutSwift() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        try box.folder("out")
        let untar = try box.shell("tar -xzf \(shellQuoted(packages.tarball)) -C out")
        try #require(untar.status == 0, "\(untar)")
        let top = box.path("out/micsync-\(packages.version)-linux-\(try Self.machine(box))")
        try expectRunsWithoutSwift(top + "/bin/micsync", version: packages.version, box)
        try expectManPageRenders(top + "/share/man/man1/micsync.1", box)
    }

    // MARK: The PKGBUILD

    @Test("makepkg --printsrcinfo, run as an unprivileged user, accepts the PKGBUILD at the code's version")
    func pkgbuild() throws {
        let packages = try BuiltPackages.require()
        let box = try Sandbox()
        // makepkg refuses to run as root and wants to write where the PKGBUILD is: a copy in a
        // folder of its own, given to `nobody` when the tests run as root.
        try box.folder("arch")
        try FileManager.default.copyItem(atPath: Self.repository + "/packaging/arch/PKGBUILD", toPath: box.path("arch/PKGBUILD"))
        let asUser = getuid() == 0
            ? "chown -R nobody \(shellQuoted(box.path("arch"))) && setpriv --reuid=nobody --regid=\"$(id -g nobody)\" --clear-groups env HOME=/nonexistent"
            : "env"
        let makepkg = try box.shell("cd arch && \(asUser) makepkg --printsrcinfo")
        #expect(makepkg.status == 0, "\(makepkg)")
        let info = Set(makepkg.lines.map { $0.trimmingCharacters(in: .whitespaces) })
        for line in ["pkgbase = micsync", "pkgname = micsync", "pkgver = \(packages.version)", "depends = rsync",
                     "makedepends = swift-language", "optdepends = openssh: remote locations over SSH"] {
            #expect(info.contains(line), "no \"\(line)\" in:\n\(makepkg)")
        }
    }

    // MARK: Helpers

    /// Unpacks a .deb with `dpkg-deb -x` into the sandbox folder `folder`.
    func extract(_ deb: String, into folder: String, _ box: Sandbox) throws {
        let result = try box.shell("dpkg-deb -x \(shellQuoted(deb)) \(shellQuoted(box.path(folder)))")
        try #require(result.status == 0, "\(result)")
    }

    /// Runs `binary` where the toolchain cannot be reached: --version, --help, then a --backup of
    /// a small tree to two BACKUPs, checked file by file.
    func expectRunsWithoutSwift(_ binary: String, version: String, _ box: Sandbox) throws {
        let needed = try box.shell("readelf -d \(shellQuoted(binary))")
        #expect(!needed.stdout.contains("libswift") && !needed.stdout.contains("RPATH"),  // RPATH or RUNPATH
                "the binary still looks for the Swift runtime:\n\(needed)")

        let versionRun = try withoutSwift(box, "\(shellQuoted(binary)) --version")
        #expect(versionRun.status == 0 && versionRun.stdout == "micsync \(version)\n", "\(versionRun)")
        let help = try withoutSwift(box, "\(shellQuoted(binary)) --help")
        #expect(help.status == 0, "\(help)")
        #expect(help.stdout.contains("Keep WORKING folders") && help.stdout.contains("--backup"), "\(help)")

        try box.standard()
        try box.write("work/docs/a.txt", "alpha\n", mtime: old)
        try box.write("work/docs/sub/b.txt", "beta\n", mtime: old)
        try box.link("work/docs/sub/to-a", to: "../a.txt")
        let backup = try withoutSwift(box, "\(shellQuoted(binary)) --config cfg.json --backup work/docs </dev/null")
        #expect(backup.status == 0, "\(backup)")
        expectTree(box.snapshot("b1"), box.snapshot("work"), "b1 after --backup\n\(backup)")
        expectTree(box.snapshot("b2"), box.snapshot("work"), "b2 after --backup\n\(backup)")
        #expect(backup.lines.filter { $0.hasPrefix("Done:") }.count == 2, "\(backup)")
    }

    /// `man -l` renders the page, with its name, abstract and the action flags.
    func expectManPageRenders(_ page: String, _ box: Sandbox) throws {
        let man = try box.shell("MANPAGER=cat MANWIDTH=80 man -l \(shellQuoted(page))")
        #expect(man.status == 0, "\(man)")
        #expect(man.stdout.contains("Keep WORKING folders"), "\(man)")
        #expect(man.stdout.contains("--backup") && man.stdout.contains("--transfer"), "\(man)")
    }

    /// Runs `script` (in the sandbox, as `Sandbox.shell` does) in a private mount namespace where
    /// the toolchain's folder is an empty tmpfs. First checks that this folder holds the Swift
    /// runtime outside and is empty inside, so that hiding it means something.
    func withoutSwift(_ box: Sandbox, _ script: String) throws -> RunResult {
        let toolchain = try Self.toolchainFolder(box)
        let runtime = try box.shell("find \(shellQuoted(toolchain)) -name 'libswiftCore.so*' | head -n 1")
        try #require(!runtime.stdout.isEmpty, "no libswiftCore.so under \(toolchain): \(runtime)")
        // As root a mount namespace alone; otherwise in a user namespace where we are root.
        let unshare = getuid() == 0 ? "unshare -m" : "unshare -r -m"
        let inner = """
            mount -t tmpfs micsync-no-swift \(shellQuoted(toolchain)) || exit 90
            [ -z "$(ls -A \(shellQuoted(toolchain)))" ] || exit 91
            \(script)
            """
        let result = try box.shell("\(unshare) sh -c \(shellQuoted(inner))")
        try #require(result.status != 90 && result.status != 91, "could not hide \(toolchain) with \(unshare): \(result)")
        return result
    }

    /// The folder of the Swift toolchain that builds the tests: the one holding usr/lib/swift/linux
    /// (the runtime), e.g. /opt/swift; the runtime folder itself when the toolchain lives in /usr.
    static func toolchainFolder(_ box: Sandbox) throws -> String {
        let info = try box.shell("swift -print-target-info")
        try #require(info.status == 0, "\(info)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        let paths = try #require((json["paths"] as? [String: Any])?["runtimeLibraryPaths"] as? [String], "\(info)")
        let runtime = try #require(paths.first, "\(info)")
        let suffix = "/usr/lib/swift/linux"
        guard runtime.hasSuffix(suffix) else { return runtime }
        let root = String(runtime.dropLast(suffix.count))
        return root.isEmpty || root == "/usr" ? runtime : root
    }
}

/// `text` in single quotes for /bin/sh.
private func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
