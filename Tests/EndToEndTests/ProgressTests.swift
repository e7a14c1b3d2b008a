// Progress: a live line on a terminal while rsync copies; none with --no-progress or off a terminal.

import Foundation
import Testing

@Suite("progress line")
struct ProgressTests {
    static let clearToEnd = "\u{1B}[K"

    /// A WORK with a big incompressible file (so that the copy takes a moment) and a small one.
    func sandbox() throws -> Sandbox {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        let made = try box.shell("head -c 150000000 /dev/urandom > work/docs/big.bin")
        #expect(made.status == 0, "\(made)")
        return box
    }

    func size(_ box: Sandbox, _ relative: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: box.path(relative)))?[.size] as? Int
    }

    func onTerminal(_ box: Sandbox, _ arguments: String) throws -> RunResult {
        try box.shell("NO_COLOR=1 script -qec '\(Binary.path) \(arguments)' /dev/null")
    }

    /// The pieces of the live line: what comes after a carriage return and before the clear.
    func progressPieces(_ output: String) -> [String] {
        output.components(separatedBy: "\r").filter { $0.contains("%") && $0.hasSuffix(Self.clearToEnd) }
    }

    @Test("on a terminal: a live line with the percentage, cleared before the results")
    func liveLineOnTerminal() throws {
        let box = try sandbox()
        let r = try onTerminal(box, "--config cfg.json --backup work/docs")
        #expect(r.status == 0, "\(r)")
        let pieces = progressPieces(r.stdout)
        #expect(!pieces.isEmpty, "\(r)")
        #expect(pieces.contains { $0.contains(" of ") && $0.contains("B/s") && $0.contains("docs/big.bin") }, "\(r)")
        // Cleared: the line is erased before the listing and the summary.
        let lastPiece = try #require(r.stdout.range(of: Self.clearToEnd, options: .backwards))
        let summary = try #require(r.stdout.range(of: "Done: 3 copied, 0 overwritten, 0 deleted"), "\(r)")
        #expect(lastPiece.upperBound <= summary.lowerBound, "\(r)")
        #expect(r.stdout.contains("  docs/big.bin\r\n"), "\(r)")
        #expect(!r.stdout.contains("rsync:"), "no progress text taken for a message\n\(r)")
        #expect(size(box, "b1/docs/big.bin") == 150_000_000)
    }

    @Test("on a terminal: the replacing run shows progress and counts stay exact")
    func replacingRun() throws {
        let box = try sandbox()
        #expect(try box.run(["--config", "cfg.json", "--backup", "work/docs"]).status == 0)
        let changed = try box.shell("head -c 120000000 /dev/urandom > work/docs/big.bin && touch -d '2001-01-01' b1/docs/big.bin && echo more > work/docs/new.txt")
        #expect(changed.status == 0, "\(changed)")
        let r = try onTerminal(box, "--config cfg.json --backup -m work/docs")
        #expect(r.status == 0, "\(r)")
        #expect(!progressPieces(r.stdout).isEmpty, "\(r)")
        #expect(r.stdout.contains("Done: 1 copied, 1 overwritten, 0 deleted"), "\(r)")
        #expect(!r.stdout.contains("rsync:"), "\(r)")
        #expect(size(box, "b1/docs/big.bin") == 120_000_000)
    }

    @Test("--no-progress on a terminal: no progress line, the results only")
    func noProgressFlag() throws {
        let box = try sandbox()
        let r = try onTerminal(box, "--config cfg.json --backup --no-progress work/docs")
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("%") && !r.stdout.contains(Self.clearToEnd), "\(r)")
        #expect(r.stdout.contains("Done: 3 copied, 0 overwritten, 0 deleted"), "\(r)")
    }

    @Test("not on a terminal: no progress line")
    func notOnTerminal() throws {
        let box = try sandbox()
        let r = try box.run(["--config", "cfg.json", "--backup", "work/docs"])
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains("%") && !r.stdout.contains("\r") && !r.stdout.contains(Self.clearToEnd), "\(r)")
        #expect(r.stdout.contains("Done: 3 copied, 0 overwritten, 0 deleted"), "\(r)")
    }

    @Test("a preview (-n) on a terminal shows no progress line")
    func previewHasNone() throws {
        let box = try sandbox()
        let r = try onTerminal(box, "--config cfg.json --backup -n work/docs")
        #expect(r.status == 0 && !r.stdout.contains(Self.clearToEnd), "\(r)")
    }
}
