/// Eight bytes of a JSON string tested at once, for the scanners that skip a string's
/// ordinary bytes a word at a time (``JSONValidator``, ``CanonicalJSONCursor``).
enum JSONStringWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit set in each byte of `word` that is `"`, `\` or below 0x20: the classic
    /// test for a zero byte (`(x - 0x01...) & ~x & 0x80...`) on `word` with each of the two
    /// compared away, and on `word` less 0x20 per byte. Exact when it is 0; otherwise a byte
    /// above a marked one may be marked too (a borrow), which only sends the word to a
    /// byte-by-byte loop.
    @inline(__always)
    static func quoteBackslashOrControl(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)) & highs
    }
}
