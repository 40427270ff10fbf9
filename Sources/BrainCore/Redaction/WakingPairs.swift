/// The pairs of bytes (a byte and the one after it) at which ``ValueScanner`` may find a
/// secret: a table of 65,536 bits, so the scanner tests each byte with one load and no
/// unpredictable branch, and calls a matcher only at a pair that can start a secret (in
/// text, about one byte in fifty; the first byte alone would wake a third of all letters).
///
/// ``wakes(_:_:)`` is the table's definition and the scanner's only test of the first two
/// bytes: its switch (`span(in:at:)`) just picks the matcher for the first. A test holds
/// every one of the 65,536 bits to the definition; the pattern and property tests hold the
/// scanner to what it must find.
enum WakingPairs {
    /// Bit `first << 8 | next`, in 1,024 words. Built once, never written again: shared
    /// without a lock by every thread (hence `nonisolated(unsafe)`), read through a pointer so
    /// the loop pays no bounds check and no lazy-initialization check per byte.
    nonisolated(unsafe) static let table: UnsafePointer<UInt64> = {
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 1_024)
        words.initialize(repeating: 0, count: 1_024)
        for first in 0...255 {
            for next in 0...255 where wakes(UInt8(first), UInt8(next)) {
                let pair = first << 8 | next
                words[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }
        return UnsafePointer(words)
    }()

    /// Whether a secret may start at `first` followed by `next` (0 at the end of the text).
    static func wakes(_ first: UInt8, _ next: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "e"): next == UInt8(ascii: "y")
        case UInt8(ascii: "B"), UInt8(ascii: "b"): next | 0x20 == UInt8(ascii: "e") || next | 0x20 == UInt8(ascii: "a")
        case UInt8(ascii: "A"): ByteClass.isUpper(next) || next == UInt8(ascii: "i")
        case UInt8(ascii: "g"): next == UInt8(ascii: "h") || next == UInt8(ascii: "i") || next == UInt8(ascii: "l")
        case UInt8(ascii: "x"): next == UInt8(ascii: "o") || next == UInt8(ascii: "a")
        case UInt8(ascii: "s"), UInt8(ascii: "p"), UInt8(ascii: "r"): next == UInt8(ascii: "k")
        case UInt8(ascii: "w"): next == UInt8(ascii: "h")
        case UInt8(ascii: "S"): next == UInt8(ascii: "G") || next == UInt8(ascii: "K")
        case UInt8(ascii: "y"): next == UInt8(ascii: "a")
        case UInt8(ascii: "n"): next == UInt8(ascii: "p")
        case UInt8(ascii: "h"): next == UInt8(ascii: "f") || next == UInt8(ascii: "o")
        case UInt8(ascii: "-"): next == UInt8(ascii: "-")
        // A URI's or an assignment's middle, and an email's (masked or not: the scanner decides).
        case UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"): true
        default: false
        }
    }

    /// The pair's bit of `table` (``table``, as a scanner holds it) in bit 0 of the result;
    /// the other bits are the table's next ones, so a caller may OR results and test bit 0.
    @inline(__always)
    static func bit(_ table: UnsafePointer<UInt64>, _ first: UInt8, _ next: UInt8) -> UInt64 {
        let pair = Int(first) &<< 8 | Int(next)
        return table[pair &>> 6] &>> UInt64(pair & 63)
    }
}
