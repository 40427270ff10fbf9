import BrainFraming
import BrainProtocol
import NIOCore

/// What the engine knows about one open connection. Lives on the brain's event loop.
final class ConnectionContext {
    let id: Int
    let channel: any Channel
    /// Hello, agent, closing; read or paused (see ``ConnectionStateMachine``).
    var stateMachine = ConnectionStateMachine()
    /// The highest seq handled in this read batch, acknowledged at its end.
    var pendingAck: UInt64?
    /// Frames waiting to be written at the end of the batch.
    var output: ByteBuffer
    /// Whether this connection's ack waits for the next journal flush.
    var awaitingDurability = false
    /// The connection handler's place in the pipeline, where replies are written from (set
    /// by the handler while it is in the pipeline; `nil`: written from the channel's tail).
    /// From there they go straight to the socket: written from the tail, they would pass the
    /// handler itself (an outbound handler, for holding reads back) as a separate write and
    /// flush, for nothing.
    var pipelineContext: ChannelHandlerContext?
    /// An upper bound of ``measureUnsentBytes()``, known without asking SwiftNIO: what it held
    /// when last asked, plus every byte written since (the socket only takes bytes away).
    /// Every write of an open connection goes through ``write(_:)``, which keeps it (but the
    /// error reply that closes one: nothing is read after it).
    private(set) var unsentAtMost = 0

    /// Set once the connection said hello.
    var agentID: String? { stateMachine.agentID }
    /// Set when the connection is being closed: nothing more is handled.
    var closing: Bool { stateMachine.isClosing }
    /// Set while the brain does not read this connection because too many of its replies
    /// wait unsent (``FlowControl``).
    var readPaused: Bool { stateMachine.readPaused }

    init(id: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
        self.output = channel.allocator.buffer(capacity: 256)
    }

    func append(_ response: BrainResponse) {
        WireCodec.writeFrame(response, into: &output)
    }

    /// Writes and flushes whatever is queued.
    func flush() {
        guard output.readableBytes > 0, channel.isActive else {
            output.clear()
            return
        }
        let bytes = output
        output = channel.allocator.buffer(capacity: 256)
        write(bytes)
    }

    /// Writes and flushes `bytes`, counting them into ``unsentAtMost``.
    func write(_ bytes: ByteBuffer) {
        unsentAtMost += bytes.readableBytes
        if let pipelineContext {
            pipelineContext.writeAndFlush(NIOAny(bytes), promise: nil)
        } else {
            channel.writeAndFlush(bytes, promise: nil)
        }
    }

    /// Bytes written to the channel that the socket has not taken yet (SwiftNIO's outbound
    /// buffer); also brings ``unsentAtMost`` down to them. An option lookup, so asked
    /// sparingly: by a read whose replies reach what ``unsentAtMost`` allows, once per
    /// publish to a watching connection, once per tick while paused.
    func measureUnsentBytes() -> Int {
        let bytes = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        unsentAtMost = bytes
        return bytes
    }
}
