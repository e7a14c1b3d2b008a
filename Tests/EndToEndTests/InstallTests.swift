// `make install-docs` (a part of `make install`): the man page and the bash, zsh and fish
// completion scripts, generated from the command line of the binary under test and installed
// under PREFIX. The release binary itself (`make install`) is left out: a release build here
// would be slow, and it is only copied.

import Foundation
import Testing

@Suite("install · man page and shell completions")
struct InstallTests {
    /// The repository root: Tests/EndToEndTests/InstallTests.swift, three levels up.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let manPage = "share/man/man1/micsync.1"
    static let bashCompletion = "share/bash-completion/completions/micsync"
    static let zshCompletion = "share/zsh/site-functions/_micsync"
    static let fishCompletion = "share/fish/vendor_completions.d/micsync.fish"

    /// Runs `make install-docs` into `<sandbox>/prefix` with the binary under test; its prefix.
    func installDocs(_ box: Sandbox) throws -> String {
        let prefix = box.path("prefix")
        // With the real HOME: SwiftPM, run with the sandbox as HOME, would leave a lock file for
        // a cache in the sandbox behind in /tmp.
        let home = ProcessInfo.processInfo.environment["HOME"].map { "HOME=\(quoted($0)) " } ?? ""
        let make = try box.shell("\(home)make -C \(quoted(Self.repository)) install-docs PREFIX=\(quoted(prefix)) MICSYNC=\(quoted(Binary.path))",
                                 timeout: 900)
        try #require(make.status == 0, "make install-docs failed:\n\(make)")
        return prefix
    }

    @Test("make install-docs installs the man page and the bash, zsh and fish completions")
    func installsAllFour() throws {
        let box = try Sandbox()
        let prefix = try installDocs(box)
        for file in [Self.manPage, Self.bashCompletion, Self.zshCompletion, Self.fishCompletion] {
            #expect(!(box.read("prefix/" + file) ?? "").isEmpty, "\(file) is missing or empty under \(prefix)")
        }
        #expect(box.read("prefix/bin/micsync") == nil, "install-docs installs no binary")
    }

    @Test("the bash completion, sourced, registers a completion for micsync that offers its flags")
    func bashCompletionRegisters() throws {
        let box = try Sandbox()
        let script = try installDocs(box) + "/" + Self.bashCompletion
        let registered = try box.shell("bash -c \(quoted("source \(quoted(script)) && complete -p micsync"))")
        #expect(registered.status == 0, "\(registered)")
        #expect(registered.stdout.contains("micsync"), "\(registered)")
        // The function it registers completes a flag (its own exit status means nothing to bash).
        let completed = try box.shell("bash -c \(quoted("""
            source \(quoted(script)) && COMP_WORDS=(micsync --ba) COMP_CWORD=1 COMP_LINE='micsync --ba' COMP_POINT=12 \
            && { _micsync micsync --ba micsync; printf '%s\\n' "${COMPREPLY[@]}"; }
            """))")
        #expect(completed.status == 0, "\(completed)")
        #expect(completed.lines.contains("--backup"), "\(completed)")
    }

    @Test("the zsh and fish completions are those shells' scripts for micsync")
    func zshAndFishScripts() throws {
        let box = try Sandbox()
        let prefix = try installDocs(box)
        let zsh = try #require(box.read("prefix/" + Self.zshCompletion), "no \(Self.zshCompletion) under \(prefix)")
        #expect(zsh.hasPrefix("#compdef micsync"), "\(Self.zshCompletion) is not a zsh completion for micsync:\n\(zsh.prefix(300))")
        #expect(zsh.contains("--backup"))
        let fish = try #require(box.read("prefix/" + Self.fishCompletion), "no \(Self.fishCompletion) under \(prefix)")
        #expect(fish.contains("complete -c 'micsync'"), "\(Self.fishCompletion) is not a fish completion for micsync:\n\(fish.prefix(300))")
        #expect(fish.contains("-l 'backup'"))
    }

    @Test("man -l renders the installed man page")
    func manPageRenders() throws {
        let box = try Sandbox()
        try requireMan(box)
        let page = try installDocs(box) + "/" + Self.manPage
        let man = try box.shell("MANPAGER=cat MANWIDTH=80 man -l \(quoted(page))")
        #expect(man.status == 0, "\(man)")
        #expect(man.stdout.contains("micsync"), "\(man)")
        #expect(man.stdout.contains("--backup"), "\(man)")
        #expect(man.stdout.contains("Keep WORKING folders"), "the page lacks the command's abstract:\n\(man)")
    }

    @Test("the man page tells the truth: one synopsis line per action, no help subcommand, the real exit statuses, FILES")
    func manPageIsTrue() throws {
        let box = try Sandbox()
        try requireMan(box)
        let page = try installDocs(box) + "/" + Self.manPage
        let man = try box.shell("MANPAGER=cat MANWIDTH=200 man --warnings -l \(quoted(page))")
        #expect(man.status == 0 && man.stderr.isEmpty, "man warns or fails:\n\(man)")
        let lines = man.lines.map { $0.trimmingCharacters(in: .whitespaces) }
        for synopsis in ["micsync --backup [-m] [-c] [-k] [-s] [-v] [-n] [selection] PATH ...",
                         "micsync --work [-m] [-d | -D] [-c] [-k] [-s] [-v] [-n] [selection] PATH ...",
                         "micsync --tree [-s] [-v] [-n] [selection] PATH ...",
                         "micsync --status [-c] [PATH ...]", "micsync --history [PATH]", "micsync --mark PATH"] {
            #expect(lines.contains(synopsis), "no synopsis line \(synopsis):\n\(man.stdout.prefix(1500))")
        }
        #expect(!man.stdout.contains("subcommand"), "the page names a subcommand micsync does not have:\n\(man)")
        let sections = ["SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXIT STATUS"]
        for section in sections { #expect(lines.contains(section), "no \(section) section:\n\(man)") }
        let exitStatus = man.stdout.components(separatedBy: "\nEXIT STATUS\n").last ?? ""
        for status in ["0", "1", "2", "3", "130"] {
            #expect(exitStatus.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(status + " ") }, "exit status \(status):\n\(exitStatus)")
        }
        #expect(exitStatus.contains("Cancelled") && exitStatus.contains("--status exits 0") && !exitStatus.contains("successfully"), "\(exitStatus)")
        let files = man.stdout.components(separatedBy: "\nFILES\n").last ?? ""
        for name in ["~/.micsync.json", "MICSYNC_CONFIG", "$XDG_STATE_HOME/micsync/history.jsonl"] {
            #expect(files.contains(name), "FILES lacks \(name):\n\(files)")
        }
    }

    @Test("Package.swift claims no platform but Linux (the code calls Glibc directly)")
    func packageClaimsLinuxOnly() throws {
        let manifest = try String(contentsOfFile: Self.repository + "/Package.swift", encoding: .utf8)
        #expect(!manifest.contains("platforms:") && !manifest.contains(".macOS("), "Package.swift declares a platform:\n\(manifest)")
    }

    /// `man` (man-db) must be there. As root it is installed with apt-get when missing, as the
    /// Makefile installs rsync; otherwise the test fails and says how to install it.
    func requireMan(_ box: Sandbox) throws {
        let check = try box.shell("""
            command -v man >/dev/null 2>&1 && exit 0
            if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
                echo "this test needs man (man-db), which is not installed. Install it with: sudo apt-get install man-db" >&2
                exit 1
            fi
            export DEBIAN_FRONTEND=noninteractive
            if ! apt-get install -y -qq man-db >/dev/null 2>&1; then
                apt-get update -qq && apt-get install -y -qq man-db >/dev/null || exit 1
            fi
            command -v man >/dev/null 2>&1 || { echo "man is still not found after apt-get install man-db" >&2; exit 1; }
            """, timeout: 600)
        try #require(check.status == 0, "\(check)")
    }

    /// `text` in single quotes for /bin/sh.
    func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
