import BrainCore
import BrainFraming
import BrainProtocol
import NIOCore

/// A connection's whole pipeline: splits each read into frames (a 4-byte big-endian
/// length, then the body) and hands every complete frame to the engine in place, then ends
/// the read batch with one write (replies plus one cumulative ack).
///
/// Frames are walked inside the read buffer itself: no per-frame buffer, no boxing, one
/// engine call each. Only the tail of a frame cut by the read's end is copied, into a
/// small buffer the next read is appended to.
///
/// Flow control (``FlowControl``): a connection whose replies wait unsent past
/// ``ServerConfiguration/maxUnsentReplyBytes`` is not read until its client has read enough
/// of them. Frames stop being handled the moment the replies pass the limit (one GetRun can
/// be answered with far more bytes than it took), the rest of the read waits uncopied, and
/// SwiftNIO's `read` is held back (as NIO's `BackPressureHandler` does) until the channel is
/// writable again, so the client's writes block in its own socket instead of the brain
/// buffering replies without end. Nothing else waits for such a connection: it is simply
/// not read, and group commit, acks and every other connection go on.
final class BrainConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: BrainEngine
    /// The largest frame body accepted; a longer announced length closes the connection
    /// before any of its body is buffered.
    private let maxFrameBytes: Int
    /// ``ServerConfiguration/maxUnsentReplyBytes``.
    private let maxUnsentReplyBytes: Int
    private var connection: ConnectionContext?
    /// The start of a frame whose end has not arrived yet.
    private var partial: ByteBuffer?
    /// Reads not handled yet because the replies reached their limit, oldest first: the rest
    /// of the read that reached it, then any read SwiftNIO made in the same loop turn.
    private var unread: [ByteBuffer] = []
    private var resumeScheduled = false

    init(engine: BrainEngine, maxFrameBytes: Int) {
        self.engine = engine
        self.maxFrameBytes = maxFrameBytes
        self.maxUnsentReplyBytes = engine.configuration.maxUnsentReplyBytes
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
        connection.pipelineContext = context
        self.connection = connection
        // Held replies (see HeldReplies) count toward the limit: once they are sent, read again.
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        connection.repliesReleased = { handler.value.scheduleResume(context: boundContext.value) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, !connection.closing else { return }
        let input = unwrapInboundIn(data)
        guard unread.isEmpty else {
            // SwiftNIO reads up to four times per loop turn; what comes after the limit was
            // reached waits, in order, unhandled (requests are far smaller than their replies).
            unread.append(input)
            return
        }
        if let rest = handle(input, connection, context: context) {
            unread.append(rest)
            connection.stateMachine.repliesReachedLimit()
        }
    }

    /// Hands the read's complete frames to the engine until the replies reach their limit;
    /// returns what is left unhandled then (nil when everything was used or kept as `partial`).
    private func handle(_ read: ByteBuffer, _ connection: ConnectionContext, context: ChannelHandlerContext) -> ByteBuffer? {
        var input = read
        var budget = FlowControl.ReadBudget(limit: maxUnsentReplyBytes, unsentAtMost: connection.unsentAtMost)
        guard budget.allows(queued: connection.queuedReplyBytes, unsent: { connection.measureUnsentBytes() }) else { return input }
        let now = WallClock.now()
        if var held = partial {
            partial = nil  // so `held` is the only reference and grows in place
            // Complete the cut frame with just the bytes it lacks; the rest of the read is
            // walked in place below, not copied after it.
            while case let missing = wantedBytes(held) - held.readableBytes, missing > 0 {
                guard var piece = input.readSlice(length: min(missing, input.readableBytes)), piece.readableBytes > 0 else {
                    partial = held
                    return nil
                }
                held.writeBuffer(&piece)
            }
            _ = held.withUnsafeReadableBytes { walkFrames($0, connection, now: now, budget: &budget) }
            guard !connection.closing else { return nil }
            guard budget.allows(queued: connection.queuedReplyBytes, unsent: { connection.measureUnsentBytes() }) else {
                return input.readableBytes > 0 ? input : nil
            }
        }
        let consumed = input.withUnsafeReadableBytes { bytes in
            // Its task events checked for secrets on the second thread meanwhile, when it pays;
            // the worker stops reading the bytes before they go.
            let checkedUnder = engine.startTaskCheck(of: bytes, for: connection)
            defer { if checkedUnder != nil { engine.taskCheckWorker?.finish() } }
            return walkFrames(bytes, connection, now: now, budget: &budget, checkedUnder: checkedUnder)
        }
        guard !connection.closing else { return nil }
        input.moveReaderIndex(forwardBy: consumed)
        guard input.readableBytes > 0 else { return nil }
        // Stopped by the limit: the rest waits as it is, a slice of the read buffer.
        if !budget.allows(queued: connection.queuedReplyBytes, unsent: { connection.measureUnsentBytes() }) { return input }
        // Keep only the cut frame, not the whole read buffer behind it.
        var held = context.channel.allocator.buffer(capacity: max(wantedBytes(input), input.readableBytes))
        held.writeBuffer(&input)
        partial = held
        return nil
    }

    /// The bytes the frame at the start of `buffer` needs in all: its length prefix, then
    /// its body, unless the prefix announces more than the limit (then the prefix alone,
    /// so the frame is refused without waiting for its body).
    private func wantedBytes(_ buffer: ByteBuffer) -> Int {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return 4 }
        return Int(length) > maxFrameBytes ? 4 : 4 + Int(length)
    }

    /// Hands complete frames in `bytes` to the engine until the connection's queued replies
    /// use up `budget`; returns the bytes used. With `checkedUnder`, ``TaskCheckWorker`` is
    /// checking these frames' task events under that redactor.
    private func walkFrames(
        _ bytes: UnsafeRawBufferPointer, _ connection: ConnectionContext, now: Int64, budget: inout FlowControl.ReadBudget,
        checkedUnder: Redactor? = nil
    ) -> Int {
        var index = 0
        // Compared by identity per frame: `checkedUnder` is held for the whole read.
        let checkedID = checkedUnder.map(ObjectIdentifier.init)
        let (consumed, tooLarge) = FrameSplitter.walk(bytes, maxFrameBytes: maxFrameBytes) { body in
            var checked: ObjectIdentifier?
            if let checkedID, engine.taskCheckWorker?.isUnchanged(frame: index) == true { checked = checkedID }
            index += 1
            engine.received(frame: body, from: connection, now: now, unchangedUnder: checked)
            // Checked per frame, as one request may be answered with thousands of times its
            // size (a GetRun of a long run); one compare unless the frame queued a reply.
            return !connection.closing && budget.allows(queued: connection.queuedReplyBytes, unsent: { connection.measureUnsentBytes() })
        }
        if let tooLarge {
            engine.fail(connection, BrainError(.resourceExhausted, "\(tooLarge); the connection is closed"), callID: 0)
        }
        return consumed
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        engine.readComplete(connection)
        // The replies reached the limit but the socket may have taken them at once: then
        // the rest is handled next loop turn, after the other connections.
        if !unread.isEmpty { scheduleResume(context: context) }
    }

    /// SwiftNIO asks to read (after each read batch, as autoRead is on): passed on unless the
    /// connection's replies are over their limit or earlier reads still wait.
    func read(context: ChannelHandlerContext) {
        guard let connection else { return context.read() }
        if connection.stateMachine.readRequested(writable: context.channel.isWritable, unreadWaiting: !unread.isEmpty) == .read {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Not handled here: SwiftNIO may report writability from inside a write the engine
        // is making, and resuming there would re-enter the engine.
        if context.channel.isWritable { scheduleResume(context: context) }
        context.fireChannelWritabilityChanged()
    }

    /// Not while replies are held: they are sent when the journal write completes, which
    /// calls this again (``ConnectionContext/repliesReleased``); resuming before would only
    /// find them still in the way, turn after turn.
    private func scheduleResume(context: ChannelHandlerContext) {
        guard !resumeScheduled, context.channel.isWritable, connection?.holdsReplies != true else { return }
        resumeScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            handler.value.resumeScheduled = false
            handler.value.resume(context: boundContext.value)
        }
    }

    /// The connection has room for replies again: hand over waiting Watch events, handle the
    /// reads that waited, and read again once none is left.
    private func resume(context: ChannelHandlerContext) {
        guard let connection, !connection.closing, context.channel.isWritable else { return }
        engine.handOverWatchBacklogs(connection)
        if !unread.isEmpty {
            while context.channel.isWritable, !unread.isEmpty {
                let input = unread.removeFirst()
                if let rest = handle(input, connection, context: context) {
                    unread.insert(rest, at: 0)
                    break
                }
                if connection.closing {
                    unread.removeAll()
                    return
                }
            }
            engine.readComplete(connection)
            if !unread.isEmpty {
                scheduleResume(context: context)
                return
            }
        }
        if context.channel.isWritable, connection.stateMachine.drained() == .read {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.pipelineContext = nil  // the context holds this handler, which holds the connection
        if let connection {
            connection.repliesReleased = nil  // it holds this handler
            engine.close(connection)
        }
        connection = nil
        partial = nil
        unread.removeAll()
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
