import BrainCommandLine
import BrainProtocol

/// One page of a list command: its `--json` shape and its `more:` line.
///
/// Every list prints the same JSON object, `{"items": [...], "next_cursor": "C" | null}`,
/// and in text mode, when there is more, a last line that repeats the command with every
/// option given plus `--cursor C`, quoted for a POSIX shell, so running it as it is
/// continues the same listing.
struct Paging {
    private var words: [String]

    /// A command line `brainctl <path...>` to add the options given to.
    init(_ path: String..., common: CommonOptions) {
        words = ["brainctl"] + path
        add("--socket", common.socket)
        add("--timeout", common.timeout.map(CommonOptions.text))
    }

    /// Adds `option value` when the value was given.
    mutating func add(_ option: String, _ value: String?) {
        guard let value else { return }
        words += [option, value]
    }

    /// Adds `option value` for each value (a repeatable option).
    mutating func add(_ option: String, each values: [String]) {
        for value in values { words += [option, value] }
    }

    /// Adds a flag when it is set.
    mutating func add(flag: String, _ isSet: Bool) {
        if isSet { words.append(flag) }
    }

    /// `more: brainctl ... --cursor C`, or nil on the last page.
    func more(cursor: String) -> String? {
        guard !cursor.isEmpty else { return nil }
        return "more: " + (words + ["--cursor", cursor]).map(Self.quote).joined(separator: " ")
    }

    /// Prints a page: the JSON object, or the table (or `empty`) and the `more:` line.
    func print(_ items: [JSONValue], nextCursor: String, json: Bool, table: @autoclosure () -> String, empty: String) {
        if json {
            Console.line(Self.page(items, nextCursor: nextCursor).text)
            return
        }
        Console.line(items.isEmpty ? empty : table())
        if let more = more(cursor: nextCursor) { Console.line(more) }
    }

    /// `{"items": [...], "next_cursor": "C" | null}`.
    static func page(_ items: [JSONValue], nextCursor: String) -> JSONValue {
        .object([("items", .array(items)), ("next_cursor", .optional(nextCursor))])
    }

    /// `word` as a POSIX shell reads it back: as is when it is plain, else in single quotes.
    static func quote(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "@%+=:,./_-".unicodeScalars.contains(scalar))
            }
        if plain { return word }
        return "'" + word.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }
}
