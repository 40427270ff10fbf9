#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cursor over protobuf wire bytes that refuses to step past the end: what the fast-lane
/// frame readers (``StepFrameParser``, ``TaskEventFrameParser``) are built on.
struct WireFieldReader {
    var position: UnsafeRawPointer
    let end: UnsafeRawPointer

    init(base: UnsafeRawPointer, end: UnsafeRawPointer) {
        self.position = base
        self.end = end
    }

    var more: Bool { position < end }

    /// A base-128 varint of at most 10 bytes, or `nil` when it runs off the end or on.
    mutating func varint() -> UInt64? {
        // Tags and most lengths are one byte.
        if position < end {
            let first = position.load(as: UInt8.self)
            if first < 0x80 {
                position += 1
                return UInt64(first)
            }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = position.load(as: UInt8.self)
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                // The tenth byte may carry only the top bit.
                if shift == 63, byte > 1 { return nil }
                return result
            }
            shift += 7
        }
        return nil
    }

    /// The next field's number and wire type, in a message whose fields are numbered 1 to
    /// `maxField` and each seen at most once (`seen` keeps a bit per field read so far);
    /// `nil` for anything else: a tag past the end or too long, another number, a field
    /// seen twice (the frame readers leave all of these to protobuf-c).
    @inline(__always)
    mutating func nextField(upTo maxField: Int, seen: inout UInt16) -> (field: Int, wireType: UInt64)? {
        guard let tag = varint(), tag < 1 << 32 else { return nil }
        let field = Int(tag >> 3)
        guard field >= 1, field <= maxField else { return nil }
        let bit = UInt16(1) << field
        guard seen & bit == 0 else { return nil }
        seen |= bit
        return (field, tag & 7)
    }

    /// A length and that many bytes.
    mutating func lengthDelimited() -> UnsafeRawBufferPointer? {
        guard let length = varint(), length <= UInt64(end - position) else { return nil }
        let bytes = UnsafeRawBufferPointer(start: position, count: Int(length))
        position += Int(length)
        return bytes
    }

    /// A message holding only field 1 (a varint, at most once, 0 when absent) and `field` (a
    /// nested message, exactly once); `nil` for anything else. Both a publishing `Request`
    /// (call_id = 1, publish = 12) and an `AgentEvent` (seq = 1, one event) have this shape.
    @inline(__always)
    static func numberAndMessage(
        _ bytes: UnsafeRawBufferPointer, field: UInt64
    ) -> (number: UInt64, message: UnsafeRawBufferPointer)? {
        guard let base = bytes.baseAddress else { return nil }
        var reader = WireFieldReader(base: base, end: base + bytes.count)
        var number: UInt64 = 0
        var sawNumber = false
        var message: UnsafeRawBufferPointer?
        let messageTag = field << 3 | 2
        while reader.more {
            guard let tag = reader.varint() else { return nil }
            if tag == 1 << 3 | 0 {
                guard !sawNumber, let value = reader.varint() else { return nil }
                number = value
                sawNumber = true
            } else if tag == messageTag {
                guard message == nil, let nested = reader.lengthDelimited() else { return nil }
                message = nested
            } else {
                return nil
            }
        }
        guard let message else { return nil }
        return (number, message)
    }

    /// Whether `text` holds a zero byte. protobuf-c never writes one outside a string (proto3
    /// leaves zero scalars out, and a varint's last byte is 0 only for the value 0), so a
    /// message without one has no U+0000 in any string, which protobuf-c's C strings would cut.
    static func containsNUL(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress, !text.isEmpty else { return false }
        return memchr(base, 0, text.count) != nil
    }
}
