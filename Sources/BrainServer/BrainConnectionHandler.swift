import BrainProtocol
import NIOCore

/// A connection's whole pipeline: splits each read into frames (a 4-byte big-endian
/// length, then the body) and hands every complete frame to the engine in place, then ends
/// the read batch with one write (replies plus one cumulative ack).
///
/// Frames are walked inside the read buffer itself: no per-frame buffer, no boxing, one
/// engine call each. Only the tail of a frame cut by the read's end is copied, into a
/// small buffer the next read is appended to.
final class BrainConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: BrainEngine
    /// The largest frame body accepted; a longer announced length closes the connection
    /// before any of its body is buffered.
    private let maxFrameBytes: Int
    private var connection: ConnectionContext?
    /// The start of a frame whose end has not arrived yet.
    private var partial: ByteBuffer?

    init(engine: BrainEngine, maxFrameBytes: Int) {
        self.engine = engine
        self.maxFrameBytes = maxFrameBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let connection = engine.open(channel: context.channel) else {
            var buffer = context.channel.allocator.buffer(capacity: 128)
            let error = BrainError(.resourceExhausted, "the brain has reached its connection limit (--max-connections); try again later")
            WireCodec.writeFrame(BrainResponse.failure(0, error), into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { [channel = context.channel] _ in
                ConnectionClosing.closeAfterReply(channel)
            }
            return
        }
        self.connection = connection
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, !connection.closing else { return }
        var input = unwrapInboundIn(data)
        let now = WallClock.now()
        if var held = partial {
            partial = nil  // so `held` is the only reference and grows in place
            // Complete the cut frame with just the bytes it lacks; the rest of the read is
            // walked in place below, not copied after it.
            while case let missing = wantedBytes(held) - held.readableBytes, missing > 0 {
                guard var piece = input.readSlice(length: min(missing, input.readableBytes)), piece.readableBytes > 0 else {
                    partial = held
                    return
                }
                held.writeBuffer(&piece)
            }
            _ = held.withUnsafeReadableBytes { walkFrames($0, connection, now: now) }
            guard !connection.closing else { return }
        }
        let consumed = input.withUnsafeReadableBytes { walkFrames($0, connection, now: now) }
        guard !connection.closing else { return }
        input.moveReaderIndex(forwardBy: consumed)
        guard input.readableBytes > 0 else { return }
        // Keep only the cut frame, not the whole read buffer behind it.
        var held = context.channel.allocator.buffer(capacity: max(wantedBytes(input), input.readableBytes))
        held.writeBuffer(&input)
        partial = held
    }

    /// The bytes the frame at the start of `buffer` needs in all: its length prefix, then
    /// its body, unless the prefix announces more than the limit (then the prefix alone,
    /// so the frame is refused without waiting for its body).
    private func wantedBytes(_ buffer: ByteBuffer) -> Int {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return 4 }
        return Int(length) > maxFrameBytes ? 4 : 4 + Int(length)
    }

    /// Hands every complete frame in `bytes` to the engine; returns the bytes used.
    private func walkFrames(_ bytes: UnsafeRawBufferPointer, _ connection: ConnectionContext, now: Int64) -> Int {
        var offset = 0
        while bytes.count - offset >= 4 {
            let length = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            if length > maxFrameBytes {
                let tooLarge = FrameTooLargeError(length: length, limit: maxFrameBytes)
                engine.fail(connection, BrainError(.resourceExhausted, "\(tooLarge); the connection is closed"), callID: 0)
                return offset
            }
            guard bytes.count - offset - 4 >= length else { break }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + length)])
            engine.received(frame: body, from: connection, now: now)
            offset += 4 + length
            if connection.closing { break }
        }
        return offset
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        engine.readComplete(connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { engine.close(connection) }
        connection = nil
        partial = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Socket errors (peer reset and the like): nothing to answer.
        context.close(promise: nil)
    }
}

/// Closing a connection the brain refuses, without losing the reason it sent.
enum ConnectionClosing {
    /// Closing a socket that still holds unread input makes the kernel reset it, and the peer
    /// may then lose the error frame just written. So: stop writing (the peer reads the frame,
    /// then end-of-file), and close for good once the peer has gone or after a grace period.
    static func closeAfterReply(_ channel: any Channel, grace: TimeAmount = .seconds(2)) {
        channel.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }
}
