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
        channel.writeAndFlush(bytes, promise: nil)
    }

    /// Bytes written to the channel that the socket has not taken yet (SwiftNIO's outbound
    /// buffer). An option lookup, so asked sparingly: at most once per read that queues
    /// replies, once per publish to a watching connection, once per tick while paused.
    var unsentBytes: Int {
        (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    /// How many bytes of replies may still be queued in ``output`` before the connection's
    /// unsent replies pass `limit` (see ``FlowControl/replyBudget(limit:unsent:)``).
    func replyBudget(limit: Int) -> Int {
        FlowControl.replyBudget(limit: limit, unsent: unsentBytes)
    }
}
