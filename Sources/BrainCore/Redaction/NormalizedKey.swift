/// A key as the key patterns see it: split into lowercase words at punctuation and at
/// camelCase humps, so `dbPassword`, `DB_PASSWORD`, `db-password` and `db.password` are all
/// the words `db password`.
///
/// Bytes outside ASCII belong to words and are kept as they are (only ASCII is lowercased:
/// patterns are ASCII).
struct NormalizedKey {
    /// The words, lowercase, joined by `_` (what wildcard patterns match).
    private(set) var joined: [UInt8] = []
    /// Where each word is in ``joined``.
    private(set) var words: [Range<Int>] = []
    /// The words with nothing between them (`dbpassword`), so `*apikey*` finds `api_key` too.
    private(set) var compact: [UInt8] = []

    init(_ key: String) {
        var key = key
        self = key.withUTF8 { NormalizedKey(bytes: $0) }
    }

    init(bytes: UnsafeBufferPointer<UInt8>) {
        joined.reserveCapacity(bytes.count + 4)
        compact.reserveCapacity(bytes.count)
        var start = -1
        var previous: UInt8 = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let following: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
            if Self.isWordByte(byte) {
                // A hump: "dbPassword" (lower or digit, then upper) and "APIKey" (upper, upper, lower).
                let hump =
                    start >= 0 && ByteClass.isUpper(byte)
                    && (ByteClass.isLower(previous) || ByteClass.isDigit(previous) || (ByteClass.isUpper(previous) && ByteClass.isLower(following)))
                if hump { close(&start) }
                if start < 0 {
                    if !joined.isEmpty { joined.append(UInt8(ascii: "_")) }
                    start = joined.count
                }
                let lower = ByteClass.lowercased(byte)
                joined.append(lower)
                compact.append(lower)
            } else {
                close(&start)
            }
            previous = byte
        }
        close(&start)
    }

    private mutating func close(_ start: inout Int) {
        guard start >= 0 else { return }
        words.append(start..<joined.count)
        start = -1
    }

    private static func isWordByte(_ byte: UInt8) -> Bool { byte >= 0x80 || ByteClass.isAlphanumeric(byte) }
}
