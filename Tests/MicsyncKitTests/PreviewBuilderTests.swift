import Testing
@testable import MicsyncKit

/// The preview's lines classified, changes of type included (README: "How it works", "What a run looks like").
@Suite("PreviewBuilder")
struct PreviewBuilderTests {
    static let source = Location(role: .work, path: "/src")
    static let destination = Location(role: .backup, path: "/dst")

    func spec(_ action: Action = .backup, parent: String = "", names: [String] = []) -> TransferSpec {
        TransferSpec(action: action, configName: "Docs", source: Self.source, destination: Self.destination, parent: parent, names: names)
    }

    func preview(_ lines: [String], spec: TransferSpec? = nil, prefix: String = "", fileSystem: FakeFileSystem = FakeFileSystem()) -> Preview {
        var builder = PreviewBuilder(command: RsyncCommand(spec: spec ?? self.spec(), existingPrefix: prefix), fileSystem: fileSystem)
        for line in lines { builder.add(line) }
        return builder.finish()
    }

    @Test func anItemTheDestinationLacksIsNew() {
        let result = preview([">f+++++++++ 12 a.txt", "cd+++++++++ 4096 dir/"],
                             fileSystem: FakeFileSystem(["/dst": .directory]))
        #expect(result.new.map(\.path) == ["a.txt", "dir"])
        #expect(result.new.map(\.isDirectory) == [false, true])
        #expect(result.new.map(\.size) == [12, 0])
        #expect(result.new.allSatisfy { $0.kind == .new })
        #expect(result.modified.isEmpty && result.deletions.isEmpty && result.folderUpdates.isEmpty)
    }

    @Test func anExistingFileWhoseContentChangesIsModified() {
        let result = preview([">f.st...... 5 notes.txt"], fileSystem: FakeFileSystem(["/dst/notes.txt": .regularFile]))
        #expect(result.modified.map(\.path) == ["notes.txt"])
        #expect(result.modified.first?.kind == .modified)
        #expect(result.modified.first?.replaces == nil)
        #expect(result.new.isEmpty)
    }

    @Test func aFolderWhoseAttributesChangeIsAFolderUpdateNotAModification() {
        let result = preview([".d..t...... 4096 ./", ".d...p..... 4096 sub/"])
        #expect(result.folderUpdates.map(\.path) == [".", "sub"])
        #expect(result.folderUpdates.allSatisfy { $0.kind == .folderUpdate && $0.isDirectory })
        #expect(result.modified.isEmpty)
    }

    @Test func anItemTheSourceLacksIsADeletion() {
        let result = preview(["*deleting   0 old/", "*deleting   0 old/x", "*deleting   0 gone.txt"])
        #expect(result.deletions.map(\.path) == ["old", "old/x", "gone.txt"])
        #expect(result.deletions.map(\.isDirectory) == [true, false, false])
        #expect(result.deletions.allSatisfy { $0.kind == .deletion })
    }

    @Test func aCreationWhereTheDestinationHoldsSomethingElseIsAModifiedChangeOfType() {
        let fileSystem = FakeFileSystem(["/dst/link": .regularFile, "/dst/was-folder": .directory, "/dst/was-link": .symbolicLink])
        let result = preview(["cL+++++++++ 3 link", ">f+++++++++ 7 was-folder", "cd+++++++++ 4096 was-link/"], fileSystem: fileSystem)
        #expect(result.new.isEmpty)
        #expect(result.modified.map(\.path) == ["link", "was-folder", "was-link"])
        #expect(result.modified.map(\.replaces) == ["file", "folder", "link"])
        #expect(result.modified.allSatisfy { $0.kind == .modified })
    }

    @Test func itemsUnderANewFolderAreNotLookedUp() {
        // The fake claims a file below the new folder; were it looked up, it would count as modified.
        let fileSystem = FakeFileSystem(["/dst/fresh/a": .regularFile])
        let result = preview(["cd+++++++++ 4096 fresh/", ">f+++++++++ 1 fresh/a", "cd+++++++++ 4096 fresh/sub/", ">f+++++++++ 1 fresh/sub/b"],
                             fileSystem: fileSystem)
        #expect(result.new.map(\.path) == ["fresh", "fresh/a", "fresh/sub", "fresh/sub/b"])
        #expect(result.modified.isEmpty)
    }

    @Test func deletionsInsideAFolderReplacedByAFileAreListedWithIt() {
        let fileSystem = FakeFileSystem(["/dst/x": .directory, "/dst/x/inner": .regularFile])
        let result = preview(["*deleting   0 x/sub/deep", "*deleting   0 x/sub/", "*deleting   0 x/inner", ">f+++++++++ 3 x",
                              "*deleting   0 xy", "*deleting   0 other"],
                             fileSystem: fileSystem)
        #expect(result.modified.map(\.path) == ["x"])
        #expect(result.modified.first?.replaces == "folder")
        #expect(result.modified.first?.contained.sorted() == ["x/inner", "x/sub/", "x/sub/deep"])
        // `xy` is not inside `x`: whole components.
        #expect(result.deletions.map(\.path) == ["xy", "other"])
    }

    @Test func treeRefusesToReplaceANonFolderAndDropsWhatWouldGoInsideIt() {
        let fileSystem = FakeFileSystem(["/dst/blocked": .regularFile])
        let result = preview(["cd+++++++++ 4096 blocked/", "cd+++++++++ 4096 blocked/sub/", "cd+++++++++ 4096 open/"],
                             spec: spec(.tree), fileSystem: fileSystem)
        #expect(result.refusedFolders.map(\.path) == ["blocked"])
        #expect(result.refusedFolders.first?.replaces == "file")
        #expect(result.new.map(\.path) == ["open"])
        #expect(result.modified.isEmpty)
        #expect(!result.isEmpty)
    }

    @Test func aNonTreeCopyReplacesAFileByAFolderAsAModification() {
        let fileSystem = FakeFileSystem(["/dst/blocked": .regularFile])
        let result = preview(["cd+++++++++ 4096 blocked/"], spec: spec(.work), fileSystem: fileSystem)
        #expect(result.refusedFolders.isEmpty)
        #expect(result.modified.map(\.replaces) == ["file"])
    }

    @Test func aModifiedFileWhoseDestinationCopyIsNewerIsMarked() {
        let fileSystem = FakeFileSystem(["/dst/a": .regularFile, "/dst/b": .regularFile, "/dst/c": .regularFile,
                                         "/src/a": .regularFile, "/src/b": .regularFile, "/src/c": .regularFile],
                                        times: ["/src/a": 100, "/dst/a": 200, "/src/b": 300, "/dst/b": 200, "/src/c": 50, "/dst/c": 50])
        let result = preview([">f.st...... 1 a", ">f.st...... 1 b", ">f..t...... 1 c"], fileSystem: fileSystem)
        #expect(result.modified.map(\.destinationIsNewer) == [true, false, false])
    }

    @Test func namesArePrintedRelativeToTheExistingPrefixAndListedRelativeToTheLocation() {
        let fileSystem = FakeFileSystem(["/dst/p": .directory, "/dst/p/q/f": .regularFile, "/src/p/q/f": .regularFile],
                                        times: ["/src/p/q/f": 1, "/dst/p/q/f": 2])
        let result = preview(["cd+++++++++ 4096 q/", ">f+++++++++ 3 q/n", ">f.st...... 3 q/f", ".d..t...... 4096 ./"],
                             spec: spec(parent: "p/q", names: ["n", "f"]), prefix: "p", fileSystem: fileSystem)
        #expect(result.new.map(\.path) == ["p/q", "p/q/n"])
        #expect(result.modified.map(\.path) == ["p/q/f"])
        #expect(result.modified.first?.destinationIsNewer == true)
        #expect(result.folderUpdates.map(\.path) == ["p"])
    }

    @Test func linesThatAreNotChangesAreKeptAsMessages() {
        let result = preview(["", "skipping non-regular file \"fifo\"", ">f+++++++++ 1 a"])
        #expect(result.messages == ["skipping non-regular file \"fifo\""])
        #expect(result.new.count == 1)
    }

    @Test func nothingToDoIsAnEmptyPreview() {
        #expect(preview([]).isEmpty)
        #expect(!preview([".d..t...... 0 ./"]).isEmpty)
    }
}

/// What the destination has on the way to the copied items.
@Suite("DestinationSurvey")
struct DestinationSurveyTests {
    func survey(_ kinds: [String: FileKind], parent: String) -> DestinationSurvey {
        let spec = TransferSpec(action: .backup, configName: "Docs", source: Location(role: .work, path: "/w"),
                                destination: Location(role: .backup, path: "/b"), parent: parent, names: ["q"])
        return FakeFileSystem(kinds).survey(of: spec)
    }

    @Test func aFileBetweenTheLocationAndThePATHsIsNamed() {
        let found = survey(["/b": .directory, "/b/p": .regularFile], parent: "p")
        #expect(found.nonFolderOnTheWay?.path == "p" && found.nonFolderOnTheWay?.kind == .regularFile)
        let deeper = survey(["/b": .directory, "/b/p": .directory, "/b/p/r": .other], parent: "p/r/s")
        #expect(deeper.nonFolderOnTheWay?.path == "p/r" && deeper.existingPrefix == "p")
    }

    @Test func foldersOrNothingOnTheWayOrALinkAreNotNamed() {
        #expect(survey(["/b": .directory, "/b/p": .directory], parent: "p").nonFolderOnTheWay == nil)
        #expect(survey(["/b": .directory], parent: "p").nonFolderOnTheWay == nil)
        #expect(survey(["/b": .directory, "/b/p": .symbolicLink], parent: "p").nonFolderOnTheWay == nil, "a link is asked about")
    }
}
