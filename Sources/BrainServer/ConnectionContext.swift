import BrainCore
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
    /// Whether the steps of this connection's agent are redacted (its project's
    /// `redact_steps`), as of ``projectRulesRevision`` (``BrainEngine/redactsSteps(_:agentID:)``).
    var redactsSteps = false
    /// The redactor of this connection's agent's project, as of ``projectRulesRevision``
    /// (``BrainEngine/taskRedactor(_:agentID:)``): found once, not by two look-ups per event.
    var redactor: Redactor? {
        didSet { redactorID = redactor.map(ObjectIdentifier.init) }
    }
    /// ``redactor``'s identity, compared per task event with the redactor ``TaskCheckWorker``
    /// checked under without retaining either (both objects are held while compared, so
    /// equal identities are the same redactor).
    private(set) var redactorID: ObjectIdentifier?
    /// The ``BrainCore/BrainState/projectSettingsRevision`` ``redactsSteps`` and ``redactor``
    /// were looked up at (``BrainEngine/refreshProjectRules(_:agentID:)``); `.max`: not looked
    /// up for the agent the connection speaks for now.
    var projectRulesRevision = UInt64.max
    /// Whether the connection has published a task event: only then are its large reads
    /// checked on ``TaskCheckWorker``'s thread.
    var publishesTaskEvents = false
    /// Whether this connection's ack or held replies wait for the next journal flush.
    var awaitingDurability = false
    /// Replies that wait for the journal (``HeldReplies``) and are in no write yet.
    private(set) var held = HeldReplies()
    /// Journal writes in flight that carry replies of this connection.
    private(set) var heldWritesInFlight = 0
    /// Bytes of held replies not handed to the channel yet (here and in writes in flight):
    /// flow control counts them as queued replies.
    private(set) var heldBytes = 0
    /// Set by a fatal error while replies were held: the error joined them, and the
    /// connection closes once they are sent.
    private var closesAfterHeldReplies = false
    /// Called when held replies were sent: a connection whose reading stopped because of
    /// them (flow control) is read again (set by ``BrainConnectionHandler``).
    var repliesReleased: (() -> Void)?

    /// Whether replies wait for the journal: anything queued now must go behind them.
    var holdsReplies: Bool { heldWritesInFlight > 0 || !held.isEmpty }

    /// Replies queued and not handed to the channel yet, held ones included (flow control).
    var queuedReplyBytes: Int { output.readableBytes + heldBytes }
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

    /// Writes and flushes whatever is queued, or, while replies are held, queues it behind them.
    func flush() {
        guard output.readableBytes > 0, channel.isActive else {
            output.clear()
            return
        }
        let bytes = output
        output = channel.allocator.buffer(capacity: 256)
        if holdsReplies {
            held.append(following: bytes)
            heldBytes += bytes.readableBytes
            return
        }
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

    /// Sends what is queued (a fatal error's reply last), then closes the connection; while
    /// replies are held, they go first and the connection closes after them.
    func closeAfterReplies() {
        if holdsReplies {
            flush()
            closesAfterHeldReplies = true
            return
        }
        let bytes = output
        output.clear()
        let channel = self.channel
        channel.writeAndFlush(bytes).whenComplete { _ in ConnectionClosing.closeAfterReply(channel) }
    }

    // MARK: Held replies

    /// Holds `response`, the reply to a call that changed the state, until the journal
    /// holds the change (the engine makes sure a journal write takes it). Replies queued
    /// before it go first: at once when nothing is held, else behind what is.
    func hold(_ response: BrainResponse) {
        flush()
        var frame = channel.allocator.buffer(capacity: 128)
        WireCodec.writeFrame(response, into: &frame)
        heldBytes += frame.readableBytes
        held.append(durable: frame, callID: response.callID)
    }

    /// Hands the held replies to the journal write about to be submitted (`nil`: none).
    func takeHeldReplies() -> HeldReplies? {
        guard !held.isEmpty else { return nil }
        heldWritesInFlight += 1
        defer { held = HeldReplies() }
        return held
    }

    /// The journal write that carried `replies` and this connection's ack of `ackedSeq`
    /// completed: sends them. They go straight to the channel, as nothing queued for this
    /// connection is older: later replies wait in ``held`` or in later writes.
    /// - Parameter refusal: set when the write failed: the calls that changed the state are
    ///   answered with it instead (refusing the acks is the engine's part).
    func sendDurable(ackedSeq: UInt64?, replies: HeldReplies?, refusal: BrainError?) {
        guard replies != nil || holdsReplies else {
            // The usual case, an agent's ack with nothing held: as it always was.
            if let ackedSeq {
                WireCodec.writeAckFrame(ackedSeq: ackedSeq, into: &output)
                flush()
            }
            return
        }
        var bytes = channel.allocator.buffer(capacity: (replies?.bytes ?? 0) + 32)
        if let replies {
            heldWritesInFlight -= 1
            heldBytes -= replies.bytes
            replies.write(into: &bytes, refusing: refusal)
        }
        if let ackedSeq { WireCodec.writeAckFrame(ackedSeq: ackedSeq, into: &bytes) }
        if heldWritesInFlight == 0, !held.awaitsDurability {
            // What is left only waited for its turn, and its turn has come.
            heldBytes -= held.bytes
            held.write(into: &bytes, refusing: nil)
            held = HeldReplies()
        }
        let closes = closesAfterHeldReplies && !holdsReplies
        let channel = self.channel
        if bytes.readableBytes > 0, channel.isActive {
            unsentAtMost += bytes.readableBytes  // the bound counts every byte written
            channel.writeAndFlush(bytes).whenComplete { _ in if closes { ConnectionClosing.closeAfterReply(channel) } }
        } else if closes {
            ConnectionClosing.closeAfterReply(channel)
        }
        if replies != nil { repliesReleased?() }
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
