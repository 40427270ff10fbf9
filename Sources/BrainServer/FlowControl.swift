import NIOCore

/// The arithmetic of per-connection flow control (issue #12: bounded memory per connection),
/// apart from SwiftNIO so it can be tested alone.
///
/// What the brain holds for one connection is bounded by:
/// - replies not yet taken by the socket (SwiftNIO's outbound buffer plus the brain's own
///   ``ConnectionContext/output`` and the replies held for the journal, ``HeldReplies``): at
///   most ``ServerConfiguration/maxUnsentReplyBytes`` plus one reply, because reading stops
///   once they pass it and a read's frames stop being handled the moment they do;
/// - requests read but not handled yet: what was left of the read that stopped, and the few
///   reads SwiftNIO makes in the same loop turn (`maxMessagesPerRead`, 4, of at most 1 MiB);
/// - Watch events waiting for the client past the reply limit (in their streams' backlogs,
///   or handed to SwiftNIO whole once the connection was writable again): at most
///   ``ServerConfiguration/maxWatchQueueBytes`` plus one event, after which the stream with
///   the most waiting ends with RESOURCE_EXHAUSTED.
///
/// Refused events are replies like any other. Acks and the end of a stream are always sent:
/// they are small and come at most once per journal write or stream, so they cannot pile
/// up while reading is stopped.
enum FlowControl {
    /// How many bytes of replies may be queued before a connection's unsent replies pass `limit`.
    ///
    /// One more than the difference: SwiftNIO marks a channel unwritable only once its buffer
    /// holds *more* than the high mark, and the brain must stop exactly where SwiftNIO does.
    /// Stopping at the mark itself would leave a connection waiting for a writability change
    /// that never comes.
    /// - Parameters:
    ///   - limit: ``ServerConfiguration/maxUnsentReplyBytes``.
    ///   - unsent: bytes in SwiftNIO's outbound buffer (`bufferedWritableBytes`).
    static func replyBudget(limit: Int, unsent: Int) -> Int {
        limit - unsent + 1
    }

    /// How many more bytes of replies one read may queue.
    ///
    /// SwiftNIO's buffered bytes are an option lookup (a chain of dynamic casts: 1.5 % of the
    /// brain's CPU per GetRun when it was made for every read that queued a reply), so the
    /// budget starts from an upper bound the connection keeps without asking
    /// (``ConnectionContext/unsentAtMost``: what SwiftNIO held when last asked, plus every
    /// byte written since) and asks SwiftNIO only once the replies queued reach what that
    /// bound allows: at most once per read, and about once per `limit` bytes of replies
    /// written. A read of agent events (one ack at its end, no reply per frame) never asks,
    /// and every frame costs one compare.
    ///
    /// The answers are those of the exact budget: a frame is handled while nothing is queued,
    /// or while the queued replies are under `limit` minus SwiftNIO's buffered bytes. Under
    /// the bound's budget they are under the exact one too (the bound is never below the real
    /// figure); past it the exact figure decides.
    struct ReadBudget {
        /// ``ServerConfiguration/maxUnsentReplyBytes``.
        let limit: Int
        private var bytes: Int
        private var exact = false

        /// - Parameter unsentAtMost: an upper bound of SwiftNIO's buffered bytes.
        init(limit: Int, unsentAtMost: Int) {
            self.limit = limit
            // At least 1: a frame is handled while it has queued no reply yet, however full
            // the connection (agent events queue none).
            self.bytes = max(1, FlowControl.replyBudget(limit: limit, unsent: unsentAtMost))
        }

        /// Whether another frame may be handled with `queued` bytes of replies queued;
        /// `unsent` (SwiftNIO's buffered bytes, exact) is asked at most once.
        mutating func allows(queued: Int, unsent: () -> Int) -> Bool {
            if queued < bytes { return true }
            if exact { return false }
            exact = true
            bytes = FlowControl.replyBudget(limit: limit, unsent: unsent())
            return queued < bytes
        }
    }

    /// SwiftNIO's marks for a connection: unwritable (and so not read) above `limit`, writable
    /// (and read) again below half of it, so a paused connection resumes with room for a
    /// good batch instead of flapping at the mark.
    static func waterMark(limit: Int) -> ChannelOptions.Types.WriteBufferWaterMark {
        let high = max(2, limit)
        return .init(low: high / 2, high: high)
    }

    /// Whether a connection whose Watch events wait `waitingBytes` must end a stream.
    static func watchQueueOverflows(waitingBytes: Int, limit: Int) -> Bool {
        waitingBytes > limit
    }

    /// The status message ending a Watch stream whose client read too slowly.
    /// - Parameters:
    ///   - events: the stream's own events that were waiting (and are dropped).
    ///   - bytes: all the connection's waiting event bytes, which passed `limit`.
    static func watchOverflowMessage(events: Int, bytes: Int, limit: Int) -> String {
        "watch stream ended: the client read too slowly; \(events) events were waiting (\(bytes) bytes on this connection; "
            + "the limit is \(limit) bytes, --max-watch-queue-bytes); reconnect and resume from GetRun/ListRuns"
    }
}
