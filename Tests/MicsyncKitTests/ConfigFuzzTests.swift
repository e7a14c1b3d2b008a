// Fuzzing of the configuration reader (README: "Configuration"): hostile files never crash or hang
// JSONReader / ConfigurationLoader; each gives a valid Configuration or a ConfigError, and every
// JSONSyntaxError points inside the input. MICSYNC_FUZZ_ITERATIONS (default 3000) and
// MICSYNC_FUZZ_SEED set the run; a case is rerun alone with MICSYNC_FUZZ_CASE=N.

import Foundation
import Testing
@testable import MicsyncKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small seeded generator, so that a case reproduces from (seed, case number).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What is being fed right now, written to stderr if the process dies of a trap or signal.
nonisolated(unsafe) private var crashNote = UnsafeMutablePointer<CChar>.allocate(capacity: 4096)
nonisolated(unsafe) private var crashNoteLength = 0
private let installCrashReporter: Void = {
    for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
        signal(sig) { sig in
            _ = write(2, crashNote, crashNoteLength)
            signal(sig, SIG_DFL)
            raise(sig)
        }
    }
}()

private func note(_ text: String) {
    let bytes = Array(("\nmicsync fuzz: crashed on " + text + "\n").utf8.prefix(4095))
    bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { crashNote.update(from: $0.baseAddress!, count: $0.count) }
    }
    crashNoteLength = bytes.count
}

/// Printable form of an input: ASCII as is, everything else as \xNN.
func shown(_ bytes: [UInt8], limit: Int = 600) -> String {
    let text = bytes.prefix(limit).map { b -> String in
        (0x20..<0x7F).contains(b) && b != 0x5C ? String(UnicodeScalar(b)) : String(format: "\\x%02X", b)
    }.joined()
    return bytes.count > limit ? text + "… (\(bytes.count) bytes)" : text
}

enum Fuzz {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = environment["MICSYNC_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 3000
    static let seed = environment["MICSYNC_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x6D69_6373_796E_63
    static let onlyCase = environment["MICSYNC_FUZZ_CASE"].flatMap { Int($0) }
    static func generator(_ n: Int) -> SplitMix64 { SplitMix64(seed: seed ^ (UInt64(n) &* 0xD1B5_4A32_D192_ED03)) }
}

@Suite("configuration fuzzing", .serialized)
struct ConfigFuzzTests {
    static let valid = [
        #"{"configs":[{"name":"Docs","work":["work"],"backup":["b1","b2"]}]}"#,
        "{\n  \"configs\": [\n    {\"name\": \"A\", \"work\": [\"~/w\", \"/x/y/\"], \"backup\": [\"../b\"], \"require_marker\": true, \"keep\": false},\n    {\"name\": \"B\\u00e9\", \"work\": [\"/x/y\"], \"backup\": [\"b/c\"]}\n  ]\n}\n",
        "\u{FEFF}{\"configs\":[]}",
    ].map { Array($0.utf8) }

    /// JSON snippets of every type (some hostile); `kind` says which fields may accept them.
    static let values: [(text: String, kind: String)] = [
        ("null", "x"), ("true", "bool"), ("false", "bool"), ("0", "x"), ("-1.5e308", "x"),
        ("1e999999", "x"), ("-0", "x"), (String(repeating: "9", count: 5000), "x"), ("\"\"", "empty"),
        ("\"x\"", "string"), ("\"\\u0000\"", "string"), ("\"\\ud800\"", "bad"), ("\"\\udbff\\udfff\"", "string"),
        ("\"" + String(repeating: "é", count: 100_000) + "\"", "string"), ("\"~\"", "string"), ("\"/\"", "string"),
        ("[]", "x"), ("[\"\"]", "x"), ("[\"a\",1]", "x"), ("[\"q\"]", "list"), ("[\"/\",\"/tmp\"]", "list"),
        ("[\"w\",\"w/\"]", "list"), ("{}", "x"), ("{\"name\":\"n\"}", "x"), ("[[[]]]", "x"),
        (String(repeating: "[", count: 600) + String(repeating: "]", count: 600), "x"),
    ]
    static let fields = ["name", "work", "backup", "require_marker", "keep"]

    /// A config built from snippets: `fields` maps a key to its raw JSON text (nil leaves it out).
    static func document(_ fields: [(String, String)], top: String = "") -> [UInt8] {
        let members = fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
        return Array("{\(top)\"configs\":[{\(members)}]}".utf8)
    }
    static let base = [("name", "\"N\""), ("work", "[\"w\"]"), ("backup", "[\"b\"]")]

    /// Feeds one input to the reader and the loader and checks what comes back.
    /// `accepts` false: the loader must refuse it.
    /// Returns 0 when accepted, 1 for a ConfigError past the JSON syntax, 2 for a syntax error.
    @discardableResult
    func check(_ bytes: [UInt8], _ label: String, accepts: Bool? = nil, real: TemporaryFolder? = nil) -> Int {
        note("\(label) (seed \(Fuzz.seed)): \(shown(bytes))")
        let started = Date()
        var syntax: JSONSyntaxError?
        do { _ = try JSONReader.parse(bytes) } catch {
            syntax = error
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let inBounds = error.line >= 1 && error.column >= 1 && error.line <= lines.count
                && error.column <= lines[error.line - 1].filter { $0 & 0xC0 != 0x80 }.count + 1
            #expect(inBounds && !error.message.isEmpty,
                    "\(label) (seed \(Fuzz.seed)): line \(error.line), column \(error.column) out of bounds: \(shown(bytes))")
        }
        var fs = FakeFileSystem(["/home/user/w": .directory, "/link": .symbolicLink])
        fs.addFile("/cfg/c.json", "")
        fs.files["/cfg/c.json"] = bytes
        let paths: [(FileSystem, String)] = [(fs, "/cfg/c.json")] + (real.map { folder in
            let path = folder.at("c.json")
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return [(LocalFileSystemIn(cwd: folder.path), path)]
        } ?? [])
        var outcome = 1
        for (fileSystem, path) in paths {
            do {
                let configuration = try ConfigurationLoader(fileSystem: fileSystem).load(path: path)
                outcome = 0
                #expect(syntax == nil && accepts != false, "\(label): accepted \(shown(bytes))")
                expectSound(configuration, label, bytes)
            } catch {
                #expect(error.file == path && !error.message.isEmpty, "\(label): \(error)")
                if let syntax {
                    #expect(error.message.contains("not valid JSON") && error.message.contains("line \(syntax.line), column \(syntax.column)"),
                            "\(label): \(error) for \(shown(bytes))")
                }
            }
        }
        #expect(Date().timeIntervalSince(started) < 5, "\(label): took too long on \(shown(bytes))")
        return syntax != nil ? 2 : outcome
    }

    /// What a valid Configuration promises (README: "Configuration").
    func expectSound(_ configuration: Configuration, _ label: String, _ bytes: [UInt8]) {
        let names = configuration.configs.map(\.name)
        #expect(Set(names).count == names.count && !names.contains(""), "\(label): names \(names)")
        for config in configuration.configs {
            let all = config.locations
            #expect(!config.work.isEmpty && !config.backup.isEmpty, "\(label): \(config)")
            for (i, a) in all.enumerated() {
                #expect(a.path.hasPrefix("/") && !a.written.isEmpty, "\(label): \(a)")
                for b in all[(i + 1)...] where Paths.contains(a.path, b.path) || Paths.contains(b.path, a.path) {
                    Issue.record("\(label): \(a.path) and \(b.path) nest, yet \(shown(bytes)) was accepted")
                }
            }
        }
    }

    /// One mutation of a valid file (or a fully random input).
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let at = Int.random(in: 0...bytes.count, using: &rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0 where !bytes.isEmpty:  // flip a bit or replace a byte
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[i] = Bool.random(using: &rng) ? bytes[i] ^ (1 << UInt8.random(in: 0...7, using: &rng)) : .random(in: 0...255, using: &rng)
        case 1:  // insert hostile bytes
            let pieces: [[UInt8]] = [[0], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
                                     Array("\"".utf8), Array("\\".utf8), Array("\\u".utf8), Array("\\uD800".utf8), [0x0A], [0x0D],
                                     Array("1e99999999".utf8), Array("-".utf8), Array(String(repeating: "7", count: 400).utf8),
                                     Array(",".utf8), Array(":".utf8), Array("{".utf8), Array("]".utf8), [UInt8.random(in: 0...255, using: &rng)]]
            bytes.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
        case 2:  // deep nesting
            let open = Array((Bool.random(using: &rng) ? "[" : "{\"a\":").utf8)
            let depth = [10_000, 513, 512, 511, 100].randomElement(using: &rng)!
            bytes.insert(contentsOf: Array([[UInt8]](repeating: open, count: depth).joined()), at: at)
        case 3: bytes = Array(bytes.prefix(at))  // truncate
        case 4 where !bytes.isEmpty:  // delete a run
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...8, using: &rng)))
        case 5 where !bytes.isEmpty:  // duplicate a slice elsewhere (duplicated keys, configs)
            let i = Int.random(in: 0..<bytes.count, using: &rng), j = Int.random(in: i...bytes.count, using: &rng)
            bytes.insert(contentsOf: bytes[i..<j], at: at)
        case 6:  // random bytes
            bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in .random(in: 0...255, using: &rng) }
        case 7:  // random JSON token soup
            let tokens = ["{", "}", "[", "]", ",", ":", "\"configs\"", "\"name\"", "\"work\"", "\"backup\"", "\"keep\"", "\"\"",
                          "\"a\"", "true", "null", "0", "-1", "1.5e3", " ", "\n", "\"\\u0041\"", "\"\\x\"", "tru", "01", "1."]
            bytes = Array((0..<Int.random(in: 0...40, using: &rng)).map { _ in tokens.randomElement(using: &rng)! }.joined().utf8)
        default:  // a field with a value of any type, or an unknown / repeated key
            var fields = base
            let value = values.randomElement(using: &rng)!.text
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: fields[Int.random(in: 0..<fields.count, using: &rng)].1 = value
            case 1: fields.append((["bakup", "", "work", "name", "\\u0000", "Name"].randomElement(using: &rng)!, value))
            case 2: fields.remove(at: Int.random(in: 0..<fields.count, using: &rng))
            default: return document(fields, top: "\"configs\":\(value),")
            }
            return document(fields.shuffled(using: &rng))
        }
        return bytes
    }

    @Test("mutated and random files: a Configuration or a ConfigError, never a crash",
          .timeLimit(.minutes(5)))
    func mutatedFiles() throws {
        _ = installCrashReporter
        let start = Date()
        var tally = [0, 0, 0]
        try withTemporaryFolder { real in
            for n in 0..<Fuzz.iterations where Fuzz.onlyCase.map({ $0 == n }) ?? true {
                var rng = Fuzz.generator(n)
                var input = Self.valid.randomElement(using: &rng)!
                for _ in 0..<[1, 1, 1, 2, 3, 4].randomElement(using: &rng)! { input = Self.mutate(input, &rng) }
                tally[check(input, "case \(n)", real: n % 10 == 0 ? real : nil)] += 1
            }
        }
        print("ConfigFuzz: \(Fuzz.iterations) mutated inputs (seed \(Fuzz.seed)) in \(Date().timeIntervalSince(start)) s: "
              + "\(tally[0]) accepted, \(tally[1]) refused by validation, \(tally[2]) with a JSON syntax error")
    }

    @Test("truncation at every position of each valid file")
    func truncations() {
        _ = installCrashReporter
        for (f, file) in Self.valid.enumerated() {
            for cut in 0...file.count { check(Array(file.prefix(cut)), "valid file \(f) cut at \(cut)", accepts: file[cut...].allSatisfy { [0x20, 0x0A].contains($0) } ? nil : false) }
        }
    }

    @Test("every field with a value of every type; unknown and repeated keys")
    func everyFieldEveryType() {
        _ = installCrashReporter
        let fits = ["name": ["string"], "work": ["list"], "backup": ["list"], "require_marker": ["bool"], "keep": ["bool"]]
        for (key, value) in Self.fields.flatMap({ f in Self.values.map { (f, $0) } }) {
            var fields = Self.base.filter { $0.0 != key }
            fields.append((key, value.text))
            check(Self.document(fields), "\(key): \(value.text.prefix(40))", accepts: fits[key]!.contains(value.kind) ? nil : false)
            check(Self.document(Self.base + [(key, value.text)]), "second \(key)", accepts: Self.base.contains { $0.0 == key } ? false : nil)
            check(Self.document(Self.base, top: "\"configs\":\(value.text),"), "second configs", accepts: false)
            check(Self.document(Self.base + [(key + "x", value.text)]), "unknown \(key)x", accepts: false)
            check(Array("{\"configs\":\(value.text)}".utf8), "configs: \(value.text.prefix(40))", accepts: value.text == "[]" ? nil : false)
        }
        for missing in ["name", "work", "backup"] { check(Self.document(Self.base.filter { $0.0 != missing }), "no \(missing)", accepts: false) }
    }

    /// Found by fuzzing: a C path ends at a NUL, so the location "b1\u0000zzz" silently meant the
    /// folder b1 (micsync then copied into b1). No folder path holds a NUL: it must be refused.
    @Test("a location holding a NUL character is refused")
    func nulInLocation() {
        check(Array(#"{"configs":[{"name":"D","work":["w"],"backup":["b1\u0000zzz"]}]}"#.utf8), "NUL in a location", accepts: false)
    }
}
