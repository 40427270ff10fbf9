/// A cursor over JSON text that reads tokens only in the canonical form `JSONValue.serialized`
/// writes, for the redactor's fast path (``Redactor/isUnchangedJSON(_:limit:)``): anything
/// else (whitespace, another spelling of a string, invalid JSON) is refused, since the slow
/// path would write it differently.
///
/// Canonical strings escape `"` and `\` and the bytes below 0x20 only, those as `\n`, `\r`,
/// `\t`, `\b`, `\f` or else lowercase `\u00xx` (so not `\/`, `\u00e9` or `\u000a`); every
/// other byte is raw and valid UTF-8. Numbers and literals are canonical whenever they are
/// valid: the slow path keeps a number's text as written (`1.0`, `1e5`, `-0`).
///
/// A trivial value (a pointer, a count, an index), so passing it `inout` through the walk
/// costs no reference counting; strings with escapes are decoded into scratch storage the
/// caller provides, so the walk needs no closure (a closure that captures the redactor
/// copies it, retaining every array it holds, at each call).
struct CanonicalJSONCursor {
    let text: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    /// A string between its quotes, and how long it is decoded.
    struct StringToken {
        var start: Int
        var end: Int
        var decodedCount: Int
        var isEscaped: Bool { decodedCount != end - start }
    }

    var isAtEnd: Bool { index == text.count }

    /// The byte at the cursor, or 0 at the end (0 is never valid where it is compared).
    var current: UInt8 { index < text.count ? text[index] : 0 }

    /// Moves past `byte` when it is the current one.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Whether `literal` is spelled at the cursor.
    func has(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        let expected = literal.utf8Start
        for offset in 0..<count where text[index + offset] != expected[offset] { return false }
        return true
    }

    /// Moves past `literal` when it is spelled at the cursor.
    mutating func skip(_ literal: StaticString) -> Bool {
        guard has(literal) else { return false }
        index += literal.utf8CodeUnitCount
        return true
    }

    private mutating func digits() -> Bool {
        let start = index
        while ByteClass.isDigit(current) { index += 1 }
        return index > start
    }

    /// The length of the number at the cursor (RFC 8259's grammar), moving past it; `nil`
    /// when it is not one.
    mutating func number() -> Int? {
        let start = index
        _ = skip(UInt8(ascii: "-"))
        guard skip(UInt8(ascii: "0")) || digits() else { return nil }
        if skip(UInt8(ascii: ".")) {
            guard digits() else { return nil }
        }
        if skip(UInt8(ascii: "e")) || skip(UInt8(ascii: "E")) {
            if !skip(UInt8(ascii: "+")) { _ = skip(UInt8(ascii: "-")) }
            guard digits() else { return nil }
        }
        return index - start
    }

    /// The canonical string at the cursor (its opening quote), moving past its closing quote;
    /// `nil` when it is not one.
    mutating func string() -> StringToken? {
        index += 1
        let start = index
        var saved = 0  // the bytes escapes take beyond the one each stands for
        // Words again only past a byte that stopped them: the plain bytes before it (fewer
        // than eight) are stepped one by one, and a short string (a key) costs one word test.
        skipPlainWords()
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                let end = index
                index += 1
                return StringToken(start: start, end: end, decodedCount: end - start - saved)
            }
            if byte == UInt8(ascii: "\\") {
                guard let length = canonicalEscapeLength() else { return nil }
                index += length
                saved += length - 1
                skipPlainWords()
            } else if byte < 0x20 {
                return nil
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let length = UTF8Check.sequenceLength(text, at: index) else { return nil }
                index += length
                skipPlainWords()
            }
        }
        return nil
    }

    /// Moves past the bytes that stand for themselves in a string (ASCII from 0x20, but `"`
    /// and `\`), eight at a time: most of a string's bytes, tested a word at a time rather
    /// than a byte at a time; stops at the first other byte, found in its word by the mask's
    /// lowest bit (the byte loop then starts on it: stepping the plain bytes before it one by
    /// one, a branch each, took most of a short string's time in the worker's profile).
    @inline(__always)
    private mutating func skipPlainWords() {
        guard let base = text.baseAddress else { return }
        while index + 8 <= text.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let special = Self.specialBytes(word)
            guard special == 0 else {
                index += special.trailingZeroBitCount &>> 3
                return
            }
            index += 8
        }
    }

    /// The high bit of each byte of `word` (loaded little-endian) that is `"`, `\`, below 0x20
    /// or from 0x80 (a UTF-8 sequence, which the byte loop checks). Exact when 0, and its
    /// lowest bit is exact: a borrow marks only bytes above a marked one.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        JSONStringWord.quoteBackslashOrControl(word) | word & JSONStringWord.highs
    }

    /// The length of the escape at the cursor when it is one `JSONValue.appendString` writes.
    private func canonicalEscapeLength() -> Int? {
        guard index + 1 < text.count else { return nil }
        switch text[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"), UInt8(ascii: "b"),
            UInt8(ascii: "f"):
            return 2
        case UInt8(ascii: "u"):
            // `\u00xx`, lowercase, for a byte below 0x20 that has no short escape.
            guard index + 6 <= text.count, text[index + 2] == UInt8(ascii: "0"), text[index + 3] == UInt8(ascii: "0"),
                let high = Self.lowercaseHex(text[index + 4]), let low = Self.lowercaseHex(text[index + 5])
            else { return nil }
            let byte = high << 4 | low
            guard byte < 0x20, byte != 0x08, byte != 0x09, byte != 0x0A, byte != 0x0C, byte != 0x0D else { return nil }
            return 6
        default: return nil
        }
    }

    private static func lowercaseHex(_ byte: UInt8) -> UInt8? {
        if ByteClass.isDigit(byte) { return byte - 0x30 }
        if byte &- 0x61 < 6 { return byte - 0x61 + 10 }
        return nil
    }

    /// The string's decoded bytes (what the slow path scans): where they lie when it has no
    /// escape, else decoded into `scratch` (valid until the next decode); `nil` when they do
    /// not fit there.
    func decoded(_ token: StringToken, scratch: UnsafeMutableBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard token.isEscaped else { return UnsafeBufferPointer(rebasing: text[token.start..<token.end]) }
        guard token.decodedCount <= scratch.count else { return nil }
        var from = token.start
        var count = 0
        while from < token.end {
            var byte = text[from]
            from += 1
            if byte == UInt8(ascii: "\\") {
                let escaped = text[from]
                from += 1
                switch escaped {
                case UInt8(ascii: "n"): byte = 0x0A
                case UInt8(ascii: "r"): byte = 0x0D
                case UInt8(ascii: "t"): byte = 0x09
                case UInt8(ascii: "b"): byte = 0x08
                case UInt8(ascii: "f"): byte = 0x0C
                case UInt8(ascii: "u"):
                    byte = (Self.lowercaseHex(text[from + 2]) ?? 0) << 4 | (Self.lowercaseHex(text[from + 3]) ?? 0)
                    from += 4
                default: byte = escaped  // `\"` and `\\`
                }
            }
            scratch[count] = byte
            count += 1
        }
        return UnsafeBufferPointer(rebasing: scratch[0..<count])
    }
}
