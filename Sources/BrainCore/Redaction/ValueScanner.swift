/// Finds the secrets in a text: hand-written matchers over its UTF-8 bytes, one pass, each
/// matcher woken only by the byte its secret starts with (or, for credential URIs, `key=value`
/// pairs and email addresses, by the `:`, `=` or `@` at their middle). What it finds is the
/// secret's span alone, so the text around it stays readable (z4j blanked a whole string on
/// one hit: research §1.3, gap 3).
///
/// The shapes (see ``SecretKind``) are z4j's value patterns (§1.3) with these changes: a
/// credential URI masks only its password; `key=value` and `key: value` in free text are
/// masked by the key patterns, which catches what a traceback's locals or a repr'd kwargs
/// dict spell out; PEM blocks are masked through their `END` line (to the end of the text
/// when it is missing); Basic credentials count only when they decode to `user:password`.
/// Regex was not used: the matchers are cheap to reason about, allocate nothing until they
/// find something, and a 10 KB traceback takes microseconds (Redactor's notes).
struct ValueScanner: Sendable {
    let keys: SecretKeyMatcher
    let maskEmails: Bool
    /// ``WakingPairs/table``, held here so a scan does not pass the global's once-check
    /// (read-only, as the global is).
    nonisolated(unsafe) let wakingPairs = WakingPairs.table

    /// Whether the first test of each pair runs through the vector filter where the CPU has
    /// it (``WakingPositions``); tests turn it off to hold both ways to the same answers.
    /// Never on where the CPU lacks the filter's instructions: a `true` set there reads false.
    var vectorized = WakingPositions.isVectorAvailable {
        didSet { vectorized = vectorized && WakingPositions.isVectorAvailable }
    }

    /// A scanner for `keys`, masking email addresses or not; the vector filter on where the
    /// CPU has it.
    init(keys: SecretKeyMatcher, maskEmails: Bool) {
        self.keys = keys
        self.maskEmails = maskEmails
    }

    /// The secrets in `text`: sorted, overlapping ones merged.
    func spans(in text: UnsafeBufferPointer<UInt8>) -> [SecretSpan] {
        var found: [SecretSpan] = []
        var positions = WakingPositions(text, table: wakingPairs, vector: vectorized)
        while let index = positions.next() {
            // On to the next byte even after a find: a secret can start inside another's span
            // (a quoted value that runs to the end of its line takes a PEM block's BEGIN line
            // along; the key's body lines are the PEM matcher's to find). Spans are merged.
            if let span = span(in: text, at: index) { found.append(span) }
        }
        return SecretSpan.merged(found)
    }

    /// Whether ``spans(in:)`` would find anything in `text`: the same matchers, stopped at
    /// the first find (the redactor's fast path asks only this), called only where
    /// ``WakingPairs`` says a secret may start.
    func containsSecret(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var positions = WakingPositions(text, table: wakingPairs, vector: vectorized)
        while let index = positions.next() {
            if span(in: text, at: index) != nil { return true }
        }
        return false
    }

    /// The secret that starts (or, for a URI, a `key=value` or an email, has its middle) at
    /// `index`, if any. Called only where ``WakingPairs`` says one may start: the byte and the
    /// one after it are tested there, once, and this only picks the matcher.
    @inline(__always)
    private func span(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> SecretSpan? {
        // One case per first byte (no `where`: the switch is then a jump table).
        switch text[index] {
        case UInt8(ascii: "e"): return jwt(text, index)
        case UInt8(ascii: "B"), UInt8(ascii: "b"): return authScheme(text, index)
        case UInt8(ascii: "A"): return amazonOrGoogleKey(text, index)
        case UInt8(ascii: "g"): return gitToken(text, index)
        case UInt8(ascii: "x"): return slackToken(text, index)
        case UInt8(ascii: "s"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "w"): return stripeOrOpenAIKey(text, index)
        case UInt8(ascii: "S"): return twilioOrSendGridKey(text, index)
        case UInt8(ascii: "y"), UInt8(ascii: "n"), UInt8(ascii: "h"): return otherToken(text, index)
        case UInt8(ascii: "-"): return privateKeyBlock(text, index)
        case UInt8(ascii: ":"):
            return has(text, index + 1, "//") ? credentialURI(text, index) : assignment(text, index)
        case UInt8(ascii: "="): return assignment(text, index)
        case UInt8(ascii: "@"): return maskEmails ? email(text, index) : nil
        default: return nil
        }
    }

    // MARK: Helpers

    /// Whether `text` spells `literal` at `index`.
    @inline(__always)
    func has(_ text: UnsafeBufferPointer<UInt8>, _ index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= text.count else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count where text[index + offset] != expected[offset] { return false }
        return true
    }

    /// Whether `text` spells lowercase `literal` at `index`, in any case.
    func hasIgnoringCase(_ text: UnsafeBufferPointer<UInt8>, _ index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= text.count else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count where ByteClass.lowercased(text[index + offset]) != expected[offset] { return false }
        return true
    }

    /// The end of the run of bytes from `start` that satisfy `accept`.
    @inline(__always)
    func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ accept: (UInt8) -> Bool) -> Int {
        var end = start
        while end < text.count, accept(text[end]) { end += 1 }
        return end
    }

    /// Whether `index` starts a word (nothing alphanumeric just before it).
    func atWordStart(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        index == 0 || !ByteClass.isAlphanumeric(text[index - 1])
    }

    /// A span of at least `minimum` bytes of `accept` from `start`, as `kind` from `origin`.
    func token(
        _ text: UnsafeBufferPointer<UInt8>, origin: Int, body start: Int, minimum: Int, _ kind: SecretKind, _ accept: (UInt8) -> Bool
    ) -> SecretSpan? {
        let end = run(text, from: start, accept)
        return end - start >= minimum ? SecretSpan(range: origin..<end, kind: kind) : nil
    }

    /// Whether the text at `index` is already a marker, of a mask or of a cut (so masking
    /// twice changes nothing).
    func isMarker(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        has(text, index, "[REDACTED") || has(text, index, "[truncated: ")
    }

    // MARK: Credentials with structure

    /// `Bearer <token68>` (8 or more) and `Basic <base64 of user:password>`: the credentials only.
    func authScheme(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        guard atWordStart(text, index) else { return nil }
        let bearer = hasIgnoringCase(text, index, "bearer")
        guard bearer || hasIgnoringCase(text, index, "basic") else { return nil }
        let afterWord = index + (bearer ? 6 : 5)
        let start = run(text, from: afterWord, ByteClass.isSpace)
        guard start > afterWord else { return nil }
        if bearer {
            let end = run(text, from: start, ByteClass.isToken68)
            return end - start >= 8 ? SecretSpan(range: start..<end, kind: .bearer) : nil
        }
        let end = run(text, from: start, ByteClass.isBase64)
        guard end - start >= 8, Self.decodesToUserAndPassword(UnsafeBufferPointer(rebasing: text[start..<end])) else { return nil }
        return SecretSpan(range: start..<end, kind: .basicAuth)
    }

    /// Whether base64 `text` decodes to printable text with a `:` in it.
    static func decodesToUserAndPassword(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var bits: UInt32 = 0
        var bitCount = 0
        var colon = false
        for byte in text where byte != UInt8(ascii: "=") {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - 97 + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - 48 + 52)
            case UInt8(ascii: "+"): value = 62
            default: value = 63
            }
            bits = (bits << 6 | value) & 0xFFFF
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                let decoded = UInt8((bits >> UInt32(bitCount)) & 0xFF)
                if decoded < 0x20 || decoded == 0x7F { return false }
                if decoded == UInt8(ascii: ":") { colon = true }
            }
        }
        return colon
    }

    /// `scheme://user:password@host`: the password only. `index` is the `:` of `://`.
    func credentialURI(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        var schemeStart = index
        while schemeStart > 0, index - schemeStart < 32 {
            let byte = text[schemeStart - 1]
            guard ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { break }
            schemeStart -= 1
        }
        guard index - schemeStart >= 2 else { return nil }
        let authority = index + 3
        // The URI ends at whitespace, a quote or an angle bracket; its authority at / ? #.
        let end = run(text, from: authority) { byte in
            !(ByteClass.isWhitespace(byte) || ByteClass.isQuote(byte) || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\\"))
        }
        let authorityEnd = min(end, run(text, from: authority) { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") })
        var at = -1
        for position in authority..<authorityEnd where text[position] == UInt8(ascii: "@") { at = position }
        if at < 0 {
            // A password with an unencoded '/' ends the authority early: look on to the first '@'.
            for position in authorityEnd..<end where text[position] == UInt8(ascii: "@") {
                at = position
                break
            }
        }
        guard at > authority else { return nil }
        var colon = -1
        for position in authority..<at where text[position] == UInt8(ascii: ":") {
            colon = position
            break
        }
        guard colon >= 0, colon + 1 < at, !isMarker(text, colon + 1) else { return nil }
        // A user name holds no '/', '?' or '#': otherwise this '@' is in a path or a query.
        for position in authority..<colon
        where text[position] == UInt8(ascii: "/") || text[position] == UInt8(ascii: "?") || text[position] == UInt8(ascii: "#") {
            return nil
        }
        return SecretSpan(range: (colon + 1)..<at, kind: .password)
    }

    /// `-----BEGIN … PRIVATE KEY-----` through `-----END … PRIVATE KEY-----` (or the text's end).
    func privateKeyBlock(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        guard has(text, index, "-----BEGIN ") else { return nil }
        let label = index + 11
        let labelEnd = run(text, from: label) { ByteClass.isUpper($0) || ByteClass.isDigit($0) || $0 == 0x20 }
        guard labelEnd - label <= 64, labelEnd - label >= 11, has(text, labelEnd - 11, "PRIVATE KEY"), has(text, labelEnd, "-----") else {
            return nil
        }
        var position = labelEnd + 5
        while position < text.count {
            if text[position] == UInt8(ascii: "-"), has(text, position, "-----END") {
                let close = position + 8
                var after = close
                while after < text.count, !has(text, after, "-----"), after - close < 80 { after += 1 }
                return SecretSpan(range: index..<min(text.count, after + 5), kind: .privateKey)
            }
            position += 1
        }
        return SecretSpan(range: index..<text.count, kind: .privateKey)
    }

    /// `key=value`, `key: value`, `"key": "value"`, `key='value'` in free text whose key is a
    /// secret key: the value only. `index` is the `=` or `:`.
    func assignment(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        // Not a comparison (==, !=, <=, >=) or a scope (::).
        if index + 1 < text.count, text[index + 1] == text[index] { return nil }
        if index > 0, text[index - 1] == text[index] || (text[index] == UInt8(ascii: "=") && "!<>=:".utf8.contains(text[index - 1])) {
            return nil
        }
        var keyEnd = index
        while keyEnd > 0, index - keyEnd < 4, ByteClass.isSpace(text[keyEnd - 1]) { keyEnd -= 1 }
        if keyEnd > 0, ByteClass.isQuote(text[keyEnd - 1]) {
            keyEnd -= 1
            if keyEnd > 0, text[keyEnd - 1] == UInt8(ascii: "\\") { keyEnd -= 1 }
        }
        var keyStart = keyEnd
        while keyStart > 0, keyEnd - keyStart < 64 {
            let byte = text[keyStart - 1]
            guard ByteClass.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { break }
            keyStart -= 1
        }
        guard keyEnd - keyStart >= 2, keys.isSecret(bytes: UnsafeBufferPointer(rebasing: text[keyStart..<keyEnd])) else { return nil }
        // Go's `password := "x"`: the value follows the whole operator.
        var start = text[index] == UInt8(ascii: ":") && index + 1 < text.count && text[index + 1] == UInt8(ascii: "=") ? index + 2 : index + 1
        while start < text.count, start - index <= 8, ByteClass.isSpace(text[start]) { start += 1 }
        guard start < text.count, !isMarker(text, start) else { return nil }
        if let quoted = quotedValue(text, start) { return quoted }
        let stops: (UInt8) -> Bool = { byte in
            ByteClass.isWhitespace(byte) || ByteClass.isQuote(byte) || ",;&)}]<>\\".utf8.contains(byte)
        }
        var end = run(text, from: start) { !stops($0) }
        guard end > start else { return nil }
        // `Authorization: Token abc`: a scheme word takes the credentials after it along.
        let word = UnsafeBufferPointer(rebasing: text[start..<end])
        if Self.authSchemes.contains(where: { $0.elementsEqual(word.lazy.map(ByteClass.lowercased)) }), end < text.count, ByteClass.isSpace(text[end]) {
            let next = run(text, from: end, ByteClass.isSpace)
            let after = run(text, from: next) { !stops($0) }
            if after > next, !isMarker(text, next) { end = after }
        }
        return SecretSpan(range: start..<end, kind: .secretValue)
    }

    private static let authSchemes: [[UInt8]] = ["bearer", "basic", "token", "digest", "negotiate", "apikey", "key"].map { Array($0.utf8) }

    /// A quoted value at `start` (`"…"`, `'…'`, `` `…` `` or an escaped `\"…\"`), up to its
    /// closing quote or the end of the line: the inside only.
    private func quotedValue(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> SecretSpan? {
        let escaped = text[start] == UInt8(ascii: "\\") && start + 1 < text.count && ByteClass.isQuote(text[start + 1])
        let open = escaped ? start + 1 : start
        guard ByteClass.isQuote(text[open]) else { return nil }
        let quote = text[open]
        let inner = open + 1
        var end = inner
        while end < text.count, text[end] != 0x0A {
            if escaped {
                if text[end] == UInt8(ascii: "\\"), end + 1 < text.count, text[end + 1] == quote { break }
            } else {
                if text[end] == quote { break }
                if text[end] == UInt8(ascii: "\\") { end += 1 }  // an escaped character inside
            }
            end += 1
        }
        end = min(end, text.count)
        guard end > inner, !isMarker(text, inner) else { return nil }
        return SecretSpan(range: inner..<end, kind: .secretValue)
    }

    /// `local@domain.tld`, unless it is the `user:password@` or `//user@` of a URI.
    func email(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> SecretSpan? {
        let isLocal: (UInt8) -> Bool = { ByteClass.isAlphanumeric($0) || "._%+-".utf8.contains($0) }
        var start = index
        while start > 0, index - start < 64, isLocal(text[start - 1]) { start -= 1 }
        guard start < index else { return nil }
        if start > 0, text[start - 1] == UInt8(ascii: ":") || text[start - 1] == UInt8(ascii: "/") { return nil }
        var end = run(text, from: index + 1) { ByteClass.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
        while end > index + 1, text[end - 1] == UInt8(ascii: ".") { end -= 1 }
        var lastDot = -1
        for position in (index + 1)..<max(index + 1, end) where text[position] == UInt8(ascii: ".") { lastDot = position }
        guard lastDot > index + 1, end - lastDot > 2 else { return nil }
        for position in (lastDot + 1)..<end where !ByteClass.isLetter(text[position]) { return nil }
        return SecretSpan(range: start..<end, kind: .email)
    }
}
