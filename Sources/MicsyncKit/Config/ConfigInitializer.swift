/// `micsync --init`: creates or extends the configuration file by asking for a config's name, its
/// WORK folders and its BACKUP folders. The configs already in the file are kept byte for byte:
/// the new one is inserted as text before the `]` that closes `"configs"`. The result is checked
/// with the loader's rules before anything is written, and written atomically.
public struct ConfigInitializer: Sendable {
    let fileSystem: FileSystem
    let prompter: Prompter
    let console: Console

    static let namePrompt = "Config name: "
    static func folderPrompt(_ role: Role) -> String { "\(role.rawValue) folder (empty line to finish): " }

    public init(fileSystem: FileSystem, prompter: Prompter, console: Console) {
        self.fileSystem = fileSystem
        self.prompter = prompter
        self.console = console
    }

    /// Asks, writes `path` (absolute, as named: relative folders are kept relative to its folder)
    /// and returns the config added. Throws `ConfigError` (nothing written: the existing file is
    /// invalid, the name is taken, the folders overlap), `CancelledError` (standard input ended;
    /// nothing written) or `SyncError` (the file could not be written; it is unchanged).
    @discardableResult
    public func run(path: String) throws -> Config {
        let loader = ConfigurationLoader(fileSystem: fileSystem)
        var original: [UInt8]?
        var names: [String] = []
        switch fileSystem.kind(of: path) {
        case .missing, .blockedByNonDirectory:
            let folder = Paths.parent(path)
            guard fileSystem.isDirectory(folder) else {
                throw ConfigError(file: path, message: "cannot be created: the folder \(PathBytes.display(folder)) does not exist")
            }
        default:
            // Must be valid as it stands: a broken file is reported, never extended.
            names = try loader.load(path: path).configs.map(\.name)
            do { original = try fileSystem.readFile(path) } catch {
                throw ConfigError(file: path, message: "cannot be read: \(error.reason)")
            }
        }

        let name = try askName(existing: names, file: path)
        let work = try askFolders(.work)
        let backup = try askFolders(.backup)

        let entry = Self.configText(name: name, work: work, backup: backup)
        let text = original.map { Self.inserting(entry, into: $0) } ?? Self.newFile(entry)
        let configuration: Configuration
        do { configuration = try loader.configuration(from: text, file: path) } catch {
            throw ConfigError(file: error.file, message: error.message + " (nothing was written)", hint: error.hint)
        }
        do { try fileSystem.writeFileAtomically(path, contents: text) } catch {
            throw SyncError("cannot write \(PathBytes.display(path)): \(error.reason); it was not changed")
        }
        console.line("Wrote config \"\(name)\" to \(PathBytes.display(path))")
        return configuration.configs.last!
    }

    private func askName(existing: [String], file: String) throws -> String {
        while true {
            guard let answer = prompter.answer(Self.namePrompt) else {
                throw prompter.noAnswer("Config name")
            }
            let name = answer.trimmingSpaces()
            if name.isEmpty {
                console.line("A config needs a name.")
                continue
            }
            // Told at once rather than after every folder has been typed.
            if existing.contains(name) {
                throw ConfigError(file: file, message: "a config named \"\(name)\" already exists; names must differ (nothing was written)")
            }
            return name
        }
    }

    /// One folder per line, as typed; an empty line ends the list once it holds one.
    private func askFolders(_ role: Role) throws -> [String] {
        var folders: [String] = []
        while true {
            guard let answer = prompter.answer(Self.folderPrompt(role)) else {
                throw prompter.noAnswer("\(role.rawValue) folder")
            }
            if answer.trimmingSpaces().isEmpty {
                if !folders.isEmpty { return folders }
                console.line("A config needs at least one \(role.rawValue) folder.")
                continue
            }
            folders.append(answer)
        }
    }

    // MARK: The text

    /// `{ "name": "…", "work": [ … ], "backup": [ … ] }` on one line, as in the documentation.
    static func configText(name: String, work: [String], backup: [String]) -> String {
        func list(_ items: [String]) -> String { "[" + items.map(quoted).joined(separator: ", ") + "]" }
        return "{ \"name\": \(quoted(name)), \"work\": \(list(work)), \"backup\": \(list(backup)) }"
    }

    static func newFile(_ entry: String) -> [UInt8] {
        Array("{\n  \"configs\": [\n    \(entry)\n  ]\n}\n".utf8)
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t` or `\u00XX`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `content` (a valid configuration file) with `entry` added as the last element of the
    /// top-level `"configs"` list. Every byte before and after is kept; the separator copies the
    /// whitespace in front of the last config, so a config per line stays a config per line.
    static func inserting(_ entry: String, into content: [UInt8]) -> [UInt8] {
        guard let list = configsList(in: content) else { return content }  // not reached: validated
        if let last = list.lastElement {
            let before = content[list.open + 1..<last.lowerBound]
            let whitespace = Array(before.reversed().prefix { isWhitespace($0) }.reversed())
            var separator: [UInt8] = [UInt8(ascii: ",")]
            if let newline = whitespace.lastIndex(of: 0x0A) {
                separator += (newline > 0 && whitespace[newline - 1] == 0x0D) ? [0x0D, 0x0A] : [0x0A]
                separator += whitespace[(newline + 1)...]
            } else if !whitespace.isEmpty {
                separator.append(0x20)
            }
            return Array(content[..<last.upperBound]) + separator + Array(entry.utf8) + Array(content[last.upperBound...])
        }
        // An empty list: laid out like a new file's, indented under the line of "configs".
        let lineStart = (content[..<list.key].lastIndex(of: 0x0A)).map { $0 + 1 } ?? 0
        let indent = content[lineStart..<list.key]
        let replacement: [UInt8]
        if !indent.isEmpty && indent.allSatisfy(isWhitespace) {
            let newline: [UInt8] = lineStart >= 2 && content[lineStart - 2] == 0x0D ? [0x0D, 0x0A] : [0x0A]
            replacement = [UInt8(ascii: "[")] + newline + Array(indent) + Array("  \(entry)".utf8) + newline + Array(indent) + [UInt8(ascii: "]")]
        } else {
            replacement = Array("[\(entry)]".utf8)
        }
        return Array(content[..<list.open]) + replacement + Array(content[(list.close + 1)...])
    }

    struct ListPosition {
        /// Where the key `"configs"` starts, and its list's `[` and `]`.
        var key: Int
        var open: Int
        var close: Int
        /// The bytes of the last element, if any.
        var lastElement: Range<Int>?
    }

    /// Finds the top-level `"configs"` list in valid JSON text (the key may be written with escapes).
    static func configsList(in bytes: [UInt8]) -> ListPosition? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func skipWhitespace() { while index < bytes.count, isWhitespace(bytes[index]) { index += 1 } }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let keyStart = index
            index = endOfValue(bytes, from: index)
            let key = try? JSONReader.parse(Array(bytes[keyStart..<index]))
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            if key == .string("configs") {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
                var position = ListPosition(key: keyStart, open: index, close: index, lastElement: nil)
                index += 1
                while true {
                    skipWhitespace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "]") { position.close = index; return position }
                    let start = index
                    index = endOfValue(bytes, from: index)
                    position.lastElement = start..<index
                    skipWhitespace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1 }
                }
            }
            index = endOfValue(bytes, from: index)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// The index just after the JSON value starting at `start` (valid JSON assumed).
    static func endOfValue(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return index }
                depth -= 1
                index += 1
            case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                if depth == 0 { return index }
                index += 1
            default:
                index += 1
            }
            if depth == 0 && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")) { return index }
        }
        return index
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
