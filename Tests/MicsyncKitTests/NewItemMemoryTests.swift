import Foundation
import Testing
@testable import MicsyncKit

/// Memory bounded by what is shown, not by the tree: the new items are counted as they stream,
/// only the first ones held.
@Suite("New items: counted as they stream")
struct NewItemMemoryTests {
    static let source = Location(role: .work, path: "/src")
    static let destination = Location(role: .backup, path: "/dst")
    static let command = RsyncCommand(spec: TransferSpec(action: .backup, configName: "Docs", source: source, destination: destination,
                                                         parent: "", names: []), existingPrefix: "")

    /// The per-folder counts as the listing computed them from every path at once (two passes).
    static func reference(_ changes: [(path: String, isDirectory: Bool)]) -> [String] {
        guard !changes.isEmpty else { return [] }
        let first = changes[0].path.split(separator: "/")
        var shared = first.count
        for change in changes.dropFirst() where shared > 0 {
            shared = min(shared, zip(first, change.path.split(separator: "/")).prefix { $0 == $1 }.count)
        }
        var counts: [String: Int] = [:]
        var order: [String] = []
        for change in changes {
            let components = change.path.split(separator: "/")
            let depth = min(shared + 1, components.count)
            var key = components.prefix(depth).joined(separator: "/")
            if components.count > depth || change.isDirectory { key += "/" }
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        let firstSeen = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        order.sort { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : firstSeen[$0]! < firstSeen[$1]! }
        var lines = order.prefix(20).map { "  " + PathBytes.display($0) + ($0.hasSuffix("/") ? "  " + Report.counted(counts[$0]!, "item") : "") }
        if order.count > 20 {
            let rest = order.dropFirst(20).reduce(0) { $0 + counts[$1]! }
            lines.append("  … and \(Report.counted(rest, "more item")) in \(Report.counted(order.count - 20, "more place"))")
        }
        return lines
    }

    /// A random tree as rsync lists it: each folder before what it holds.
    static func randomTree(_ seed: UInt64) -> [(path: String, isDirectory: Bool)] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var items: [(path: String, isDirectory: Bool)] = []
        func fill(_ folder: String, depth: Int) {
            for index in 0..<(1 + next(depth == 0 ? 4 : 30)) {
                let path = (folder.isEmpty ? "" : folder + "/") + "n\(index)"
                if depth < 4 && next(4) == 0 {
                    items.append((path, true))
                    fill(path, depth: depth + 1)
                } else {
                    items.append((path, false))
                }
            }
        }
        // Sometimes all below one or two shared folders, sometimes from the top.
        let prefix = ["", "top", "top/mid"][next(3)]
        if !prefix.isEmpty && next(2) == 0 { items.append((prefix, true)) }
        fill(prefix, depth: 0)
        return items
    }

    @Test("the streamed counts are those of every path at once, for all items and for the non-folders (-s)")
    func streamedCountsMatchTheTwoPassCounts() {
        for seed in UInt64(1)...300 {
            let tree = Self.randomTree(seed)
            var all = NewItemCounts()
            var files = NewItemCounts()
            for item in tree {
                all.add(path: item.path, isDirectory: item.isDirectory)
                if !item.isDirectory { files.add(path: item.path, isDirectory: false) }
            }
            #expect(all.count == tree.count)
            #expect(all.lines() == Self.reference(tree), "seed \(seed)")
            #expect(files.lines() == Self.reference(tree.filter { !$0.isDirectory }), "seed \(seed)")
        }
    }

    @Test("many single files in one folder: the counts hold the first few, and the rest is counted")
    func manySingleItems() {
        let tree = (0..<5000).map { (path: "flat/f\($0)", isDirectory: false) } + [(path: "flat/sub/x", isDirectory: false)]
        var counts = NewItemCounts()
        for item in tree { counts.add(path: item.path, isDirectory: item.isDirectory) }
        #expect(counts.lines() == Self.reference(tree))
        // Then a path outside the shared folder: everything so far is one group.
        counts.add(path: "other", isDirectory: false)
        #expect(counts.lines() == Self.reference(tree + [(path: "other", isDirectory: false)]))
        #expect(counts.lines().first == "  flat/  5001 items")
    }

    /// micsync's peak resident memory so far, from the kernel (kB).
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }

    /// Starts the peak over from the current resident size (Linux 4.0 and later).
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

    @Test("ten million new files into an existing BACKUP: the preview's memory stays flat")
    func tenMillionLinesInFlatMemory() async {
        // Measured in a process of its own (an exit test): the other tests running beside it in
        // this one would move its peak.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            for failure in NewItemMemoryTests.tenMillionLinesFailures() {
                FileHandle.standardError.write(Data(("failed: " + failure + "\n").utf8))
            }
        }
        let told = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let failures = told.split(separator: "\n").filter { $0.hasPrefix("failed: ") }
        #expect(result != nil && failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Feeds the preview ten million new files (in 10,000 folders) and says what is wrong, if
    /// anything: the peak after them is to be within a few MiB of the peak after one million.
    static func tenMillionLinesFailures() -> [String] {
        var failures: [String] = []
        func check(_ condition: Bool, _ message: @autoclosure () -> String) { if !condition { failures.append(message()) } }
        let fileSystem = FakeFileSystem(["/src": .directory, "/dst": .directory])
        var builder = PreviewBuilder(command: Self.command, fileSystem: fileSystem)
        let folders = 10_000, filesPerFolder = 1_000
        resetPeak()
        var afterOneMillion = 0
        let names = (0..<filesPerFolder).map { "/file-\($0).txt" }
        for folder in 0..<folders {
            let name = "folder-\(folder)"
            builder.add("cd+++++++++ 4096 " + name + "/")
            let prefix = ">f+++++++++ 1234 " + name
            for file in names { builder.add(prefix + file) }
            if folder == folders / 10 - 1 { afterOneMillion = peakResidentKiB() }
        }
        let afterTenMillion = peakResidentKiB()
        let preview = builder.finish()
        let afterFinish = peakResidentKiB()
        check(afterOneMillion > 0, "no VmHWM in /proc/self/status")
        check(afterTenMillion - afterOneMillion < 4 * 1024, "peak \(afterOneMillion) kB after 1M lines, \(afterTenMillion) kB after 10M")
        check(afterFinish - afterOneMillion < 4 * 1024, "peak \(afterOneMillion) kB after 1M lines, \(afterFinish) kB after the preview")
        let total = folders * (filesPerFolder + 1)
        check(preview.new.count == ApplyPlan.exactNewItemLimit + 1, "\(preview.new.count) new items held")
        check(preview.new.count + preview.newBeyondHeld == total, "\(preview.new.count) + \(preview.newBeyondHeld) new items")
        check(preview.newListing?.all.count == total && preview.newListing?.files.count == folders * filesPerFolder, "the counts")
        let lines = preview.newListing?.all.lines() ?? []
        check(lines.first == "  folder-0/  1001 items", "first line \(lines.first ?? "")")
        check(lines.last == "  … and \(total - 20 * 1001) more items in \(folders - 20) more places", "last line \(lines.last ?? "")")
        let plan = ApplyPlan.make(preview: preview, spec: Self.command.spec, overwrite: false, delete: false, linksHardLinks: true)
        check(plan.bulk && plan.addList.isEmpty, "the plan is not the bulk run")
        return failures
    }

    /// A preview of `files` new files in `folders` folders (each folder's line first) into a
    /// BACKUP that has only `existing`.
    static func preview(folders: Int, files: Int, existing: [String: FileKind] = [:], verbose: Bool = false, extra: [String] = []) -> Preview {
        var kinds: [String: FileKind] = ["/src": .directory, "/dst": .directory]
        kinds.merge(existing) { $1 }
        var builder = PreviewBuilder(command: command, fileSystem: FakeFileSystem(kinds))
        if verbose {
            let made = builder.listEveryNewItem(environment: [:])
            #expect(made != nil)
        }
        for line in extra { builder.add(line) }
        for folder in 0..<folders {
            builder.add("cd+++++++++ 4096 d\(folder)/")
            for file in 0..<files { builder.add(">f+++++++++ 10 d\(folder)/f\(file)") }
        }
        return builder.finish()
    }

    func listing(_ preview: Preview, filesOnly: Bool = false, verbose: Bool = false) -> [String] {
        let console = RecordingConsole()
        Report(console: console, options: SyncOptions(filesOnly: filesOnly, verbose: verbose)).list(preview)
        return console.output.split(separator: "\n").map(String.init)
    }

    @Test("past the exact apply's limit only the first new items are held; the listing counts them all")
    func heldAndCounted() {
        let result = Self.preview(folders: 30, files: 99)
        #expect(result.new.count + result.newBeyondHeld == 3000)
        #expect(result.newBeyondHeld > 0)
        let lines = listing(result)
        #expect(lines.first == "New (3000, counted per folder; -v lists each):")
        #expect(lines.dropFirst().first == "  d0/  100 items")
        #expect(lines.last == "  … and 1000 more items in 10 more places")
        #expect(listing(result, filesOnly: true).first == "New (2970, counted per folder; -v lists each):")
    }

    @Test("-v lists every new item, in rsync's order, from the temporary file, which is then removed by the engine")
    func verboseListsEveryItemFromTheFile() throws {
        let result = Self.preview(folders: 30, files: 99, verbose: true)
        let file = try #require(result.newListing?.logFile)
        defer { ListFile.remove(file) }
        let lines = listing(result, verbose: true)
        #expect(lines.first == "New (3000):")
        #expect(lines.count == 3001)
        #expect(lines[1] == "  d0/" && lines[2] == "  d0/f0" && lines.last == "  d29/f98")
        let files = listing(result, filesOnly: true, verbose: true)
        #expect(files.first == "New (2970):" && files.count == 2971 && !files.contains("  d29/"))
    }

    @Test("-s with few files among many new folders lists those files, though past the held limit")
    func fewFilesAmongManyFolders() {
        var builder = PreviewBuilder(command: Self.command, fileSystem: FakeFileSystem(["/src": .directory, "/dst": .directory]))
        for folder in 0..<3000 { builder.add("cd+++++++++ 4096 d\(folder)/") }
        for file in 0..<5 { builder.add(">f+++++++++ 10 d2999/f\(file)") }
        let result = builder.finish()
        #expect(result.newBeyondHeld > 0)
        #expect(listing(result, filesOnly: true) == ["New (5):"] + (0..<5).map { "  d2999/f\($0)" })
    }

    @Test("a new folder replacing a file: what it holds is listed with it, not counted as new, and its count decides the apply")
    func insideAReplacingFolder() {
        // "d0" is a file in the BACKUP: the folder d0 replaces it, with its 99 files.
        let result = Self.preview(folders: 30, files: 99, existing: ["/dst/d0": .regularFile])
        #expect(result.modified.map(\.path) == ["d0"])
        #expect(result.newListing?.all.count == 2900)
        #expect(result.new.filter { $0.path.hasPrefix("d0/") }.count == 99)
        let lines = listing(result)
        #expect(lines.first == "New (2900, counted per folder; -v lists each):")
        #expect(lines.contains("  d0/  (replaces a file; with the 99 items in it)") && lines.contains("      d0/f98"), "\(lines.prefix(30))")
        // Declined: the rest still goes by the bulk run; accepted too.
        for overwrite in [false, true] {
            let plan = ApplyPlan.make(preview: result, spec: Self.command.spec, overwrite: overwrite, delete: false)
            #expect(plan.bulk)
            #expect(plan.refused == (overwrite ? [] : ["d0"]))
        }
    }

    @Test("a hard link to a new file that is not held is left to the bulk run; one to a file the BACKUP has is linked afterwards")
    func hardLinksPastTheHeldLimit() {
        let links = ["hf+++++++++ 10 zz-new => d29/f1", "hf+++++++++ 10 zz-old => old"]
        var builder = PreviewBuilder(command: Self.command, fileSystem: FakeFileSystem(["/src": .directory, "/dst": .directory, "/dst/old": .regularFile]))
        for folder in 0..<30 {
            builder.add("cd+++++++++ 4096 d\(folder)/")
            for file in 0..<99 { builder.add(">f+++++++++ 10 d\(folder)/f\(file)") }
        }
        for line in links { builder.add(line) }
        let result = builder.finish()
        #expect(result.new.contains { $0.path == "zz-new" } && result.new.contains { $0.path == "zz-old" })
        #expect(result.newHardLinkLeaders == ["d29/f1"])
        let plan = ApplyPlan.make(preview: result, spec: Self.command.spec, overwrite: false, delete: false, linksHardLinks: true)
        #expect(plan.bulk)
        #expect(plan.hardLinks == [ApplyPlan.HardLink(path: "zz-old", leader: "old", replaces: false)])
    }

    @Test("what an apply run created is held up to a limit, then spilt to a temporary file, and read back in order")
    func createdItemsSpillAndReadBack() throws {
        try withTemporaryFolder { folder throws in
            var created = CreatedItems(environment: ["TMPDIR": folder.path])
            let count = CreatedItems.heldLimit * 2 + 7
            for index in 0..<count {
                created.append(.init(path: "d/f \(index) \u{e9}", bytes: Int64(index), isDirectory: index % 10 == 0))
            }
            let spilt = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(spilt.count == 1)
            var seen: [CreatedItems.Item] = []
            var batches = 0
            created.forEachBatch { batch in
                batches += 1
                #expect(batch.count <= CreatedItems.heldLimit)
                seen += batch
            }
            #expect(seen.map(\.path) == (0..<count).map { "d/f \($0) \u{e9}" })
            #expect(seen.map(\.bytes) == (0..<count).map(Int64.init))
            #expect(seen.map(\.isDirectory) == (0..<count).map { $0 % 10 == 0 })
            #expect(batches >= 3)
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(left.isEmpty)
        }
    }

    @Test("the case index finds every path of a case key, the clashes among them, and which are folders")
    func caseIndex() {
        var index = CaseIndex()
        let paths: [(String, Bool)] = [("Docs", true), ("Docs/Read.me", false), ("docs", true), ("Docs/READ.ME", false), ("x", false),
                                       ("Docs", true), ("caf\u{e9}", false), ("CAF\u{c9}", false)]
        for (path, isFolder) in paths { index.insert(path, key: StorageRules.caseKey(path), isFolder: isFolder) }
        #expect(index.paths(withKey: StorageRules.caseKey("DOCS")) == ["Docs", "docs"])
        #expect(index.paths(withKey: StorageRules.caseKey("docs/read.me")) == ["Docs/Read.me", "Docs/READ.ME"])
        #expect(index.paths(withKey: StorageRules.caseKey("X")) == ["x"])
        #expect(index.paths(withKey: StorageRules.caseKey("y")).isEmpty)
        #expect(index.clashes.sorted { $0[0] < $1[0] } == [["CAF\u{c9}", "caf\u{e9}"].reversed(), ["Docs", "docs"], ["Docs/Read.me", "Docs/READ.ME"]]
            .sorted { $0[0] < $1[0] })
        #expect(index.isFolder("Docs") && index.isFolder("docs") && !index.isFolder("Docs/READ.ME"))
    }

    @Test("on a case-insensitive drive the changes wait on disc, and the preview is the one made in memory")
    func caseInsensitiveChangesWaitOnDisc() throws {
        var command = Self.command
        command.itemizesEverything = true
        var many = [".d          4096 ./"]
        for folder in 0..<3 {
            many.append("cd+++++++++ 4096 d\(folder)/")
            for file in 0..<3000 { many.append(">f+++++++++ 10 d\(folder)/f\(file)") }
        }
        many += [">f+++++++++ 3 d1/F7", "cd+++++++++ 4096 D2/", ">f+++++++++ 3 D2/inner", ".f          3 report.txt", "*deleting   0 Report.txt",
                 "hf+++++++++ 10 link => d0/f1", "cd+++++++++ 4096 odd \u{e9}\u{1}:9 name/", "*deleting   0 gone"]
        let scenarios: [[String]] = [
            [".d          4096 ./", ">f+++++++++ 3 what?.txt", "cL+++++++++ 1 link", ">f+++++++++ 3 fine.txt", "cd+++++++++ 4096 bad|dir/",
             ">f+++++++++ 3 bad|dir/inner.txt"],
            [".f          3 case.txt", ">f.st...... 3 Case.txt", ">f+++++++++ 3 other.txt"],
            [".f          3 report.txt", "*deleting   0 Report.txt", ".d          4096 Sub/", ".f          1 Sub/x", ">f+++++++++ 1 Sub/new",
             "*deleting   0 sub/", "*deleting   0 sub/x", "*deleting   0 sub/gone"],
            [".d          4096 Sub/", ".d          4096 sub/", ">f+++++++++ 3 sub/brandnew.txt"],
            many,
        ]
        let fileSystem = FakeFileSystem(["/src": .directory, "/dst": .directory, "/dst/case.txt": .regularFile, "/dst/d1": .regularFile])
        try withTemporaryFolder { folder throws in
            for lines in scenarios {
                for deleting in [false, true] {
                    var inMemory = PreviewBuilder(command: command, fileSystem: fileSystem, destination: .ofType("exfat"), deleting: deleting)
                    var onDisc = inMemory
                    onDisc.holdChangesOnDisc(environment: ["TMPDIR": folder.path])
                    for line in lines {
                        inMemory.add(line)
                        onDisc.add(line)
                    }
                    let held = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    #expect(held.count == 1)
                    let expected = inMemory.finish()
                    #expect(onDisc.finish() == expected, "\(lines.prefix(3))")
                    #expect(!expected.unstorable.isEmpty || lines.count < 10)
                }
                let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                #expect(left.isEmpty)
            }
        }
    }

    @Test("a held change reads back as it was written, whatever its name holds")
    func heldChangeRecords() {
        var change = Change(kind: .new, path: "a b/\u{e9}:3 => x", isDirectory: false, itemize: ">f+++++++++", size: 42)
        change.hardLinkLeader = "lead: 2"
        let items: [PreviewBuilder.Item] = [.creation(change, checked: true), .creation(change, checked: false),
                                            .folderUpdate(Change(kind: .folderUpdate, path: "d", isDirectory: true, itemize: ".d..t......")),
                                            .modified(Change(kind: .modified, path: "-", isDirectory: false, itemize: ">f.st......", size: 1))]
        for item in items { #expect(PreviewBuilder.item(PreviewBuilder.record(item)) == item) }
    }

    @Test("-v with no list of the new items kept (a full disc) lists those held and says how many more there are")
    func verboseWithoutTheList() {
        let result = Self.preview(folders: 30, files: 99)
        #expect(result.newListing?.logFile == nil)
        let lines = listing(result, verbose: true)
        #expect(lines.first == "New (3000):")
        #expect(lines.filter { $0.hasPrefix("  d") }.count == result.new.count)
        #expect(lines.contains("  … and \(3000 - result.new.count) more items (the list of them could not be kept)"))
    }
}

