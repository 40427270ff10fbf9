/// One key pattern: which keys hold secrets.
///
/// Two forms, both case-insensitive and both matched against the key's words
/// (``NormalizedKey``: `dbPassword` and `DB-PASSWORD` are the words `db password`):
/// - **Words** (`password`, `api_key`): the key holds these words in a row (`db_password`,
///   `stripeApiKey`, `X-API-Key`), or one word that is all of them run together (`apikey`).
///   A word is whole: `token` catches `user_token` but not `max_tokens`.
/// - **Wildcard** (`*password*`, `*_pin`): `*` stands for anything; the pattern must match
///   the whole key, with its words joined by `_` or with nothing between them, so
///   `*password*` catches `dbpassword` and `*apikey*` catches `stripe_api_key`.
///
/// As an allow-list entry (``matchesWhole(_:)``) a words pattern must be the whole key.
package struct SecretKeyPattern: Hashable, Sendable {
    /// The pattern as written.
    package let text: String
    private let form: Form

    private enum Form: Hashable, Sendable {
        case words([[UInt8]], runTogether: [UInt8])
        case wildcard(joined: [UInt8], compact: [UInt8])
    }

    /// Parses a pattern; `nil` when it is not one (see ``problem(in:)``).
    package init?(_ text: String) {
        guard Self.problem(in: text) == nil else { return nil }
        self.text = text
        if text.utf8.contains(UInt8(ascii: "*")) {
            // Separators become "_" so `*-token` and `*_token` are the same pattern.
            let joined = text.utf8.map { byte -> UInt8 in
                byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: " ") ? UInt8(ascii: "_") : ByteClass.lowercased(byte)
            }
            form = .wildcard(joined: joined, compact: joined.filter { $0 != UInt8(ascii: "_") })
        } else {
            let key = NormalizedKey(text)
            let words = key.words.map { Array(key.joined[$0]) }
            form = .words(words, runTogether: key.compact)
        }
    }

    /// Why `text` is not a pattern, or `nil` when it is.
    package static func problem(in text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > RedactionOverrides.maxEntryBytes { return "it is longer than \(RedactionOverrides.maxEntryBytes) bytes" }
        for byte in text.utf8 {
            let allowed =
                ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: " ")
            if !allowed { return "only ASCII letters, digits, '_', '-', '.', ' ' and '*' are allowed" }
        }
        if !text.utf8.contains(where: ByteClass.isAlphanumeric) { return "it has no letter or digit" }
        return nil
    }

    /// Bytes every key this pattern matches holds, in its words run together (the pattern's
    /// longest literal stretch): the cheap first test of ``SecretKeyMatcher``.
    var core: [UInt8] {
        switch form {
        case .words(_, let runTogether): return runTogether
        case .wildcard(_, let compact): return compact.split(separator: UInt8(ascii: "*")).max { $0.count < $1.count }.map(Array.init) ?? []
        }
    }

    /// Whether the key holds a secret by this pattern.
    func matches(_ key: NormalizedKey) -> Bool {
        switch form {
        case .wildcard(let joined, let compact):
            return Self.glob(joined, key.joined) || Self.glob(compact, key.compact)
        case .words(let words, let runTogether):
            guard !words.isEmpty, key.words.count >= 1 else { return false }
            if key.words.count >= words.count {
                for first in 0...(key.words.count - words.count) {
                    var all = true
                    for (offset, word) in words.enumerated() where !key.joined[key.words[first + offset]].elementsEqual(word) {
                        all = false
                        break
                    }
                    if all { return true }
                }
            }
            if words.count > 1 {
                for range in key.words where key.joined[range].elementsEqual(runTogether) { return true }
            }
            return false
        }
    }

    /// Whether the pattern is the whole key (allow-list entries).
    func matchesWhole(_ key: NormalizedKey) -> Bool {
        switch form {
        case .wildcard: return matches(key)
        case .words(_, let runTogether): return key.compact == runTogether
        }
    }

    /// Whether `pattern` (with `*` for any run of bytes) matches all of `text`.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star = -1
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
