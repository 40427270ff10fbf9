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
/// A dispatcher: a frame becomes a command, the command is applied to the state, its record
/// goes to the journal and its reply to the connection. The protocols around that are small
/// state machines of their own, each tested alone: ``ConnectionStateMachine`` (hello, closing,
/// reading paused), ``JournalCommitter`` (group commit and acks), ``SnapshotScheduler`` with
/// ``SnapshotService`` (when snapshots are taken, and what follows them) and ``WatchHub``
/// (Watch streams). Handlers call in synchronously; journal writes and snapshots leave the
/// loop (see the Design article).
final class BrainEngine {
    let configuration: ServerConfiguration
    let eventLoop: any EventLoop
    let secret: SecretKey
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
    /// Every open Watch stream, and the fan-out of changes to them.
    var watches: WatchHub

    /// When snapshots are taken (``snapshotService`` takes them).
    var snapshotScheduler: SnapshotService.Snapshots
    let snapshotService: SnapshotService

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
    /// The event loop's memo of the redactor's key verdicts, for the task-event checks the
    /// loop makes itself (``TaskCheckWorker`` keeps its own).
    var keyVerdicts = KeyVerdicts()

    /// The recent ingest rate, and when a burst ended (memory is released then).
    var ingestMeter: IngestMeter

    /// When retention was last looked at (0: not yet), so sweeps are at most one per
    /// ``ServerConfiguration/retentionSweepIntervalNs``.
    var retentionCheckedAt: Int64 = 0
    /// The last sweep that removed anything, for the status (`nil`: none since the start).
    var lastRetentionSweep: RetentionReport?
    /// A next-run recompute batch is queued on the loop (see BrainEngine+Schedules.swift), so
    /// no second chain of batches is started.
    var scheduleRecomputeQueued = false
    /// Checks large reads' task events for secrets on a second thread
    /// (``ServerConfiguration/taskCheckThread``); `nil` when off.
    let taskCheckWorker: TaskCheckWorker?

    init(
        configuration: ServerConfiguration, eventLoop: any EventLoop, secret: SecretKey, state: BrainState,
        lastSnapshotAt: Int64, journal: Journal, journalPool: NIOThreadPool, recorder: StreamRecorder?, threadPool: NIOThreadPool,
        snapshotPool: NIOThreadPool, logger: Logger, now: Int64, taskCheckWorker: TaskCheckWorker? = nil
    ) {
        self.taskCheckWorker = taskCheckWorker
        self.journal = journal
        self.journalPool = journalPool
        self.journalSegment = journal.segment
        self.journalBytes = journal.totalBytes
        self.recorder = recorder
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.secret = secret
        self.snapshotService = SnapshotService(
            configuration: configuration, eventLoop: eventLoop, snapshotPool: snapshotPool, housekeepingPool: threadPool, journal: journal,
            journalPool: journalPool
        )
        self.snapshotScheduler = SnapshotService.Snapshots(
            trigger: .init(configuration), lastSnapshotAt: lastSnapshotAt, revision: state.revision, startedAt: now
        )
        self.watches = WatchHub(limits: .init(configuration))
        self.logger = logger
        self.startedAt = now
        self.state = state
        self.ingestMeter = IngestMeter(events: state.eventsHandled)
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
        _ = watches.removeAll(on: context.id)
        if case .disconnect(let agentID) = context.stateMachine.channelClosed() {
            execute(.disconnected(agentID: agentID), now: WallClock.now())
        }
        updateChangeCollection()
    }

    /// Stops handling every connection at once (nothing more is applied or acknowledged) and closes them.
    func closeAll() {
        for context in connections.values {
            context.stateMachine.stopping()
            context.channel.close(promise: nil)
        }
    }

    // MARK: Frames

    /// Handles one decoded frame body from `context`.
    /// - Parameter now: the read's time (one clock reading per read, not per frame).
    /// - Parameter checked: the identity of the redactor under which ``TaskCheckWorker`` found
    ///   the frame's task event unchanged, if it did (the caller holds that redactor).
    func received(frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64, unchangedUnder checked: ObjectIdentifier? = nil) {
        guard context.stateMachine.frameReceived() else { return }
        // The hot paths first, with no closures in between: a connection's task events before
        // its steps once it has sent one (each reader gives up on the other's frames early,
        // but not for free).
        let tasksFirst = context.publishesTaskEvents
        if tasksFirst, publishTaskEvent(frame: frame, from: context, now: now, unchangedUnder: checked) { return }
        if let parsed = StepFrameParser.parse(frame) {
            publishStep(parsed.step, callID: parsed.callID, eventSeq: parsed.eventSeq, frame: frame, from: context, now: now)
            return
        }
        if !tasksFirst, publishTaskEvent(frame: frame, from: context, now: now, unchangedUnder: checked) { return }
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
        if let agentID = context.stateMachine.readBatchEnded() {
            execute(.signOfLife(agentID: agentID), now: WallClock.now())
        }
        if context.pendingAck != nil {
            // Acks wait for the journal: one flush for every connection read in this loop turn.
            awaitDurability(of: context)
            scheduleJournalFlush()
        }
        publishChanges()
        context.flush()
    }

    /// A fatal problem with a connection: reply with the error, then close it. Other
    /// connections are untouched.
    func fail(_ context: ConnectionContext, _ error: BrainError, callID: UInt64) {
        guard context.stateMachine.failed() else { return }
        logger.info("closing connection \(context.id): \(error)")
        recordServerError(
            BrainCommand.ErrorRow(
                phase: PersistencePhase.handler, agentName: context.agentID.flatMap { state.agents[$0]?.name } ?? "",
                errorType: "ProtocolError", message: error.message, stack: "connection \(context.id)"
            ))
        context.append(.failure(callID, error))
        // After the replies of earlier calls, held ones included.
        context.closeAfterReplies()
    }

    // MARK: Time

    /// Periodic: liveness, run timeouts, rate samples, and the snapshot schedule.
    func tick() {
        let now = WallClock.now()
        noteReadersOfPausedConnections(now: now)
        let due = reading { $0.dueTimeouts(now: now) }
        if !due.isEmpty { execute(.timeouts(due), now: now) }
        markLostTasks(now: now)
        timeOutCommands(now: now)
        sweepRetentionIfDue(now: now)
        recomputeNextRunsIfPending()
        if journalFault != nil || !journalBuffer.isEmpty { scheduleJournalFlush() }
        if case .interval = configuration.fsyncPolicy { syncJournalIfDue() }
        publishChanges()
        let busy = snapshotScheduler.inFlight != nil || journalWritesInFlight > 0
        if ingestMeter.tick(now: now, events: state.eventsHandled, busy: busy) { releaseIdleMemory() }
        snapshotIfDue(now: now)
    }

    /// Once ingestion pauses (``IngestMeter``), gives back what the burst left free: the spare
    /// journal chunk, the journal buffer's grown capacity, the journal's direct-I/O staging
    /// buffer, and free heap pages (read buffers, snapshot buffers).
    func releaseIdleMemory() {
        journalSpare = []
        journalBuffer.releaseCapacity()
        let journal = self.journal
        // On the journal thread, which owns the journal's staging buffer; the trim after it.
        journalPool.runIfActive(eventLoop: eventLoop) {
            journal.releaseIdleMemory()
            _ = cbrain_release_free_heap(0)
        }.whenFailure { _ in }
    }

    /// What keeps data from being made durable now, for the status: the journal's fault
    /// first (acks wait for it), else a failed snapshot's, each until its next write works.
    var persistenceFault: String { journalFault ?? snapshotScheduler.fault ?? "" }

    /// Answers `body` from the state where it is, not from a copy.
    ///
    /// A `BrainState` method called on the stored ``state`` runs on a copy of the whole
    /// struct: the compiler cannot prove the call leaves the property alone, so it copies,
    /// which retains and releases every table the state holds (dozens since tasks, schedules,
    /// commands and projects joined it: about 1 % of a GetRun's CPU). Through an inout access,
    /// exclusive for the call, the method reads the state in place. `body` must reach the
    /// state through its argument only: any other use of ``state`` while it runs is an
    /// exclusivity violation.
    @inline(__always)
    func reading<Answer>(_ body: (inout BrainState) -> Answer) -> Answer {
        body(&state)
    }

    /// Records a persistence error found by the server itself, and journals it.
    func recordServerError(_ row: BrainCommand.ErrorRow) {
        execute(.recordError(row), now: WallClock.now())
    }
}
