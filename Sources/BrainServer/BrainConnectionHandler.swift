import BrainProtocol
import NIOCore

/// One connection's pipeline end: hands decoded frames to the engine and ends each read
/// batch with one write (replies plus one cumulative ack).
final class BrainConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: BrainEngine
    private var connection: ConnectionContext?

    init(engine: BrainEngine) {
        self.engine = engine
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
        guard let connection else { return }
        engine.received(frame: unwrapInboundIn(data), from: connection)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        engine.readComplete(connection)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { engine.close(connection) }
        connection = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let connection else {
            context.close(promise: nil)
            return
        }
        if let tooLarge = error as? FrameTooLargeError {
            engine.fail(connection, BrainError(.resourceExhausted, "\(tooLarge); the connection is closed"), callID: 0)
        } else if error is ByteToMessageDecoderError {
            engine.fail(connection, BrainError(.invalidArgument, "undecodable input: \(error); the connection is closed"), callID: 0)
        } else {
            // Socket errors (peer reset and the like): nothing to answer.
            context.close(promise: nil)
        }
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
