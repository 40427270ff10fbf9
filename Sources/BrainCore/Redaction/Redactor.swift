/// The brain's redaction: masks secrets in free text and in JSON at any depth, then cuts to
/// the policy's limits. Applied by the brain itself to task args, kwargs, error messages,
/// tracebacks and event payloads before anything is journalled, whatever the agent did (a
/// misconfigured or hostile agent is not trusted to have redacted: research §5.4).
///
/// Two mechanisms:
/// - **by key**: in JSON, a member whose key is a secret key (``SecretKeyMatcher``) has its
///   whole value replaced by `"[REDACTED]"`; so does the `value` of a `{"name": "DB_PASSWORD",
///   "value": …}` pair (environment lists, form fields). In free text, `key=value` and
///   `key: value` are masked the same way (`ValueScanner`).
/// - **by value**: every string (keys included, as z4j does) and every free text is scanned
///   for secrets of known shapes; only the matching span is masked (`[REDACTED:jwt]`).
///
/// Masking is idempotent (markers match nothing, and a cut never splits a marker), and so is
/// cutting to a limit: redacting a redacted text changes nothing (the property tests check it).
///
/// Cost, measured in release (`swiftc -O` of these files and a timing loop, x86_64, 2 cores
/// shared with other work; best of 2,000 runs, mean in brackets): a 10 KB Python traceback
/// with a credential URI, a bearer JWT and an email in it, 43 µs (50–85 µs); 10 KB of
/// traceback with no secret, 23 µs (29–39 µs); a 9.4 KB kwargs object of 200 string members,
/// parsed, walked and written back, 100 µs (155–180 µs). Well under the millisecond budget;
/// what dominates is `key=value` look-ups (cut by a first test of the patterns' cores) and, for JSON, building the tree.
///
/// Most texts hold nothing to redact, so there is a fast path (``isUnchangedJSON(_:limit:)``,
/// ``isUnchangedText(_:limit:)``, used by ``TaskEventReport/redacted(by:)``): one pass, no
/// allocation, that says the slow path would give the text back byte for byte, and the text
/// is then kept as it came. It accepts JSON already in the canonical form the slow path
/// writes (no whitespace; strings escape only `"`, `\` and control bytes, those the
/// shortest way with lowercase hex; numbers as written; what Python's `json.dumps(v,
/// separators=(",", ":"), ensure_ascii=False)` writes, as the Python client sends), within
/// the depth, value and text limits, with no secret key, no pair naming one, and no string
/// the value patterns match; and free text the value patterns do not match, within its
/// limit. Anything else takes the slow path, which decides. Micro benchmark
/// (`Redaction.*`, slow and fast in the same run, x86_64 VM, p50): a 250-byte Celery
/// args/kwargs pair without a secret, 1.0 µs checked against 8.8 µs redacted the slow way
/// (0.12); the same as a whole task event report, 1.6 µs against 13.4 µs (0.12), and no
/// allocation against 63. With one secret key the check stops at the key and the slow path
/// runs: the check is paid on top (Benchmarks/Micro/README.md).
///
/// A class, not a struct: it is immutable once built, and every task event takes its
/// project's redactor, which as a struct was a copy of about twenty arrays (a retain and a
/// release of each per event); a class is one.
package final class Redactor: Sendable {
    /// The limits and overrides this redactor applies.
    package let policy: RedactionPolicy
    /// The key patterns (shared with the fast path, ``isUnchangedJSON(_:limit:)``).
    let keys: SecretKeyMatcher
    /// The value patterns (shared with the fast path).
    let scanner: ValueScanner

    package init(policy: RedactionPolicy = RedactionPolicy()) {
        self.policy = policy
        keys = SecretKeyMatcher(extraPatterns: policy.extraKeyPatterns, allowedKeys: policy.allowedKeys)
        scanner = ValueScanner(keys: keys, maskEmails: policy.maskEmails)
    }

    /// Whether the value under `key` is replaced whole.
    package func isSecretKey(_ key: String) -> Bool { keys.isSecret(key) }

    /// `text` with its secrets masked, then cut to `limit` UTF-8 bytes.
    package func redactText(_ text: String, limit: Int) -> String {
        var text = text
        let masked = text.withUTF8 { mask($0) }
        guard let masked else { return Truncation.truncate(text, limit: limit) }
        return String(decoding: Truncation.truncate(bytes: masked, limit: limit), as: UTF8.self)
    }

    /// JSON text with secret keys' values replaced and secrets in strings masked, each
    /// string cut to ``RedactionPolicy/maxValueBytes``, written canonically
    /// (`JSONValue.serialized`), and the whole cut to `limit` bytes (then a JSON string).
    ///
    /// Text that is not JSON (a Python repr, say) is masked as free text and kept as a JSON
    /// string, so what is stored is always JSON. Empty text stays empty ("not given").
    package func redactJSON(_ text: String, limit: Int) -> String {
        guard !text.isEmpty else { return text }
        var text = text
        let out = text.withUTF8 { bytes -> [UInt8] in
            if let value = JSONValue.parse(bytes) { return redact(value, depth: 0).serialized }
            var out: [UInt8] = []
            JSONValue.appendString(Truncation.truncate(bytes: mask(bytes) ?? Array(bytes), limit: policy.maxValueBytes), to: &out)
            return out
        }
        return String(decoding: Truncation.truncateJSON(out, limit: limit), as: UTF8.self)
    }

    /// The masked text, or `nil` when there was nothing to mask (no copy then).
    private func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let spans = scanner.spans(in: bytes)
        return spans.isEmpty ? nil : SecretSpan.mask(bytes, spans)
    }

    private func redactString(_ bytes: [UInt8]) -> [UInt8] {
        let masked = bytes.withUnsafeBufferPointer { mask($0) } ?? bytes
        return Truncation.truncate(bytes: masked, limit: policy.maxValueBytes)
    }

    private static let keyMarker = JSONValue.string(Array(RedactionPolicy.keyMarker.utf8))
    private static let depthMarker = JSONValue.string(Array(RedactionPolicy.depthMarker.utf8))

    private func redact(_ value: JSONValue, depth: Int) -> JSONValue {
        switch value {
        case .object(let members):
            guard depth < policy.maxDepth else { return Self.depthMarker }
            // {"name": "DB_PASSWORD", "value": "…"}: the pair names a secret.
            let namesSecret = members.contains { member in
                guard Self.isWord(member.key, "name") || Self.isWord(member.key, "key"), case .string(let name) = member.value else { return false }
                return keys.isSecret(bytes: name)
            }
            return .object(
                members.map { member in
                    let secret = keys.isSecret(bytes: member.key) || (namesSecret && Self.isWord(member.key, "value"))
                    return JSONValue.Member(key: redactString(member.key), value: secret ? Self.keyMarker : redact(member.value, depth: depth + 1))
                })
        case .array(let elements):
            guard depth < policy.maxDepth else { return Self.depthMarker }
            return .array(elements.map { redact($0, depth: depth + 1) })
        case .string(let bytes):
            return .string(redactString(bytes))
        case .number(let text):
            return text.count > policy.maxValueBytes ? .string(Truncation.truncate(bytes: text, limit: policy.maxValueBytes)) : value
        case .bool, .null:
            return value
        }
    }

    /// Whether `key` is `word` in any case.
    private static func isWord(_ key: [UInt8], _ word: StaticString) -> Bool {
        key.count == word.utf8CodeUnitCount && key.lazy.map(ByteClass.lowercased).elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: key.count))
    }
}
