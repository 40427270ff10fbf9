import BrainCore
import BrainFraming
import BrainProtocol
import NIOCore

/// Every open Watch stream, by connection and call id, and the fan-out of the state's
/// changes to them, apart from channels and sockets: which stream gets which change
/// (BrainCore's rule, ``BrainState/watch(_:follows:)``), which events go out at once and
/// which wait because their client reads too slowly, and which stream ends with
/// RESOURCE_EXHAUSTED when a connection's waiting events pass their limit.
///
/// Frames are encoded into the connection's output buffer, which the engine writes; the
/// hub never touches a channel. Pure and synchronous: the tests drive it change by change.
struct WatchHub {
    /// The limits of ``ServerConfiguration`` the hub keeps.
    struct Limits: Hashable, Sendable {
        /// ``ServerConfiguration/maxWatchesPerConnection``.
        var streamsPerConnection: Int
        /// ``ServerConfiguration/maxUnsentReplyBytes``: past it events wait in their stream.
        var unsentReplyBytes: Int
        /// ``ServerConfiguration/maxWatchQueueBytes``: past it the largest backlog ends.
        var queueBytes: Int

        init(streamsPerConnection: Int, unsentReplyBytes: Int, queueBytes: Int) {
            self.streamsPerConnection = streamsPerConnection
            self.unsentReplyBytes = unsentReplyBytes
            self.queueBytes = queueBytes
        }

        init(_ configuration: ServerConfiguration) {
            self.init(
                streamsPerConnection: configuration.maxWatchesPerConnection, unsentReplyBytes: configuration.maxUnsentReplyBytes,
                queueBytes: configuration.maxWatchQueueBytes
            )
        }
    }

    /// A stream ended because its client read too slowly.
    struct Overflow: Hashable, Sendable {
        var connection: Int
        var callID: UInt64
        /// Its waiting bytes, dropped.
        var bytes: Int
        /// The status message it ended with.
        var message: String
    }

    let limits: Limits
    /// Open streams by connection id, then call id.
    private var streams: [Int: [UInt64: WatchStream]] = [:]
    /// Open streams over all connections.
    private(set) var count = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// The connections with at least one open stream.
    var connections: [Int] { Array(streams.keys) }

    /// The open streams of `connection`, by call id.
    func streams(on connection: Int) -> [UInt64: WatchStream] {
        streams[connection] ?? [:]
    }

    /// Opens a stream, unless the connection has its limit of them or the state refuses
    /// the query (a run that does not exist).
    /// - Returns: the run the stream starts with (for a run watch), or why it cannot start.
    mutating func start(_ query: WatchQuery, callID: UInt64, on connection: Int, state: BrainState) -> Result<RunInfo?, BrainError> {
        let open = streams[connection]?.count ?? 0
        guard open < limits.streamsPerConnection else {
            return .failure(
                BrainError(.resourceExhausted, "this connection already has \(open) watches (the limit); cancel one or open another connection"))
        }
        let start = state.watchStart(query)
        guard case .success = start else { return start }
        if streams[connection, default: [:]].updateValue(WatchStream(query: query), forKey: callID) == nil { count += 1 }
        return start
    }

    /// Ends one stream at its client's request. - Returns: whether it was open.
    mutating func cancel(_ callID: UInt64, on connection: Int) -> Bool {
        guard streams[connection]?.removeValue(forKey: callID) != nil else { return false }
        count -= 1
        if streams[connection]?.isEmpty == true { streams[connection] = nil }
        return true
    }

    /// Ends every stream of `connection` (it closes, or the brain stops).
    /// - Returns: their call ids, lowest first.
    mutating func removeAll(on connection: Int) -> [UInt64] {
        guard let removed = streams.removeValue(forKey: connection) else { return [] }
        count -= removed.count
        return removed.keys.sorted()
    }

    /// Hands `changes` to every stream of `connection` that follows them, oldest stream
    /// first: into `output` while the connection's replies stay under their limit, else into
    /// the stream's backlog. Once the connection's waiting events pass ``Limits/queueBytes``,
    /// the stream with the most waiting ends (its end frame goes into `output`).
    /// - Parameters:
    ///   - unsent: the connection's bytes in SwiftNIO's buffer, asked once per batch.
    /// - Returns: the streams ended.
    mutating func publish(
        _ changes: [BrainChange], state: BrainState, on connection: Int, output: inout ByteBuffer, unsent: Int, allocator: ByteBufferAllocator
    ) -> [Overflow] {
        // Taken out while it changes, so its streams' backlogs have one owner and grow in place.
        guard var open = streams.removeValue(forKey: connection) else { return [] }
        defer { if !open.isEmpty { streams[connection] = open } }
        // How much more the connection's unsent replies may grow. Past it events wait in their
        // stream's backlog, which is bounded.
        let limit = limits.unsentReplyBytes
        let budget = FlowControl.replyBudget(limit: limit, unsent: unsent)
        // The connection's waiting event bytes, counted once a backlog is used. Events handed
        // to SwiftNIO past the reply limit (a backlog sent when the client had read enough)
        // wait for the client too, so they count: replies and events together then stay
        // within both limits.
        var waiting: Int?
        var ended: [Overflow] = []
        for callID in open.keys.sorted() {
            // A stream ended by an overflow earlier in this batch gets nothing more.
            guard let query = open[callID]?.query else { continue }
            for change in changes where state.watch(query, follows: change) {
                guard let event = Self.watchEvent(change) else { continue }
                let response = BrainResponse.ok(callID, .watchEvent(event))
                if open[callID]?.backlogEvents == 0 && output.readableBytes < budget {
                    WireCodec.writeFrame(response, into: &output)
                    continue
                }
                let before = open[callID]?.backlogBytes ?? 0
                var total = waiting ?? open.values.reduce(max(0, unsent - limit)) { $0 + $1.backlogBytes }
                open[callID]?.enqueue(response, allocator: allocator)
                total += (open[callID]?.backlogBytes ?? 0) - before
                waiting = total
                if FlowControl.watchQueueOverflows(waitingBytes: total, limit: limits.queueBytes),
                    let overflow = Self.endLargestBacklog(of: &open, on: connection, waitingBytes: total, limit: limits.queueBytes, output: &output)
                {
                    count -= 1
                    ended.append(overflow)
                    waiting = total - overflow.bytes
                    if overflow.callID == callID { break }
                }
            }
        }
        return ended
    }

    /// Whether any stream of `connection` has events waiting.
    func hasBacklog(on connection: Int) -> Bool {
        streams[connection]?.values.contains { $0.backlogEvents > 0 } ?? false
    }

    /// Takes the waiting events of the oldest stream of `connection` that has any, to be
    /// written whole and uncopied (the memory moves from the backlog to SwiftNIO's buffer).
    mutating func takeBacklog(on connection: Int) -> ByteBuffer? {
        guard let oldest = streams[connection]?.lazy.filter({ $0.value.backlogEvents > 0 }).map(\.key).min() else { return nil }
        return streams[connection]?[oldest]?.takeBacklog()
    }

    /// Ends the stream with the most events waiting, the one that holds the memory (a quiet
    /// stream on the same connection goes on).
    /// - Parameter waitingBytes: all the connection's waiting event bytes, for the message.
    private static func endLargestBacklog(
        of open: inout [UInt64: WatchStream], on connection: Int, waitingBytes: Int, limit: Int, output: inout ByteBuffer
    ) -> Overflow? {
        // Ties go to the oldest stream (the lowest call id), so the choice is deterministic.
        guard let (callID, stream) = open.max(by: { ($0.value.backlogBytes, $1.key) < ($1.value.backlogBytes, $0.key) }) else {
            return nil
        }
        let message = FlowControl.watchOverflowMessage(events: stream.backlogEvents, bytes: waitingBytes, limit: limit)
        open.removeValue(forKey: callID)
        // Sent even though the connection is over its limit: one small frame, once per stream.
        WireCodec.writeFrame(BrainResponse(callID: callID, error: BrainError(.resourceExhausted, message), endOfStream: true), into: &output)
        return Overflow(connection: connection, callID: callID, bytes: stream.backlogBytes, message: message)
    }

    /// The wire event of a change; `nil` for changes the wire has no event for.
    static func watchEvent(_ change: BrainChange) -> WatchEvent? {
        switch change {
        case .run(let run): return .run(run)
        case .step(let step): return .step(step)
        case .agent(let agent): return .agent(agent)
        case .task(let task): return .task(task)
        case .command(let command): return .command(command.info)
        case .schedule(let schedule): return .schedule(schedule.info)
        case .scheduleRemoved(let schedule):
            var info = schedule.info
            info.removed = true
            return .schedule(info)
        }
    }
}
