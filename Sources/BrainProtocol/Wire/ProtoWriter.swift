#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Protocol-buffer wire encoding written by hand, for replies whose conversion to
/// protobuf-c structs cost more than the rest of the call (``RunDetailWriter``).
///
/// It writes exactly what protobuf-c writes for proto3 messages: fields in field-number
/// order (the caller's duty), scalars and strings only when not zero or empty, strings
/// cut at U+0000 (protobuf-c sees C strings), negative integers as ten-byte varints.
public struct ProtoWriter {
    /// The bytes written so far.
    public internal(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func tag(_ field: Int, _ wireType: UInt64) {
        varint(UInt64(field) << 3 | wireType)
    }

    /// A `uint32`/`uint64` field, skipped when 0.
    public mutating func unsigned(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    /// An `int64` field, skipped when 0.
    public mutating func signed(_ field: Int, _ value: Int64) {
        unsigned(field, UInt64(bitPattern: value))
    }

    /// An enum field (an `int32` on the wire), skipped when 0.
    public mutating func enumeration(_ field: Int, _ value: Int32) {
        unsigned(field, UInt64(bitPattern: Int64(value)))
    }

    /// A singular `string` field, skipped when empty.
    public mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        var value = value
        value.withUTF8 { string(field, bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A singular `string` field from UTF-8 bytes, skipped when empty.
    public mutating func string(_ field: Int, bytes text: UnsafeRawBufferPointer) {
        let text = Self.cString(text)
        guard !text.isEmpty else { return }
        lengthDelimited(field, text)
    }

    /// One element of a `repeated string` field: written even when empty.
    public mutating func repeatedString(_ field: Int, _ value: String) {
        var value = value
        value.withUTF8 { lengthDelimited(field, Self.cString(UnsafeRawBufferPointer($0))) }
    }

    private mutating func lengthDelimited(_ field: Int, _ text: UnsafeRawBufferPointer) {
        tag(field, 2)
        varint(UInt64(text.count))
        bytes.append(contentsOf: text)
    }

    /// A message field (always written, even when it encodes to nothing): `body` writes its
    /// fields, then their length is put in front of them.
    ///
    /// Two bytes are kept for the length before the body is written: every length from 128
    /// bytes to 16 KiB (a stored step, a run) then fits in place, and only other sizes move
    /// the body once. (A prefix built in its own array cost a malloc and a move per message.)
    public mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        tag(field, 2)
        let reserved = 2
        let start = bytes.count
        bytes.append(0)
        bytes.append(0)
        body(&self)
        let length = UInt64(bytes.count - start - reserved)
        let size = Varint.size(length)
        if size < reserved {
            bytes.removeSubrange(start..<(start + reserved - size))
        } else if size > reserved {
            bytes.insert(contentsOf: repeatElement(0, count: size - reserved), at: start)
        }
        bytes.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { Varint.write(length, to: base + start) }
        }
    }

    /// The bytes up to the first U+0000, as a C string ends there.
    static func cString(_ text: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let base = text.baseAddress, !text.isEmpty else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let nul = memchr(base, 0, text.count) else { return text }
        return UnsafeRawBufferPointer(start: base, count: base.distance(to: UnsafeRawPointer(nul)))
    }
}
