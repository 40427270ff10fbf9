import BrainCore
import BrainFraming
import BrainProtocol
import BrainStore
import CBrainSystem
import Logging
import NIOCore
import NIOPosix

/// The brain's heart on the server side: owns the ``BrainState`` and every connection,
/// all on one event loop, so the state is changed by one thread with no locks.
///
/// Handlers call in synchronously; only snapshot encoding leaves the loop, working on a
/// copy of the state (copy-on-write makes that cheap and consistent).
final class BrainEngine {
    let configuration: ServerConfiguration
    let eventLoop: any EventLoop
    let secret: SecretKey
    let snapshots: SnapshotStore
    /// Blocking housekeeping at normal priority: deleting old snapshots and journal segments.
    let threadPool: NIOThreadPool
    /// Encodes and writes snapshots at idle priority (see ``SnapshotThread``); nothing else
    /// runs there, as nothing else should wait for a CPU that ingestion leaves idle.
    let snapshotPool: NIOThreadPool
    /// Caps a snapshot's write rate while agents stream.
    let snapshotPacer: SnapshotPacer
    let logger: Logger
    /// Every input is written here before its ack is sent; used only on `journalPool`.
    let journal: Journal
    /// The journal's own thread: writes and fsyncs happen there, never on the event loop.
    let journalPool: NIOThreadPool
    let startedAt: Int64

    var state: BrainState
    /// Reused memory for unpacking frames (the loop decodes one frame at a time).
    let scratch = DecodeScratch()
    var connections: [Int: ConnectionContext] = [:]
    private var nextConnectionID = 0
    /// Number of open Watch streams, over all connections.
    var watchCount = 0

    // Snapshot book-keeping.
    var lastSnapshotAt: Int64 = 0
    var snapshotRevision: UInt64 = 0
    var snapshotInFlight = false
    var snapshotWaiters: [(Result<SnapshotReply, BrainError>) -> Void] = []
    var snapshotAgain = false
    /// Set for the final snapshot at shutdown: it runs at normal priority, because an idle-
    /// class thread could wait indefinitely on a machine busy with other work, and a stop
    /// (SIGTERM) should end promptly.
    var finalSnapshot = false
    var persistenceFault = ""

    // Journal group commit (see BrainEngine+Journal.swift).
    var journalBuffer = JournalBuffer()
    /// The storage of the last written chunk, reused for the next batch.
    var journalSpare: [UInt8] = []
    /// When buffered records go to the journal and when acks go out; it keeps the records of
    /// failed writes for the retry.
    var journalCommitter = JournalCommitter<JournalAck>()
    /// Connections whose acks wait for the next write.
    var awaitingDurability: [ConnectionContext] = []
    /// The segment new records go to, as the loop knows it.
    var journalSegment: Int
    var journalBytes: Int
    /// `--record`: frames waiting to be written by the journal thread.
    let recorder: StreamRecorder?
    var recordBuffer: [UInt8] = []

    /// Events handled as of the last tick and as of the last memory release (idle detection).
    var eventsAtLastTick: UInt64 = 0
    var eventsAtMemoryRelease: UInt64 = 0

    // Events-per-second samples: (time, events handled).
    var rateSamples: [(Int64, UInt64)] = []

    init(
        configuration: ServerConfiguration, eventLoop: any EventLoop, secret: SecretKey, state: BrainState,
        lastSnapshotAt: Int64, journal: Journal, journalPool: NIOThreadPool, recorder: StreamRecorder?, threadPool: NIOThreadPool,
        snapshotPool: NIOThreadPool, logger: Logger, now: Int64
    ) {
        self.journal = journal
        self.journalPool = journalPool
        self.journalSegment = journal.segment
        self.journalBytes = journal.totalBytes
        self.recorder = recorder
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.secret = secret
        var snapshots = SnapshotStore(directory: configuration.dataDirectory)
        snapshots.kept = configuration.snapshotsKept
        snapshots.directIO = configuration.directIO
        snapshots.files = configuration.fileCalls
        self.snapshots = snapshots
        self.threadPool = threadPool
        self.snapshotPool = snapshotPool
        self.snapshotPacer = SnapshotPacer(bytesPerSecond: configuration.snapshotRateWhileIngesting)
        self.logger = logger
        self.startedAt = now
        self.state = state
        self.lastSnapshotAt = lastSnapshotAt
        self.snapshotRevision = state.revision
        // Replayed events are not a burst to give memory back after: what recovery freed is
        // resident and is where the next steps go, without page faults.
        self.eventsAtLastTick = state.eventsHandled
        self.eventsAtMemoryRelease = state.eventsHandled
    }

    // MARK: Connections

    /// Registers a new connection, or returns `nil` when the limit is reached.
    func open(channel: any Channel) -> ConnectionContext? {
        eventLoop.preconditionInEventLoop()
        guard connections.count < configuration.maxConnections else { return nil }
        nextConnectionID += 1
        let context = ConnectionContext(id: nextConnectionID, channel: channel)
        connections[context.id] = context
        return context
    }

    func close(_ context: ConnectionContext) {
        guard connections.removeValue(forKey: context.id) != nil else { return }
        watchCount -= context.watches.count
        context.watches.removeAll()
        if let agentID = context.agentID {
            execute(.disconnected(agentID: agentID), now: WallClock.now())
        }
        updateChangeCollection()
    }

    // MARK: Frames

    /// Handles one decoded frame body from `context`.
    /// - Parameter now: the read's time (one clock reading per read, not per frame).
    func received(frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64) {
        guard !context.closing else { return }
        context.heardFrom = true
        // The hot path first, with no closures in between.
        if let parsed = StepFrameParser.parse(frame) {
            publishStep(parsed.step, callID: parsed.callID, eventSeq: parsed.eventSeq, frame: frame, from: context, now: now)
            return
        }
        do {
            try WireCodec.withUnpackedRequest(
                frame, scratch: scratch,
                step: { callID, eventSeq, view in publishStep(view, callID: callID, eventSeq: eventSeq, frame: frame, from: context, now: now) },
                other: { request in handle(request, frame: frame, from: context) }
            )
        } catch {
            fail(context, BrainError(.invalidArgument, "\(error.message); the connection is closed"), callID: 0)
        }
    }

    /// Ends a read batch: acknowledge, tell watchers, write.
    func readComplete(_ context: ConnectionContext) {
        if context.heardFrom, let agentID = context.agentID {
            execute(.signOfLife(agentID: agentID), now: WallClock.now())
        }
        context.heardFrom = false
        if context.pendingAck != nil {
            // Acks wait for the journal: one flush for every connection read in this loop turn.
            if !context.awaitingDurability {
                context.awaitingDurability = true
                awaitingDurability.append(context)
            }
            scheduleJournalFlush()
        }
        publishChanges()
        context.flush()
    }

    /// A fatal problem with a connection: reply with the error, then close it. Other
    /// connections are untouched.
    func fail(_ context: ConnectionContext, _ error: BrainError, callID: UInt64) {
        guard !context.closing else { return }
        context.closing = true
        logger.info("closing connection \(context.id): \(error)")
        recordServerError(
            BrainCommand.ErrorRow(
                phase: PersistencePhase.handler, agentName: context.agentID.flatMap { state.agents[$0]?.name } ?? "",
                errorType: "ProtocolError", message: error.message, stack: "connection \(context.id)"
            ))
        context.append(.failure(callID, error))
        let bytes = context.output
        context.output.clear()
        let channel = context.channel
        channel.writeAndFlush(bytes).whenComplete { _ in ConnectionClosing.closeAfterReply(channel) }
    }

    // MARK: Time

    /// Periodic: liveness, run timeouts, rate samples, and the snapshot schedule.
    func tick() {
        let now = WallClock.now()
        noteReadersOfPausedConnections(now: now)
        let due = state.dueTimeouts(now: now)
        if !due.isEmpty { execute(.timeouts(due), now: now) }
        markLostTasks(now: now)
        if journalFault != nil || !journalBuffer.isEmpty { scheduleJournalFlush() }
        if case .interval = configuration.fsyncPolicy { syncJournalIfDue() }
        publishChanges()
        rateSamples.append((now, state.eventsHandled))
        let horizon = now - 5_000_000_000
        if let firstKept = rateSamples.firstIndex(where: { $0.0 >= horizon }), firstKept > 1 {
            rateSamples.removeFirst(firstKept - 1)
        }
        releaseMemoryWhenIdle()
        let changes = state.revision &- snapshotRevision
        let intervalDue =
            configuration.snapshotIntervalSeconds > 0
            && Double(now - lastSnapshotAt) >= configuration.snapshotIntervalSeconds * 1e9
        let countDue = configuration.snapshotAfterChanges > 0 && changes >= configuration.snapshotAfterChanges
        if changes > 0, intervalDue || countDue, !snapshotInFlight {
            snapshot { _ in }
        }
    }

    /// Once ingestion pauses (a tick with no events after some), gives back what the burst
    /// left free: the spare journal chunk, the journal buffer's grown capacity, the journal's
    /// direct-I/O staging buffer, and free heap pages (read buffers, snapshot buffers). Under load nothing is released, so buffers
    /// are reused rather than allocated and faulted in again.
    func releaseMemoryWhenIdle() {
        let events = state.eventsHandled
        defer { eventsAtLastTick = events }
        guard events == eventsAtLastTick, events != eventsAtMemoryRelease, !snapshotInFlight, journalWritesInFlight == 0 else {
            return
        }
        eventsAtMemoryRelease = events
        journalSpare = []
        journalBuffer.releaseCapacity()
        let journal = self.journal
        // On the journal thread, which owns the journal's staging buffer; the trim after it.
        journalPool.runIfActive(eventLoop: eventLoop) {
            journal.releaseIdleMemory()
            _ = cbrain_release_free_heap(0)
        }.whenFailure { _ in }
    }

    /// Records a persistence error found by the server itself, and journals it.
    func recordServerError(_ row: BrainCommand.ErrorRow) {
        execute(.recordError(row), now: WallClock.now())
    }

    var eventsPerSecond: Double {
        guard let first = rateSamples.first, let last = rateSamples.last, last.0 > first.0 else { return 0 }
        return Double(last.1 - first.1) / (Double(last.0 - first.0) / 1e9)
    }
}
