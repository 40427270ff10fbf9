/// Decides which keys hold secrets: the default patterns plus a project's extra ones, minus
/// its allow-list. A key that matches has its whole value replaced by `[REDACTED]`, whatever
/// the value is (a string, a number, an object).
///
/// The default patterns are z4j's key list (research §1.3) made to match by word or by
/// substring rather than by whole key, because whole-key matching let `db_password`,
/// `user_token`, `stripe_api_key`, `AWS_SECRET_ACCESS_KEY`, `private_key` and `passphrase`
/// through (§1.3, gap 1):
/// - passwords: `*password*` (also `password_hash`, `password_confirmation`, `dbPassword`),
///   `*passwd*`, `*passphrase*`, and the words `pwd` and `pass` (`smtp_pass`; not `bypass`);
/// - secrets: `*secret*` (`client_secret`, `webhook_secret`, `AWS_SECRET_ACCESS_KEY`);
/// - tokens: the word `token` (`access_token`, `X-Auth-Token`, `csrf_token`; not
///   `max_tokens`) and `*token` for run-together names (`accesstoken`, `csrftoken`);
/// - API and private keys: `api_key` (`x-api-key`, `apiKey`, `stripe_api_key`), `*apikey*`,
///   `private_key`, `*privatekey*`;
/// - HTTP credentials: `authorization`, `auth` (a whole word: `basic_auth`, not `author`),
///   `bearer`, `jwt`, `credential`, `credentials`, `cookie`, `cookies` (and so `set-cookie`),
///   `session_id`, `sessionid`;
/// - card and identity numbers, as z4j: `ssn`, `social_security`, `credit_card`,
///   `card_number`, `cvv`, `cvc`.
///
/// Words rather than substrings for the short ones because substrings of them are common in
/// harmless keys: `auth` in `author`, `token` in `max_tokens` (every LLM call has one), `pass`
/// in `passenger`. Where a project needs more (`pin`, `iban`) it adds patterns; where a
/// default catches a harmless key of its own (`token_count`) it allow-lists the key.
package struct SecretKeyMatcher: Sendable {
    /// The default patterns, in ``SecretKeyPattern`` syntax.
    package static let defaultPatterns: [String] = [
        "*password*", "*passwd*", "*passphrase*", "pwd", "pass",
        "*secret*",
        "token", "*token",
        "api_key", "*apikey*", "private_key", "*privatekey*",
        "authorization", "auth", "bearer", "jwt", "credential", "credentials", "cookie", "cookies", "session_id", "sessionid",
        "ssn", "social_security", "credit_card", "card_number", "cvv", "cvc",
    ]

    private static let compiledDefaults: [SecretKeyPattern] = defaultPatterns.compactMap(SecretKeyPattern.init)

    private let patterns: [SecretKeyPattern]
    private let allowed: [SecretKeyPattern]
    private let cores: KeyCores

    /// The defaults plus `extraPatterns`, minus `allowedKeys`; entries that are not patterns
    /// are skipped (project settings are checked with ``RedactionOverrides/problem`` before
    /// they are stored).
    package init(extraPatterns: [String] = [], allowedKeys: [String] = []) {
        patterns = Self.compiledDefaults + extraPatterns.compactMap(SecretKeyPattern.init)
        allowed = allowedKeys.compactMap(SecretKeyPattern.init)
        cores = KeyCores(patterns.map(\.core))
    }

    /// Whether the value under `key` is a secret.
    package func isSecret(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { isSecret(bytes: $0) }
    }

    /// Whether the value under the key spelled by `bytes` is a secret.
    ///
    /// Most keys are not secret keys, and most hold none of the patterns' cores: that is
    /// tested first, without allocating (a traceback's `timeout=30` and a kwargs dict's
    /// ordinary keys cost tens of nanoseconds, not the microsecond of a full match).
    func isSecret(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard cores.mayMatch(bytes) else { return false }
        let key = NormalizedKey(bytes: bytes)
        guard !key.words.isEmpty, patterns.contains(where: { $0.matches(key) }) else { return false }
        return !allowed.contains { $0.matchesWhole(key) }
    }

    /// Whether the value under the key spelled by `bytes` is a secret.
    func isSecret(bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { isSecret(bytes: $0) } }
}
