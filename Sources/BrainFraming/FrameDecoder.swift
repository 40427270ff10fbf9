public import BrainProtocol
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
        let limit = maxFrameBytes
        let next = buffer.withUnsafeReadableBytes { FrameSplitter.next(in: $0, maxFrameBytes: limit) }
        switch next {
        case .needMore: return nil
        case .tooLarge(let error): throw error
        case .frame(let length):
            buffer.moveReaderIndex(forwardBy: 4)
            return buffer.readSlice(length: length)
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}
