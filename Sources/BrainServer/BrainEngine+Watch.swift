import BrainCore
import BrainFraming
import BrainProtocol
import Logging
import NIOCore

/// Watch streams: ``WatchHub`` keeps them and decides the fan-out; this file hands it the
/// state's changes and writes what it queued to the connections.
extension BrainEngine {
    func startWatch(_ query: WatchQuery, callID: UInt64, from context: ConnectionContext) {
        switch reading({ watches.start(query, callID: callID, on: context.id, state: $0) }) {
        case .failure(let error):
            context.append(.failure(callID, error))
        case .success(let run):
            if let run { context.append(.ok(callID, .watchEvent(.run(run)))) }
            updateChangeCollection()
        }
    }

    /// Ends one of `context`'s streams at its client's request.
    /// - Returns: whether it was open.
    func cancelWatch(_ callID: UInt64, on context: ConnectionContext) -> Bool {
        guard watches.cancel(callID, on: context.id) else { return false }
        updateChangeCollection()
        context.append(BrainResponse(callID: callID, endOfStream: true))
        return true
    }

    /// Collect changes only while someone watches: building them costs allocations.
    func updateChangeCollection() {
        state.collectChanges = watches.count > 0
    }

    /// Sends the state's pending changes to every watch that follows them.
    func publishChanges() {
        guard state.collectChanges else { return }
        let changes = state.drainChanges()
        guard !changes.isEmpty else { return }
        for id in watches.connections {
            guard let context = connections[id], !context.closing else { continue }
            let unsent = context.measureUnsentBytes() + context.heldBytes
            let ended = reading { state in
                watches.publish(changes, state: state, on: id, output: &context.output, unsent: unsent, allocator: context.channel.allocator)
            }
            for overflow in ended { logger.notice("connection \(id), watch \(overflow.callID): \(overflow.message)") }
            if !ended.isEmpty { updateChangeCollection() }
            context.flush()
            handOverWatchBacklogs(context)
        }
    }

    /// Hands the streams' waiting events to the channel while it is writable: after a
    /// publish, and when a slow client has read enough for the connection to become writable.
    /// Not while replies are held: the events would overtake the stream's earlier events held
    /// behind them (the connection resumes once the replies are sent).
    func handOverWatchBacklogs(_ context: ConnectionContext) {
        guard !context.closing, !context.holdsReplies, watches.hasBacklog(on: context.id) else { return }
        while context.channel.isWritable, let backlog = watches.takeBacklog(on: context.id) {
            context.write(backlog)
        }
    }

    /// Ends every Watch stream with `end_of_stream` (the brain is going away).
    func endStreams() {
        for context in connections.values {
            for callID in watches.removeAll(on: context.id) {
                context.append(BrainResponse(callID: callID, error: BrainError(.unavailable, "the brain is shutting down"), endOfStream: true))
            }
            context.flush()
        }
        updateChangeCollection()
    }
}
