/// The fast path: whether redaction would give a text back byte for byte, found in one pass
/// with no allocation, so that the common event (nothing to mask, JSON already written
/// canonically) is kept as it came instead of being parsed, walked and written again.
///
/// Each answer is exact in one direction: `true` only when the slow path
/// (``redactJSON(_:limit:)``, ``redactText(_:limit:)``) returns the same bytes. `false` may
/// also mean "not sure" (the slow path then decides); the tests check it means a change on
/// every case they name and every document they generate.
///
/// The walk is written as methods of the redactor with a trivial cursor passed `inout` and
/// no closure, so the matchers are reached through the redactor in place and nothing is
/// retained per string (a first version, a checker struct holding the matchers, was copied
/// with all their arrays retained at each closure, and was slower than the slow path).
extension Redactor {
    /// Whether ``redactJSON(_:limit:)`` returns `text` unchanged. Empty text passes.
    ///
    /// What passes: the canonical form of `JSONValue.serialized` (``CanonicalJSONCursor``:
    /// no whitespace, the shortest escapes, numbers as written, duplicate keys) at most
    /// `limit` bytes, nested at most ``RedactionPolicy/maxDepth`` deep (and 512, the
    /// parser's), with no secret key and no `{"name"/"key": <a secret key>, "value": …}`
    /// pair (unless the value that would go is already `"[REDACTED]"`, so a redacted text
    /// passes again), no string (keys included) in which the value patterns find a secret,
    /// and no string (decoded) or number longer than ``RedactionPolicy/maxValueBytes``.
    package func isUnchangedJSON(_ text: String, limit: Int) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable({ isUnchangedJSON($0, limit: limit) }) { return answer }
        var text = text
        return text.withUTF8 { isUnchangedJSON($0, limit: limit) }
    }

    /// Whether ``redactJSON(_:limit:)`` returns the text spelled by UTF-8 `bytes` unchanged;
    /// bytes that are not valid UTF-8 do not pass.
    package func isUnchangedJSON(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Bool {
        var verdicts = KeyVerdicts.disabled
        return isUnchangedJSON(bytes, limit: limit, verdicts: &verdicts)
    }

    /// ``isUnchangedJSON(_:limit:)``, deciding about keys through the caller's memo (one per
    /// thread: the keys of a stream repeat in every event).
    package func isUnchangedJSON(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int, verdicts: inout KeyVerdicts) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard bytes.count <= limit else { return false }
        // Room for the longest string that can be kept, decoded (on the stack: the closure is inlined).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(0, min(bytes.count, policy.maxValueBytes))) { scratch in
            var cursor = CanonicalJSONCursor(bytes)
            return isUnchanged(value: &cursor, depth: 0, scratch: scratch, verdicts: &verdicts) && cursor.isAtEnd
        }
    }

    /// Whether ``redactText(_:limit:)`` returns `text` unchanged: the value patterns find
    /// nothing in it and it is at most `limit` bytes.
    package func isUnchangedText(_ text: String, limit: Int) -> Bool {
        guard text.utf8.count <= limit else { return false }
        if let answer = text.utf8.withContiguousStorageIfAvailable({ !scanner.containsSecret(in: $0) }) { return answer }
        var text = text
        return text.withUTF8 { !scanner.containsSecret(in: $0) }
    }

    /// Whether ``redactText(_:limit:)`` returns the text spelled by UTF-8 `bytes` unchanged;
    /// bytes that are not valid UTF-8 do not pass.
    package func isUnchangedText(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Bool {
        bytes.count <= limit && UTF8Check.isValid(bytes) && !scanner.containsSecret(in: bytes)
    }

    // MARK: The walk

    private func isUnchanged(
        value cursor: inout CanonicalJSONCursor, depth: Int, scratch: UnsafeMutableBufferPointer<UInt8>, verdicts: inout KeyVerdicts
    ) -> Bool {
        switch cursor.current {
        case UInt8(ascii: "{"): return isUnchanged(object: &cursor, depth: depth, scratch: scratch, verdicts: &verdicts)
        case UInt8(ascii: "["): return isUnchanged(array: &cursor, depth: depth, scratch: scratch, verdicts: &verdicts)
        case UInt8(ascii: "\""):
            guard let token = cursor.string(), let bytes = cursor.decoded(token, scratch: scratch) else { return false }
            return isKept(bytes)
        case UInt8(ascii: "t"): return cursor.skip("true")
        case UInt8(ascii: "f"): return cursor.skip("false")
        case UInt8(ascii: "n"): return cursor.skip("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            // A longer number becomes a cut string.
            guard let length = cursor.number() else { return false }
            return length <= policy.maxValueBytes
        default: return false
        }
    }

    /// Whether a decoded string (a key or a value) is kept: short enough, no secret in it.
    private func isKept(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count <= policy.maxValueBytes && !scanner.containsSecret(in: bytes)
    }

    /// Whether a container at `depth` is walked rather than replaced by the depth marker (or
    /// not parsed at all, past the parser's depth).
    private func isWalked(depth: Int) -> Bool { depth < policy.maxDepth && depth < JSONValue.maxParseDepth }

    private func isUnchanged(
        array cursor: inout CanonicalJSONCursor, depth: Int, scratch: UnsafeMutableBufferPointer<UInt8>, verdicts: inout KeyVerdicts
    ) -> Bool {
        guard isWalked(depth: depth) else { return false }
        _ = cursor.skip(UInt8(ascii: "["))
        if cursor.skip(UInt8(ascii: "]")) { return true }
        repeat {
            guard isUnchanged(value: &cursor, depth: depth + 1, scratch: scratch, verdicts: &verdicts) else { return false }
        } while cursor.skip(UInt8(ascii: ","))
        return cursor.skip(UInt8(ascii: "]"))
    }

    private func isUnchanged(
        object cursor: inout CanonicalJSONCursor, depth: Int, scratch: UnsafeMutableBufferPointer<UInt8>, verdicts: inout KeyVerdicts
    ) -> Bool {
        guard isWalked(depth: depth) else { return false }
        _ = cursor.skip(UInt8(ascii: "{"))
        if cursor.skip(UInt8(ascii: "}")) { return true }
        // Whether a name/key member names a secret key, and whether a value member holds
        // anything but the key marker: the two together mean a change, in either order.
        var namesSecret = false
        var valueWouldGo = false
        repeat {
            guard cursor.current == UInt8(ascii: "\""), let token = cursor.string(), cursor.skip(UInt8(ascii: ":")),
                let key = cursor.decoded(token, scratch: scratch)
            else { return false }
            switch verdicts.verdict(on: key, under: self, decide: verdict(on:)) {
            case .notKept:
                return false
            case .secret:
                // The slow path puts the marker in its place: unchanged only if it is the marker.
                guard cursor.skip(Self.quotedKeyMarker) else { return false }
            case .value:
                if !cursor.has(Self.quotedKeyMarker) { valueWouldGo = true }
                guard isUnchanged(value: &cursor, depth: depth + 1, scratch: scratch, verdicts: &verdicts) else { return false }
            case .name where cursor.current == UInt8(ascii: "\""):
                guard let token = cursor.string(), let name = cursor.decoded(token, scratch: scratch), isKept(name) else { return false }
                if keys.isSecret(bytes: name) { namesSecret = true }
            case .name, .plain:
                guard isUnchanged(value: &cursor, depth: depth + 1, scratch: scratch, verdicts: &verdicts) else { return false }
            }
        } while cursor.skip(UInt8(ascii: ","))
        return cursor.skip(UInt8(ascii: "}")) && !(namesSecret && valueWouldGo)
    }

    /// What a member's key means to the slow path (`redact(_:depth:)`), or that the key
    /// itself would change.
    private func verdict(on key: UnsafeBufferPointer<UInt8>) -> KeyVerdicts.Verdict {
        guard isKept(key) else { return .notKept }
        if keys.isSecret(bytes: key) { return .secret }
        if Self.isWord(key, "value") { return .value }
        if Self.isWord(key, "name") || Self.isWord(key, "key") { return .name }
        return .plain
    }

    /// `"[REDACTED]"`, as the slow path writes it in place of a secret key's value.
    private static let quotedKeyMarker: StaticString = "\"[REDACTED]\""

    /// Whether `key` is `word` in any case (as the slow path's `isWord`).
    private static func isWord(_ key: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard key.count == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for offset in 0..<key.count where ByteClass.lowercased(key[offset]) != expected[offset] { return false }
        return true
    }
}
