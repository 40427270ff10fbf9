/// Makes UUID-shaped ids from names, so the same input always gives the same id.
///
/// BrainCore has no randomness of its own: an id it assigns (a run the agent did not
/// name, an agent, an error row) must come out the same when the journal is replayed.
/// Two FNV-1a 64-bit hashes with different offsets give 128 bits, stamped as an RFC 9562
/// version 8 (custom) UUID.
package enum DeterministicID {
    package static func make(_ parts: String...) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for part in parts {
            for byte in part.utf8 {
                first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            // A separator, so ("ab", "c") and ("a", "bc") differ.
            first = (first ^ 0xff) &* 0x0000_0100_0000_01b3
            second = (second ^ 0xfe) &* 0x0000_0100_0000_01b3
            second = second &+ (first >> 7)
        }
        var high = first
        var low = second
        high = (high & ~0x0000_0000_0000_f000) | 0x0000_0000_0000_8000  // version 8
        low = (low & ~0xc000_0000_0000_0000) | 0x8000_0000_0000_0000  // RFC variant
        return format(high: high, low: low)
    }

    private static func format(high: UInt64, low: UInt64) -> String {
        let hex = hexDigits(high, 16) + hexDigits(low, 16)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }

    private static func hexDigits(_ value: UInt64, _ count: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, count - digits.count)) + digits
    }
}
