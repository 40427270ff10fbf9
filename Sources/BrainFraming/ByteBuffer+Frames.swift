public import BrainProtocol
public import NIOCore

/// Frames written straight into a `ByteBuffer`: the wire module packs into the memory this
/// hands out, so a reply goes from protobuf-c to the socket's buffer without a copy.
extension ByteBuffer: FrameOutput {
    public mutating func write(_ capacity: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { memory in
            fill(UnsafeMutableRawBufferPointer(rebasing: memory.prefix(capacity)))
        }
    }
}

extension WireCodec {
    /// Decodes the readable bytes of `buffer` as a `Request`.
    public static func decodeRequest(_ buffer: ByteBuffer) throws(BrainError) -> BrainRequest {
        try buffer.withUnsafeReadableBytes { bytes in Result { () throws(BrainError) in try decodeRequest(bytes) } }.get()
    }

    /// Decodes the readable bytes of `buffer` as a `Response`.
    public static func decodeResponse(_ buffer: ByteBuffer) throws(BrainError) -> BrainResponse {
        try buffer.withUnsafeReadableBytes { bytes in Result { () throws(BrainError) in try decodeResponse(bytes) } }.get()
    }

    /// ``WireCodec/withDecodedRequest(_:scratch:step:other:)`` over the readable bytes of `buffer`.
    public static func withDecodedRequest<R>(
        _ buffer: ByteBuffer, scratch: DecodeScratch,
        step: (_ callID: UInt64, _ eventSeq: UInt64, StepReportedView) -> R,
        other: (BrainRequest) -> R
    ) throws(BrainError) -> R {
        try buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(BrainError) -> R in try withDecodedRequest(bytes, scratch: scratch, step: step, other: other) }
        }.get()
    }
}
