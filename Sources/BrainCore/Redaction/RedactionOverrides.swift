/// A project's changes to the brain's redaction: key patterns to add to the defaults and keys
/// to exempt (seed 002's project settings, "redaction overrides").
///
/// Both use the syntax of ``SecretKeyPattern``: a plain pattern (`pin`, `account_number`)
/// matches a key holding those words; a pattern with `*` is a wildcard over the whole key
/// (`*_pin`, `x_*_sig`). An allow-listed key is exempt even when a default pattern matches it,
/// so an allow-list entry matches a key as a whole (`token_count` exempts `tokenCount` and
/// `TOKEN-COUNT`, not every key holding the word `token`).
package struct RedactionOverrides: Hashable, Sendable, Codable {
    /// Patterns added to ``SecretKeyMatcher/defaultPatterns``.
    package var extraKeyPatterns: [String]
    /// Keys never redacted by key (their values still go through the value patterns).
    package var allowedKeys: [String]

    /// At most this many entries in each list.
    package static let maxEntries = 100
    /// At most this many bytes per entry.
    package static let maxEntryBytes = 100

    enum CodingKeys: String, CodingKey {
        case extraKeyPatterns = "extra_key_patterns"
        case allowedKeys = "allowed_keys"
    }

    package init(extraKeyPatterns: [String] = [], allowedKeys: [String] = []) {
        self.extraKeyPatterns = extraKeyPatterns
        self.allowedKeys = allowedKeys
    }

    /// Why the overrides cannot be used, or `nil` when they can.
    package var problem: String? {
        for (list, what) in [(extraKeyPatterns, "extra key pattern"), (allowedKeys, "allowed key")] {
            if list.count > Self.maxEntries { return "at most \(Self.maxEntries) \(what)s (there are \(list.count))" }
            for entry in list {
                if let problem = SecretKeyPattern.problem(in: entry) { return "\(what) \"\(entry)\": \(problem)" }
            }
        }
        return nil
    }
}
