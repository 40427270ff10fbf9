/// Protocol-buffer varints (LEB128, seven bits a byte, low bits first): the one encoder the
/// hand-written wire replies (``ProtoWriter``) and the brain's compact stored steps share.
public enum Varint {
    /// The most bytes a varint of a `UInt64` takes.
    public static let maxSize = 10

    /// Bytes `value` takes.
    @inlinable
    public static func size(_ value: UInt64) -> Int {
        value < 0x80 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// Writes `value` at `destination`, which has room for ``size(_:)`` bytes; returns the
    /// bytes written.
    @inlinable
    @discardableResult
    public static func write(_ value: UInt64, to destination: UnsafeMutablePointer<UInt8>) -> Int {
        var rest = value
        var count = 0
        while rest >= 0x80 {
            destination[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            count += 1
        }
        destination[count] = UInt8(rest)
        return count + 1
    }
}
