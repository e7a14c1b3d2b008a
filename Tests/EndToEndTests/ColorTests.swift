// Colour: only on a terminal, never with NO_COLOR, and --color auto|always|never.

import Foundation
import Testing

@Suite("7 · colour")
struct ColorTests {
    static let escape = "\u{1B}["

    func sandbox() throws -> Sandbox {
        let box = try Sandbox()
        try box.standard(backups: ["b1"])
        try box.write("work/docs/a.txt", "a\n")
        return box
    }

    /// Runs micsync under a pseudo-terminal (util-linux `script`), as a person at a terminal would.
    func onTerminal(_ box: Sandbox, _ arguments: String, noColor: Bool) throws -> RunResult {
        let variable = noColor ? "NO_COLOR=1" : "NO_COLOR="
        return try box.shell("\(variable) script -qec '\(Binary.path) \(arguments)' /dev/null")
    }

    @Test("on a terminal the headings and kinds are coloured; with NO_COLOR they are not")
    func terminalAuto() throws {
        let coloured = try onTerminal(try sandbox(), "--config cfg.json --backup -n work/docs", noColor: false)
        #expect(coloured.status == 0, "\(coloured)")
        #expect(coloured.stdout.contains(Self.escape), "\(coloured)")
        let plain = try onTerminal(try sandbox(), "--config cfg.json --backup -n work/docs", noColor: true)
        #expect(plain.status == 0, "\(plain)")
        #expect(!plain.stdout.contains(Self.escape) && plain.stdout.contains("New ("), "\(plain)")
    }

    @Test("not on a terminal: no colour unless --color always")
    func pipedOutput() throws {
        let box = try sandbox()
        let auto = try box.run(["--config", "cfg.json", "--backup", "-n", "work/docs"], env: ["NO_COLOR": nil])
        #expect(!auto.stdout.contains(Self.escape), "\(auto)")
        let always = try box.run(["--config", "cfg.json", "--backup", "-n", "--color", "always", "work/docs"])
        #expect(always.stdout.contains(Self.escape), "an explicit always wins over NO_COLOR\n\(always)")
    }

    @Test("--color never on a terminal: no colour")
    func neverOnTerminal() throws {
        let r = try onTerminal(try sandbox(), "--config cfg.json --backup -n --color=never work/docs", noColor: false)
        #expect(r.status == 0 && !r.stdout.contains(Self.escape) && r.stdout.contains("New ("), "\(r)")
    }

    @Test("--color with another value is a usage error")
    func badValue() throws {
        let r = try sandbox().run(["--config", "cfg.json", "--backup", "--color", "sometimes", "work/docs"])
        #expect(r.status == 2 && r.stderr.contains("micsync:"), "\(r)")
    }
}
