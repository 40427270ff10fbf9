import BrainProtocol

/// When snapshots are taken and what follows each one, apart from the event loop, the
/// threads and the disk: the trigger (time or changes since the last snapshot), coalescing,
/// the final snapshot of a stop, the fault a failure leaves, and what a success makes
/// redundant on disk.
///
/// One snapshot is in flight at a time. A request while one is in flight is answered by the
/// next one, not by the running one, whose copy of the state may predate the request; every
/// request that came meanwhile shares that next snapshot. ``SnapshotService`` carries the
/// decisions out (rotate the journal, encode and write, clean up). Pure and synchronous:
/// the tests drive it event by event.
struct SnapshotScheduler<Waiter> {
    /// What makes a snapshot due when something changed since the last one
    /// (``ServerConfiguration/snapshotIntervalSeconds``, ``ServerConfiguration/snapshotAfterChanges``).
    struct Trigger: Hashable, Sendable {
        /// Nanoseconds since the last snapshot; 0 = never by time.
        var intervalNanos: Int64
        /// Changes (state revisions) since the last snapshot; 0 = never by count.
        var afterChanges: UInt64

        init(intervalNanos: Int64, afterChanges: UInt64) {
            self.intervalNanos = intervalNanos
            self.afterChanges = afterChanges
        }

        init(_ configuration: ServerConfiguration) {
            self.init(intervalNanos: Int64(configuration.snapshotIntervalSeconds * 1e9), afterChanges: configuration.snapshotAfterChanges)
        }
    }

    /// A snapshot to start now.
    struct Start: Hashable, Sendable {
        /// The final snapshot of a stop. It runs at normal priority on the housekeeping
        /// thread, because an idle-class thread could wait indefinitely on a machine busy with
        /// other work, and a stop (SIGTERM) should end promptly.
        var final: Bool

        /// Whether the writing thread gives up its CPU priority to ingestion.
        var yieldsToIngestion: Bool { !final }
    }

    /// A snapshot made durable.
    struct Written: Hashable, Sendable {
        /// The revision of the state copy it holds.
        var revision: UInt64
        /// When its copy was taken.
        var writtenAt: Int64
        var bytes: Int
        var path: String
        /// The journal segment started for it: the snapshot covers every segment below.
        var journalSegment: Int
    }

    /// Where a snapshot failed.
    enum Stage: Hashable, Sendable {
        /// The journal could not be rotated (it is faulted): nothing was written.
        case journalRotation
        /// Encoding or writing failed; the previous snapshot is kept.
        case write
    }

    /// What a snapshot leaves on disk to remove once it ended.
    enum CleanUp: Hashable, Sendable {
        /// A durable snapshot: the generation it retired and the journal segments below
        /// `journalBelow`, which it covers.
        case removeLeftovers(journalBelow: Int)
        /// A failed one: the generation its rotation may have retired before the write failed.
        case removeRetiredGeneration
    }

    /// What to do once a snapshot ended.
    struct Completion {
        /// Answer these with ``result``.
        var waiters: [Waiter]
        var result: Result<SnapshotReply, BrainError>
        /// Log this and record it as a persistence error (nil on success).
        var fault: String?
        var cleanUp: CleanUp
        /// Requests came while it ran: start this one now.
        var next: Start?
    }

    /// What the scheduler is doing, for tests and status.
    enum State: Hashable, Sendable {
        case idle
        /// A snapshot is in flight and nobody asked for another.
        case writing
        /// A snapshot is in flight and requests wait for the next one.
        case writingThenAgain
    }

    let trigger: Trigger
    /// When the last durable snapshot's copy was taken (0: never).
    private(set) var lastSnapshotAt: Int64
    /// Where the interval counts from: the last snapshot, or the brain's start when that is
    /// later (a new brain, or an old snapshot), so a brain does not snapshot right after it
    /// starts: what it recovered is durable already.
    private var intervalBase: Int64
    /// The revision the last durable snapshot holds.
    private(set) var snapshotRevision: UInt64
    /// The snapshot in flight.
    private(set) var inFlight: Start?
    /// The reason of the last failure, until a snapshot succeeds.
    private(set) var fault: String?
    /// Set once the stop asked for its final snapshot: every later one is final, and time
    /// and changes no longer start any.
    private(set) var stopping = false
    /// Answered by the snapshot in flight.
    private var inFlightWaiters: [Waiter] = []
    /// Answered by the next one.
    private var queuedWaiters: [Waiter] = []

    init(trigger: Trigger, lastSnapshotAt: Int64, revision: UInt64, startedAt: Int64 = 0) {
        self.trigger = trigger
        self.lastSnapshotAt = lastSnapshotAt
        self.intervalBase = max(lastSnapshotAt, startedAt)
        self.snapshotRevision = revision
    }

    var state: State {
        guard inFlight != nil else { return .idle }
        return queuedWaiters.isEmpty ? .writing : .writingThenAgain
    }

    /// The loop's periodic tick: starts a snapshot when something changed and the interval
    /// passed or enough changes gathered, unless one is in flight.
    /// - Parameter revision: the state's revision now.
    mutating func tick(now: Int64, revision: UInt64) -> Start? {
        guard inFlight == nil, !stopping else { return nil }
        let changes = revision &- snapshotRevision
        guard changes > 0 else { return nil }
        let intervalDue = trigger.intervalNanos > 0 && now - intervalBase >= trigger.intervalNanos
        let countDue = trigger.afterChanges > 0 && changes >= trigger.afterChanges
        guard intervalDue || countDue else { return nil }
        return start()
    }

    /// Someone asked for a snapshot of the state as it is now (the Snapshot RPC).
    /// - Returns: the snapshot to start, or `nil` when `waiter` waits for the next one.
    mutating func requested(by waiter: Waiter) -> Start? {
        queuedWaiters.append(waiter)
        return inFlight == nil ? start() : nil
    }

    /// The brain stops: a final snapshot after everything acknowledged.
    mutating func stopRequested(by waiter: Waiter) -> Start? {
        stopping = true
        return requested(by: waiter)
    }

    /// The snapshot in flight is durable.
    mutating func succeeded(_ written: Written) -> Completion {
        lastSnapshotAt = written.writtenAt
        intervalBase = written.writtenAt
        snapshotRevision = written.revision
        fault = nil
        let reply = SnapshotReply(writtenAt: written.writtenAt, bytes: UInt64(written.bytes), path: written.path)
        return complete(.success(reply), fault: nil, cleanUp: .removeLeftovers(journalBelow: written.journalSegment))
    }

    /// The snapshot in flight failed at `stage`; the previous one stays the latest.
    mutating func failed(at stage: Stage, error: String) -> Completion {
        let message =
            switch stage {
            case .journalRotation: "snapshot not taken: the journal could not be rotated: \(error)"
            case .write: "snapshot failed, the previous one is kept: \(error)"
            }
        fault = message
        return complete(.failure(BrainError(.unavailable, message)), fault: message, cleanUp: .removeRetiredGeneration)
    }

    private mutating func start() -> Start {
        let start = Start(final: stopping)
        inFlight = start
        inFlightWaiters = queuedWaiters
        queuedWaiters = []
        return start
    }

    private mutating func complete(_ result: Result<SnapshotReply, BrainError>, fault: String?, cleanUp: CleanUp) -> Completion {
        let waiters = inFlightWaiters
        inFlightWaiters = []
        inFlight = nil
        // A failure is tried again only for those who asked since, not in a loop: a tick
        // tries again once something changes and the rule says so.
        let next = queuedWaiters.isEmpty ? nil : start()
        return Completion(waiters: waiters, result: result, fault: fault, cleanUp: cleanUp, next: next)
    }
}
