import Testing
@testable import MicsyncKit

/// rsync argument lists (README: "How it works": applying exactly what was shown), and `-v`'s shell quoting.
@Suite("RsyncCommand")
struct RsyncCommandTests {
    static let source = Location(role: .work, path: "/w/docs")
    static let destination = Location(role: .backup, path: "/b/docs")
    static let output = "--out-format=%i %l %n%L"

    /// What plain `rsync -a` keeps, so that these lists show the runs' own shape; the drives'
    /// flags are tested in `CopyFidelityTests`.
    static let archiveOnly: CopyFidelity = {
        var fidelity = CopyFidelity()
        fidelity.hardLinks = false
        fidelity.sparseFiles = false
        fidelity.acls = false
        fidelity.extendedAttributes = false
        return fidelity
    }()

    func command(_ action: Action = .work, parent: String = "", names: [String] = [], prefix: String = "") -> RsyncCommand {
        var command = RsyncCommand(spec: TransferSpec(action: action, configName: "Docs", source: Self.source, destination: Self.destination,
                                                      parent: parent, names: names),
                                   existingPrefix: prefix)
        command.fidelity = Self.archiveOnly
        return command
    }

    /// The marker and trash at the top of a location are never copied, listed or deleted.
    static let reserved = ["--exclude=/.micsync-trash/", "--exclude=/.micsync-location", "--exclude=/.micsync-probe.*", "--exclude=.micsync-rename-*"]

    @Test func aWholeLocationIsCopiedFolderToFolder() {
        let whole = command()
        #expect(whole.preview(deleting: false) == ["rsync", "--archive", "--dry-run", "--force", Self.output] + Self.reserved + ["/w/docs/", "/b/docs/"])
        #expect(whole.preview(deleting: true) == ["rsync", "--archive", "--dry-run", "--force", "--delete", Self.output] + Self.reserved + ["/w/docs/", "/b/docs/"])
        // The single run is used only where nothing can be replaced: no --force, no --delete.
        #expect(whole.singleRun() == ["rsync", "--archive", "--ignore-existing", Self.output] + Self.reserved + ["/w/docs/", "/b/docs/"])
        #expect(whole.bulkNew(refused: []) == ["rsync", "--archive", "--ignore-existing", Self.output] + Self.reserved + ["/w/docs/", "/b/docs/"])
    }

    @Test func checksumComparesContentsInThePreviewAndTheReplacingRunOnly() {
        var checked = command()
        checked.checksum = true
        #expect(checked.preview(deleting: true) == ["rsync", "--archive", "--dry-run", "--force", "--checksum", "--delete", Self.output] + Self.reserved + ["/w/docs/", "/b/docs/"])
        #expect(checked.replace(listFile: "/l").contains("--checksum"), "a same-size-same-time file is replaced, not skipped")
        for run in [checked.singleRun(), checked.bulkNew(refused: []), checked.add(listFile: "/l", refused: []), checked.deletion(listFile: "/l")] {
            #expect(!run.contains("--checksum"), "runs that replace nothing need no contents read: \(run)")
        }
        #expect(!command().preview(deleting: true).contains("--checksum") && !command().replace(listFile: "/l").contains("--checksum"))
    }

    @Test func theListedRunsCopyOnlyTheListedNames() {
        let list = "/tmp/micsync-list.abc"
        let expectedTail = ["--files-from=" + list, "--from0", Self.output, "/w/docs/", "/b/docs/"]
        let head = ["rsync", "--archive", "--no-recursive", "--dirs", "--no-implied-dirs"]
        #expect(command().replace(listFile: list) == head + ["--force"] + Self.reserved + expectedTail)
        #expect(command().add(listFile: list, refused: []) == head + ["--ignore-existing", "--info=skip1"] + Self.reserved + expectedTail)
        // The list holds location-relative paths, so the operands are the locations even for PATHs,
        // and refused paths are anchored at the location.
        #expect(command(parent: "p", names: ["x"], prefix: "p").add(listFile: list, refused: ["p/x/t"])
            == head + ["--ignore-existing", "--info=skip1"] + Self.reserved + ["--exclude=/p/x/t"] + expectedTail)
    }

    @Test func aBackslashIsEscapedOnlyInARuleThatHoldsAWildcard() {
        #expect(RsyncCommand.escapeWildcards("a\\b") == "a\\b")
        #expect(RsyncCommand.escapeWildcards("a\\b*") == "a\\\\b\\*")
        #expect(RsyncCommand.escapeWildcards("plain") == "plain")
    }

    @Test func theDeletionRunDeletesOnlyTheListedNames() {
        #expect(command().deletion(listFile: "/tmp/l") == [
            "rsync", "--archive", "--no-recursive", "--dirs", "--no-implied-dirs", "--ignore-existing",
            "--delete-missing-args", "--force",
        ] + Self.reserved + ["--files-from=/tmp/l", "--from0", Self.output, "/w/docs/", "/b/docs/"])
    }

    @Test func pathsStartTheirRelativePartAtTheDeepestFolderTheDestinationHas() {
        let paths = command(parent: "p/q", names: ["x", "y z"], prefix: "p")
        let operands = ["/w/docs/p/./q/x", "/w/docs/p/./q/y z", "/b/docs/p/"]
        #expect(paths.preview(deleting: true) == ["rsync", "--archive", "--dry-run", "--force", "--delete", "--relative", Self.output] + operands)
        #expect(paths.singleRun() == ["rsync", "--archive", "--ignore-existing", "--relative", Self.output] + operands)
        #expect(paths.bulkNew(refused: []) == ["rsync", "--archive", "--ignore-existing", "--relative", Self.output] + operands)
    }

    @Test func pathsWhoseParentExistsInTheDestinationStartAtTheParent() {
        let paths = command(parent: "p/q", names: ["x"], prefix: "p/q")
        // Filter rules are anchored below p/q here, where the location's top is out of reach.
        #expect(paths.singleRun() == ["rsync", "--archive", "--ignore-existing", "--relative", Self.output, "/w/docs/p/q/./x", "/b/docs/p/q/"])
    }

    @Test func pathsDirectlyInTheLocationStartAtTheLocation() {
        let paths = command(parent: "", names: ["x", "-y"], prefix: "")
        #expect(paths.singleRun() == ["rsync", "--archive", "--ignore-existing", "--relative", Self.output] + Self.reserved + ["/w/docs/./x", "/w/docs/./-y", "/b/docs/"])
    }

    @Test func pathsWhoseParentTheDestinationLacksEntirelyStartAtTheLocation() {
        // The destination has none of p/q: rsync creates both with the source's attributes.
        let paths = command(parent: "p/q", names: ["x"], prefix: "")
        #expect(paths.singleRun() == ["rsync", "--archive", "--ignore-existing", "--relative", Self.output] + Self.reserved + ["/w/docs/./p/q/x", "/b/docs/"])
        let shallow = command(parent: "p", names: ["x"], prefix: "")
        #expect(shallow.preview(deleting: false).suffix(2) == ["/w/docs/./p/x", "/b/docs/"])
    }

    @Test func printedNamesAreMappedBackToLocationPaths() {
        let paths = command(parent: "p/q", names: ["x"], prefix: "p")
        #expect(paths.locationPath(ofPrinted: "q/x") == "p/q/x")
        #expect(paths.locationPath(ofPrinted: ".") == "p")
        #expect(command(parent: "p", names: ["x"], prefix: "").locationPath(ofPrinted: "p/x") == "p/x")
        #expect(command().locationPath(ofPrinted: "a/b") == "a/b")
        #expect(command().locationPath(ofPrinted: ".") == ".")
    }

    @Test func treeCopiesFoldersOnlyWithTheRefusedPathsExcludedFirst() {
        let tree = command(.tree)
        #expect(tree.preview(deleting: false) == ["rsync", "--archive", "--dry-run", "--force", Self.output] + Self.reserved + ["--include=*/", "--exclude=*", "/w/docs/", "/b/docs/"])
        let bulk = tree.bulkNew(refused: ["blocked", "a/b"])
        #expect(bulk == ["rsync", "--archive", "--ignore-existing", Self.output] + Self.reserved + ["--exclude=/blocked", "--exclude=/a/b",
                         "--include=*/", "--exclude=*", "/w/docs/", "/b/docs/"])
    }

    @Test func refusedPathsAreAnchoredRelativeToTheTransferRoot() {
        let bulk = command(parent: "p/q", names: ["x"], prefix: "p").bulkNew(refused: ["p/q/x/t"])
        #expect(bulk.contains("--exclude=/q/x/t"))
        #expect(!bulk.contains("--include=*/"))
    }

    @Test func wildcardCharactersInRefusedNamesAreEscaped() {
        let bulk = command().bulkNew(refused: [#"a*b?c[d\e]f"#])
        #expect(bulk.contains(#"--exclude=/a\*b\?c\[d\\e]f"#))
    }

    @Test func noCommandEverPassesPartial() {
        let commands = [command(), command(.tree), command(parent: "p", names: ["x"], prefix: "p")]
        for command in commands {
            let all = [command.preview(deleting: true), command.singleRun(), command.bulkNew(refused: ["r"]),
                       command.replace(listFile: "/l"), command.add(listFile: "/l", refused: ["r"]),
                       command.deletion(listFile: "/l")]
            for arguments in all {
                #expect(!arguments.contains { $0.hasPrefix("--partial") || $0 == "-P" || $0.hasPrefix("--inplace") }, "\(arguments)")
            }
        }
    }

    @Test func rsyncRunsInTheCLocaleSoItsEscapesAreTheSameEverywhere() {
        let environment = RsyncCommand.environment(from: ["LC_ALL": "de_DE.UTF-8", "PATH": "/usr/bin"])
        #expect(environment == ["LC_ALL": "C", "PATH": "/usr/bin"])
    }

    // MARK: Shell quoting for -v

    @Test func plainArgumentsAreNotQuoted() {
        #expect(ShellQuote.quote("--out-format=x") == "--out-format=x")
        #expect(ShellQuote.quote("/w/docs/./a_b-c.txt") == "/w/docs/./a_b-c.txt")
        #expect(ShellQuote.command(["rsync", "--archive", "/a/", "/b/"]) == "rsync --archive /a/ /b/")
    }

    @Test func argumentsWithSpacesOrQuotesAreSingleQuoted() {
        #expect(ShellQuote.quote("--out-format=%i %l %n") == "'--out-format=%i %l %n'")
        #expect(ShellQuote.quote("it's") == #"'it'\''s'"#)
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("a*") == "'a*'")
        #expect(ShellQuote.quote("café") == "'café'")
    }

    @Test func newlinesAndNonUTF8BytesUseTheDollarQuoteForm() {
        #expect(ShellQuote.quote("a\nb") == #"$'a\x0ab'"#)
        #expect(ShellQuote.quote(PathBytes.string([0x65, 0xE9])) == #"$'e\xe9'"#)
        #expect(ShellQuote.quote("it's\n\\") == #"$'it\'s\x0a\\'"#)
    }
}
