/// UTF-8 validity, byte by byte, as `String(decoding:as:)` judges it (no overlong forms, no
/// surrogates, nothing past U+10FFFF): the redactor's fast path keeps bytes only when the
/// slow path's `String` would hold the same ones.
enum UTF8Check {
    /// The length of the valid sequence that starts at `index` with a byte of 0x80 or more,
    /// or `nil` when it is not one.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let count = bytes.count
        func continuation(_ position: Int) -> Bool { position < count && bytes[position] & 0xC0 == 0x80 }
        func second(_ range: ClosedRange<UInt8>) -> Bool { index + 1 < count && range.contains(bytes[index + 1]) }
        switch bytes[index] {
        case 0xC2...0xDF: return continuation(index + 1) ? 2 : nil
        case 0xE0: return second(0xA0...0xBF) && continuation(index + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(index + 1) && continuation(index + 2) ? 3 : nil
        case 0xED: return second(0x80...0x9F) && continuation(index + 2) ? 3 : nil
        case 0xF0: return second(0x90...0xBF) && continuation(index + 2) && continuation(index + 3) ? 4 : nil
        case 0xF1...0xF3: return continuation(index + 1) && continuation(index + 2) && continuation(index + 3) ? 4 : nil
        case 0xF4: return second(0x80...0x8F) && continuation(index + 2) && continuation(index + 3) ? 4 : nil
        default: return nil
        }
    }

    /// Whether all of `bytes` is valid UTF-8.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(bytes, at: index) else { return false }
            index += length
        }
        return true
    }
}
