/// Group commit's decisions, apart from the event loop, the journal thread and the sockets:
/// when buffered journal records are handed to the journal, and when the acks that wait for
/// them may be sent.
///
/// The rule it keeps is the brain's durability promise: an ack leaves only through
/// ``writeSucceeded(take:)``, that is once the journal reported the write that holds its
/// records done (written and, under `--fsync batch`, fsynced). The server's acks carry the
/// replies to calls that changed the state too (``HeldReplies``), so those keep the same
/// promise by the same road. A failed write hands its
/// acks back to be answered UNAVAILABLE and keeps its records, in order, to be written again
/// before anything newer.
///
/// One write is in flight at a time (a rotation may add a second, queued behind it on the
/// journal's one thread): records and acks arriving meanwhile wait, so under load batches
/// grow and the disk sees fewer, larger writes. The engine owns the buffered records and the
/// acks not yet handed over (so a connection read several times during one write gets one
/// ack); ``loopTurnEnded(take:)`` and the others take them through `take` only when a write
/// is actually submitted. Pure and synchronous: the tests drive it event by event.
struct JournalCommitter<Ack> {
    /// What the committer is doing, for tests and status.
    enum State: Hashable, Sendable {
        /// Nothing in flight, nothing failed.
        case idle
        /// A write is in flight; nothing has come since.
        case writing
        /// A write is in flight and records or acks came since: they go when it completes.
        case writingWithMoreBuffered
        /// The last write failed: its records wait for the retry, its acks were refused.
        case faulted
    }

    /// Records on their way to the journal thread, and the acks they carry.
    struct Write {
        /// The records, those of failed writes first.
        var chunk: [UInt8]
        /// Whether the chunk starts with the records of a failed write: the journal refuses
        /// any other write while it is faulted, so that nothing overtakes them.
        var retry: Bool
        /// The acks sent once this write succeeds (``writeSucceeded(take:)`` hands them back).
        var acks: [Ack]

        /// Moves the records out, leaving none: the journal thread then owns the only
        /// reference and fills in checksums in place, without a copy.
        mutating func takeChunk() -> [UInt8] {
            var taken: [UInt8] = []
            swap(&taken, &chunk)
            return taken
        }
    }

    /// What to do when a write succeeded.
    struct Completion {
        /// Acks whose records are now durable: send them.
        var acks: [Ack]
        /// Whether this write ended a fault (the reason can be cleared).
        var recovered: Bool
        /// Records and acks that came during the write: submit them now.
        var next: Write?

        /// Moves ``next`` out, so that its chunk has one owner (see ``Write/takeChunk()``).
        mutating func takeNext() -> Write? {
            defer { next = nil }
            return next
        }
    }

    /// Why a rotation may not start now.
    struct RotationRefused: Error {
        var reason: String
    }

    /// What to do when a write failed.
    struct Fault {
        /// Why, as the UNAVAILABLE answers and the status say it.
        var reason: String
        /// The acks the failed write carried: answer them UNAVAILABLE and keep them waiting
        /// (they are acked by the retry that writes their records).
        var acks: [Ack]
        /// Whether this reason is new (log it once, not at every retry).
        var isNew: Bool
    }

    /// Writes handed to the journal and not completed yet.
    private(set) var writesInFlight = 0
    /// The reason of the last failed write, until a write succeeds.
    private(set) var fault: String?
    /// Records or acks came while a write was in flight.
    private var moreBuffered = false
    /// A flush at the end of this loop turn is already scheduled.
    private var flushScheduled = false
    /// The records of failed writes, in order.
    private var retryChunk: [UInt8] = []
    /// The acks of each write in flight, oldest first (the journal completes writes in order).
    private var inFlightAcks: [[Ack]] = []

    init() {}

    var state: State {
        if writesInFlight > 0 { return moreBuffered ? .writingWithMoreBuffered : .writing }
        return fault == nil ? .idle : .faulted
    }

    /// Records were buffered or an ack began to wait (or a tick found a fault to retry).
    /// - Returns: true when the engine must schedule ``loopTurnEnded(take:)`` after every
    ///   channel of this loop turn was read (once per turn, however many records).
    mutating func flushWanted() -> Bool {
        guard !flushScheduled else { return false }
        flushScheduled = true
        return true
    }

    /// The loop turn's reads are done. Submits what is buffered unless a write is in flight.
    /// - Parameter take: hands over the buffered records and the waiting acks, or `nil` when
    ///   there are none; called only when a write is submitted.
    /// - Returns: the write to submit, or `nil`.
    mutating func loopTurnEnded(take: () -> (chunk: [UInt8], acks: [Ack])?) -> Write? {
        flushScheduled = false
        guard writesInFlight == 0 else {
            moreBuffered = true
            return nil
        }
        moreBuffered = false
        return submit(take())
    }

    /// A snapshot is about to rotate the journal: everything buffered is submitted at once,
    /// even while a write is in flight (the journal runs writes in order), because the
    /// rotation must follow every record the snapshot's copy of the state holds. The engine
    /// queues the rotation on the journal's thread right behind the write returned (or at
    /// once, when it is `nil`: nothing was buffered), before anything else.
    /// - Throws: ``RotationRefused`` while a failed write's records wait: a retry submitted
    ///   now could overtake a write still in flight that is about to fail too, and records
    ///   would reach the journal out of order. (The journal refuses to rotate while faulted
    ///   anyway; the snapshot is tried again later.)
    mutating func rotationStarts(take: () -> (chunk: [UInt8], acks: [Ack])?) throws(RotationRefused) -> Write? {
        if let fault { throw RotationRefused(reason: fault) }
        moreBuffered = false
        return submit(take())
    }

    /// The oldest write in flight is durable.
    /// - Parameter take: as for ``loopTurnEnded(take:)``, for what came during the write.
    mutating func writeSucceeded(take: () -> (chunk: [UInt8], acks: [Ack])?) -> Completion {
        let acks = completeOldest()
        let recovered = fault != nil
        fault = nil
        var next: Write?
        if moreBuffered, writesInFlight == 0 {
            moreBuffered = false
            next = submit(take())
        }
        return Completion(acks: acks, recovered: recovered, next: next)
    }

    /// The oldest write in flight failed; the journal cut its records off again.
    /// - Parameters:
    ///   - chunk: the records it carried, written again (first) by the next write.
    ///   - reason: why, for the refusals and the status.
    mutating func writeFailed(chunk: [UInt8], reason: String) -> Fault {
        let acks = completeOldest()
        retryChunk.append(contentsOf: chunk)
        let isNew = fault != reason
        fault = reason
        // Retried by the next loop turn that has records or by the next tick, not at once: a
        // full disk rarely heals in microseconds.
        return Fault(reason: reason, acks: acks, isNew: isNew)
    }

    private mutating func completeOldest() -> [Ack] {
        writesInFlight -= 1
        return inFlightAcks.isEmpty ? [] : inFlightAcks.removeFirst()
    }

    private mutating func submit(_ batch: consuming (chunk: [UInt8], acks: [Ack])?) -> Write? {
        // Moved out of the batch, not copied: the chunk must have one owner (see Write.takeChunk).
        var chunk: [UInt8] = []
        var acks: [Ack] = []
        if let batch = consume batch { (chunk, acks) = batch }
        let retry = !retryChunk.isEmpty
        if retry {
            chunk.insert(contentsOf: retryChunk, at: 0)
            retryChunk = []
        }
        guard !chunk.isEmpty || !acks.isEmpty else { return nil }
        writesInFlight += 1
        inFlightAcks.append(acks)
        return Write(chunk: chunk, retry: retry, acks: acks)
    }
}
