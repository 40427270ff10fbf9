public import NIOCore

/// Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes.
///
/// An announced length over ``maxFrameBytes`` is refused before any of its body is
/// buffered, so one bogus prefix cannot make the peer hold gigabytes.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest frame body accepted, in bytes.
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = WireConstants.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        if Int(length) > maxFrameBytes {
            throw FrameTooLargeError(length: Int(length), limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}

/// A peer announced a frame longer than this side accepts.
public struct FrameTooLargeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var length: Int
    public var limit: Int

    public init(length: Int, limit: Int) {
        self.length = length
        self.limit = limit
    }

    public var description: String {
        "frame of \(length) bytes exceeds the limit of \(limit) bytes (--max-frame-bytes)"
    }
}
