import BrainCore
import BrainFraming
import BrainProtocol
import BrainStore
import Logging
import NIOCore
import NIOPosix

/// Group commit: records gather in ``BrainEngine/journalBuffer`` while the loop reads;
/// at the end of a loop turn the buffer goes to the journal thread in one write (and one
/// fsync under `--fsync batch`), and only when that completes are the acks sent, with the
/// replies to calls that changed the state (``HeldReplies``). One write
/// is in flight at a time, so under load the batches grow and the disk sees fewer, larger
/// writes, while the loop keeps reading and applying. The decisions are
/// ``JournalCommitter``'s (tested on their own); this file carries them out.
extension BrainEngine {
    /// Appends a record and makes sure a write follows.
    func appendJournal(_ record: JournalRecord) {
        journalBuffer.append(record)
        scheduleJournalFlush()
    }

    /// Applies a command to the state and journals it when it changed something: the one
    /// way the server changes the state. Agent events are journalled from their frames by
    /// the publish path instead (``JournalRecord/init(_:now:)`` keeps no decoded event).
    @discardableResult
    func execute(_ command: BrainCommand, now: Int64) -> CommandOutcome {
        let outcome = state.apply(command, now: now)
        guard command.isJournalled, outcome.changedState else { return outcome }
        switch command {
        case .step, .event:
            break  // journalled from their frames by the publish path
        default:
            if let record = JournalRecord(command, now: now) { appendJournal(record) }
        }
        return outcome
    }

    /// Answers a call that ran `command`'s ``execute(_:now:)``: when the command changed the
    /// state, the reply waits until the journal holds the change, as acks do (a crash
    /// before then would lose a change its client was told succeeded), and a failed write
    /// answers UNAVAILABLE instead; else (a refusal, nothing to do) it is queued at once.
    /// Either way it leaves after every earlier reply on the connection.
    func reply(_ response: BrainResponse, to context: ConnectionContext, after outcome: CommandOutcome) {
        guard outcome.changedState else {
            context.append(response)
            return
        }
        context.hold(response)
        awaitDurability(of: context)
        scheduleJournalFlush()
    }

    /// Puts `context` (its pending ack, its held replies) in the next journal write's batch, once.
    func awaitDurability(of context: ConnectionContext) {
        guard !context.awaitingDurability else { return }
        context.awaitingDurability = true
        awaitingDurability.append(context)
    }

    /// While a write is in flight, newer records and acks wait for it (see ``JournalCommitter``).
    var journalWritesInFlight: Int { journalCommitter.writesInFlight }

    /// Set while journal writes fail: acks stop until a write succeeds.
    var journalFault: String? { journalCommitter.fault }

    func scheduleJournalFlush() {
        guard journalCommitter.flushWanted() else { return }
        // Runs after every channel of this loop turn has been read.
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { engine.value.flushJournal() }
    }

    /// Hands the buffer to the journal thread unless a write is already in flight (its
    /// completion starts the next one).
    func flushJournal() {
        if let write = journalCommitter.loopTurnEnded(take: { self.takeJournalBatch() }) {
            submitJournalWrite(consume write)
        }
    }

    /// Everything buffered and the acks waiting for it, or `nil` when there is neither.
    private func takeJournalBatch() -> (chunk: [UInt8], acks: [JournalAck])? {
        guard !journalBuffer.isEmpty || !awaitingDurability.isEmpty else { return nil }
        let chunk = journalBuffer.take(reusing: &journalSpare)
        var acks: [JournalAck] = []
        for context in awaitingDurability {
            context.awaitingDurability = false
            let seq = context.pendingAck
            context.pendingAck = nil
            let replies = context.takeHeldReplies()
            if seq != nil || replies != nil { acks.append(JournalAck(context: context, seq: seq, replies: replies)) }
        }
        awaitingDurability.removeAll(keepingCapacity: true)
        return (chunk, acks)
    }

    /// Hands a write to the journal thread. Writes run in submission order there.
    ///
    /// The write is consumed, never copied: its chunk must have one owner when the journal
    /// thread fills in the checksums, or that would copy megabytes per write.
    @discardableResult
    private func submitJournalWrite(_ write: consuming JournalCommitter<JournalAck>.Write) -> EventLoopFuture<Void> {
        let retry = write.retry
        let recording = recordBuffer
        recordBuffer = []
        let journal = self.journal
        let now = WallClock.now()
        if !write.chunk.isEmpty { snapshotService.pacer.noteIngestion(now: now) }
        let handoff = ChunkHandoff(write.takeChunk())
        let recorder = self.recorder
        let written = journalPool.runIfActive(eventLoop: eventLoop) { () throws -> Int in
            if let recorder, !recording.isEmpty { try? recorder.write(recording) }
            // Checksums here, not on the loop: the journal thread has time to spare.
            JournalBuffer.fillChecksums(&handoff.bytes)
            try journal.write(handoff.bytes, now: now, retry: retry)
            return journal.totalBytes
        }
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        return written.map { totalBytes in
            // Stored before anything may take it, and not passed along: a second reference
            // (an argument's) would make the next batch copy it into fresh memory.
            engine.value.journalSpare = handoff.take()
            engine.value.journalWritten(totalBytes: totalBytes)
        }.flatMapErrorThrowing { error in
            engine.value.journalFailed(error, chunk: handoff.take())
            throw error
        }
    }

    private func journalWritten(totalBytes: Int) {
        journalBytes = totalBytes
        var completion = journalCommitter.writeSucceeded(take: { self.takeJournalBatch() })
        if completion.recovered { logger.notice("journal writes work again") }
        for ack in completion.acks where ack.replies != nil || !ack.context.closing {
            // A closing connection gets no acks, but the replies held before its fatal error.
            ack.context.sendDurable(ackedSeq: ack.context.closing ? nil : ack.seq, replies: ack.replies, refusal: nil)
        }
        if let next = completion.takeNext() { submitJournalWrite(consume next) }
    }

    private func journalFailed(_ error: any Error, chunk: [UInt8]) {
        let problem = (error as? StoreError).map { "\($0.problem) (\($0.path))" } ?? "\(error)"
        let reason = "journal write failed: \(problem); events are kept in memory and acknowledged once writing works again"
        // Kept in order and written before anything newer once the disk works again.
        let fault = journalCommitter.writeFailed(chunk: chunk, reason: reason)
        if fault.isNew { logger.error("\(reason)") }
        for ack in fault.acks {
            let context = ack.context
            if ack.replies != nil {
                // The calls' changes are kept with the records and written by the retry, but
                // they are not durable now: their clients hear so, not a success.
                let refusal = BrainError(
                    .unavailable, "journal write failed: \(problem); the change is applied in memory but not durable: it is written once writing works again")
                context.sendDurable(ackedSeq: nil, replies: ack.replies, refusal: refusal)
            }
            guard let seq = ack.seq, !context.closing else { continue }
            context.pendingAck = max(context.pendingAck ?? 0, seq)
            awaitDurability(of: context)
            context.append(.failure(0, BrainError(.unavailable, reason)))
            context.flush()
        }
    }

    /// Writes everything buffered, then starts a new segment; the future gives its number.
    func rotateJournal() -> EventLoopFuture<Int> {
        let flushed: EventLoopFuture<Void>
        do throws(JournalCommitter<JournalAck>.RotationRefused) {
            if let write = try journalCommitter.rotationStarts(take: { self.takeJournalBatch() }) {
                flushed = submitJournalWrite(consume write)
            } else {
                flushed = eventLoop.makeSucceededVoidFuture()
            }
        } catch {
            return eventLoop.makeFailedFuture(StoreError(path: journal.path(journalSegment), problem: error.reason))
        }
        journalSegment += 1
        let next = journalSegment
        let journal = self.journal
        let now = WallClock.now()
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        // Queued now, right behind the write on the journal's one thread, not chained on the
        // write's future: that write's completion submits the records that came meanwhile,
        // which the snapshot's copy does not hold, and a rotation queued after them left them
        // in the old segment, which the snapshot's clean-up then deleted (acknowledged events
        // lost at the next crash). A failed write leaves the journal faulted, and a faulted
        // journal refuses to rotate.
        let rotated = journalPool.runIfActive(eventLoop: eventLoop) { () throws -> Int in
            try journal.rotate(to: next, now: now)
            return next
        }
        return flushed.and(rotated).map { $0.1 }.flatMapErrorThrowing { error in
            engine.value.journalSegment -= 1
            throw error
        }
    }

    /// `--fsync interval`: written records are fsynced within the interval even when no
    /// more writes come to carry the fsync.
    func syncJournalIfDue() {
        guard journalCommitter.state == .idle else { return }
        let journal = self.journal
        let now = WallClock.now()
        journalPool.runIfActive(eventLoop: eventLoop) { () throws -> Void in
            try journal.write([], now: now)
        }.whenFailure { _ in }
    }
}

/// What waits for a journal write on one connection: the seq to acknowledge, and the
/// replies held until the write completes (``HeldReplies``).
struct JournalAck {
    let context: ConnectionContext
    /// The agent's events to acknowledge, up to this seq (`nil`: none).
    let seq: UInt64?
    /// Replies to calls whose changes the write carries, and those queued behind them.
    let replies: HeldReplies?
}

/// A chunk of journal records on its way to the journal thread and back. Whoever holds the
/// handoff owns the bytes alone, so the journal thread fills in checksums in place and the
/// written chunk's storage returns to the loop for the next batch, with no copy.
final class ChunkHandoff: @unchecked Sendable {
    // @unchecked: used by one thread at a time, in order: the loop, then the journal
    // thread, then the loop again after the write's future completes.
    var bytes: [UInt8]

    init(_ bytes: consuming [UInt8]) { self.bytes = bytes }

    func take() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }
}
