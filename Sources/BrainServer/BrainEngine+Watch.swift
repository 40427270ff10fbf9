import BrainCore
import BrainFraming
import BrainProtocol
import Logging
import NIOCore

/// One open Watch stream: what it follows, and the events that wait because its client
/// reads too slowly.
final class WatchStream {
    let query: WatchQuery
    /// Encoded frames not yet handed to the channel, oldest first. Events wait here while the
    /// connection's unsent replies are past ``ServerConfiguration/maxUnsentReplyBytes``; once
    /// all of a connection's streams hold more than ``ServerConfiguration/maxWatchQueueBytes``
    /// the largest one ends. Bounded and never waited on, so a slow watcher costs other
    /// connections nothing.
    private(set) var backlog: ByteBuffer?
    private(set) var backlogEvents = 0

    init(query: WatchQuery) {
        self.query = query
    }

    var backlogBytes: Int { backlog?.readableBytes ?? 0 }

    func enqueue(_ response: BrainResponse, allocator: ByteBufferAllocator) {
        var buffer = backlog ?? allocator.buffer(capacity: 4_096)
        backlog = nil  // so `buffer` is the only reference and grows in place
        WireCodec.writeFrame(response, into: &buffer)
        backlog = buffer
        backlogEvents += 1
    }

    /// Takes the waiting frames, leaving the backlog empty.
    func takeBacklog() -> ByteBuffer? {
        defer {
            backlog = nil
            backlogEvents = 0
        }
        return backlog
    }
}

extension BrainEngine {
    func startWatch(_ query: WatchQuery, callID: UInt64, from context: ConnectionContext) {
        guard context.watches.count < configuration.maxWatchesPerConnection else {
            context.append(
                .failure(
                    callID,
                    BrainError(
                        .resourceExhausted, "this connection already has \(context.watches.count) watches (the limit); cancel one or open another connection")))
            return
        }
        switch state.watchStart(query) {
        case .failure(let error):
            context.append(.failure(callID, error))
            return
        case .success(let run):
            if let run { context.append(.ok(callID, .watchEvent(.run(run)))) }
        }
        context.watches[callID] = WatchStream(query: query)
        watchCount += 1
        updateChangeCollection()
    }

    /// Collect changes only while someone watches: building them costs allocations.
    func updateChangeCollection() {
        state.collectChanges = watchCount > 0
    }

    /// Sends the state's pending changes to every watch that follows them.
    func publishChanges() {
        guard state.collectChanges else { return }
        let changes = state.drainChanges()
        guard !changes.isEmpty else { return }
        for context in connections.values where !context.watches.isEmpty && !context.closing {
            publish(changes, to: context)
        }
    }

    private func publish(_ changes: [BrainChange], to context: ConnectionContext) {
        // Once per connection and batch, not per event: how much more the connection's unsent
        // replies may grow. Past it events wait in their stream's backlog, which is bounded.
        let limit = configuration.maxUnsentReplyBytes
        let unsent = context.unsentBytes
        let budget = FlowControl.replyBudget(limit: limit, unsent: unsent)
        // The connection's waiting event bytes, counted once a backlog is used. Events handed
        // to SwiftNIO past the reply limit (a backlog sent when the client had read enough)
        // wait for the client too, so they count: replies and events together then stay
        // within both limits.
        var waiting: Int?
        for (callID, watch) in context.watches.sorted(by: { $0.key < $1.key }) {
            // A stream ended by an overflow earlier in this loop gets nothing more.
            guard context.watches[callID] === watch else { continue }
            for change in changes where state.watch(watch.query, follows: change) {
                guard let event = watchEvent(change) else { continue }
                let response = BrainResponse.ok(callID, .watchEvent(event))
                if watch.backlogEvents == 0 && context.output.readableBytes < budget {
                    context.append(response)
                    continue
                }
                var total = waiting ?? context.watches.values.reduce(max(0, unsent - limit)) { $0 + $1.backlogBytes }
                let before = watch.backlogBytes
                watch.enqueue(response, allocator: context.channel.allocator)
                total += watch.backlogBytes - before
                waiting = total
                if FlowControl.watchQueueOverflows(waitingBytes: total, limit: configuration.maxWatchQueueBytes),
                    let ended = endLargestBacklog(on: context, waitingBytes: total)
                {
                    waiting = total - ended.bytes
                    if ended.callID == callID { break }
                }
            }
        }
        context.flush()
        handOverWatchBacklogs(context)
    }

    /// Ends the connection's stream with the most events waiting, the one that holds the
    /// memory (a quiet stream on the same connection goes on); returns it and the bytes freed.
    /// - Parameter waitingBytes: all the connection's waiting event bytes, for the message.
    private func endLargestBacklog(on context: ConnectionContext, waitingBytes: Int) -> (callID: UInt64, bytes: Int)? {
        // Ties go to the oldest stream (the lowest call id), so the choice is deterministic.
        guard let (callID, watch) = context.watches.max(by: { ($0.value.backlogBytes, $1.key) < ($1.value.backlogBytes, $0.key) }) else {
            return nil
        }
        let bytes = watch.backlogBytes
        let message = FlowControl.watchOverflowMessage(events: watch.backlogEvents, bytes: waitingBytes, limit: configuration.maxWatchQueueBytes)
        logger.notice("connection \(context.id), watch \(callID): \(message)")
        _ = watch.takeBacklog()
        context.watches.removeValue(forKey: callID)
        watchCount -= 1
        updateChangeCollection()
        // Sent even though the connection is over its limit: one small frame, once per stream.
        context.append(BrainResponse(callID: callID, error: BrainError(.resourceExhausted, message), endOfStream: true))
        return (callID, bytes)
    }

    /// Hands the streams' waiting events to the channel while it is writable: after a
    /// publish, and when a slow client has read enough for the connection to become writable.
    /// A backlog goes whole and uncopied; the memory moves from the backlog to SwiftNIO's buffer.
    func handOverWatchBacklogs(_ context: ConnectionContext) {
        guard !context.closing, context.watches.values.contains(where: { $0.backlogEvents > 0 }) else { return }
        for callID in context.watches.keys.sorted() {
            guard context.channel.isWritable else { return }
            guard let backlog = context.watches[callID]?.takeBacklog() else { continue }
            context.channel.writeAndFlush(backlog, promise: nil)
        }
    }

    /// The wire event of a change; `nil` for changes the wire has no event for yet (commands
    /// to agents and schedules, which `BrainState.watch(_:follows:)` follows for no query yet).
    private func watchEvent(_ change: BrainChange) -> WatchEvent? {
        switch change {
        case .run(let run): .run(run)
        case .step(let step): .step(step)
        case .agent(let agent): .agent(agent)
        case .command, .schedule, .scheduleRemoved: nil
        }
    }
}
