/// A run id as 128 bits: the index of runs by public id, hashed without making a String.
package struct RunKey: Hashable, Sendable {
    package var high: UInt64
    package var low: UInt64

    /// Parses a UUID's 36 characters (either case); `nil` for anything else.
    package init?(_ text: String) {
        var text = text
        guard let key = text.withUTF8({ RunKey(bytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = key
    }

    /// Parses a UUID's 36 ASCII bytes (either case); `nil` for anything else.
    package init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for index in 0..<36 {
            let byte = bytes[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case 48...57: value = byte &- 48
            case 97...102: value = byte &- 87
            case 65...70: value = byte &- 55
            default: return nil
            }
            if nibbles < 16 {
                high = high << 4 | UInt64(value)
            } else {
                low = low << 4 | UInt64(value)
            }
            nibbles += 1
        }
        self.high = high
        self.low = low
    }
}
