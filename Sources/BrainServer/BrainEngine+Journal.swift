import BrainCore
import BrainProtocol
import BrainFraming
import BrainStore
import Logging
import NIOCore
import NIOPosix

/// Group commit: records gather in ``BrainEngine/journalBuffer`` while the loop reads;
/// at the end of a loop turn the buffer goes to the journal thread in one write (and one
/// fsync under `--fsync batch`), and only when that completes are the acks sent. One write
/// is in flight at a time, so under load the batches grow and the disk sees fewer, larger
/// writes, while the loop keeps reading and applying.
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

    func scheduleJournalFlush() {
        guard !journalFlushScheduled else { return }
        journalFlushScheduled = true
        // Runs after every channel of this loop turn has been read.
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { engine.value.flushJournal() }
    }

    /// Hands the buffer to the journal thread unless a write is already in flight (its
    /// completion starts the next one).
    func flushJournal() {
        journalFlushScheduled = false
        guard journalWritesInFlight == 0 else {
            journalFlushWanted = true
            return
        }
        journalFlushWanted = false
        submitJournalWrite()
    }

    /// Submits everything buffered, with the acks it covers. Writes run in submission
    /// order on the journal thread.
    @discardableResult
    func submitJournalWrite() -> EventLoopFuture<Void> {
        let retry = !journalRetry.isEmpty
        var chunk = journalBuffer.take(reusing: &journalSpare)
        if retry {
            chunk.insert(contentsOf: journalRetry, at: 0)
            journalRetry = []
        }
        var waiting: [(ConnectionContext, UInt64)] = []
        for context in awaitingDurability {
            context.awaitingDurability = false
            if let seq = context.pendingAck {
                context.pendingAck = nil
                waiting.append((context, seq))
            }
        }
        awaitingDurability.removeAll(keepingCapacity: true)
        let recording = recordBuffer
        recordBuffer = []
        if chunk.isEmpty && waiting.isEmpty && recording.isEmpty {
            journalSpare = chunk
            return eventLoop.makeSucceededVoidFuture()
        }

        journalWritesInFlight += 1
        let journal = self.journal
        let now = WallClock.now()
        if !chunk.isEmpty { snapshotPacer.noteIngestion(now: now) }
        let handoff = ChunkHandoff(consume chunk)
        let recorder = self.recorder
        let written = journalPool.runIfActive(eventLoop: eventLoop) { () throws -> Int in
            if let recorder, !recording.isEmpty { try? recorder.write(recording) }
            // Checksums here, not on the loop: the journal thread has time to spare.
            JournalBuffer.fillChecksums(&handoff.bytes)
            try journal.write(handoff.bytes, now: now, retry: retry)
            return journal.totalBytes
        }
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        let acks = NIOLoopBound(waiting, eventLoop: eventLoop)
        return written.map { totalBytes in
            engine.value.journalSpare = handoff.take()
            engine.value.journalWritten(totalBytes: totalBytes, acks: acks.value)
        }.flatMapErrorThrowing { error in
            engine.value.journalFailed(error, chunk: handoff.take(), acks: acks.value)
            throw error
        }
    }

    private func journalWritten(totalBytes: Int, acks: [(ConnectionContext, UInt64)]) {
        journalWritesInFlight -= 1
        journalBytes = totalBytes
        if journalFault != nil {
            logger.notice("journal writes work again")
            journalFault = nil
            if persistenceFault.hasPrefix("journal") { persistenceFault = "" }
        }
        for (context, seq) in acks where !context.closing {
            WireCodec.writeAckFrame(ackedSeq: seq, into: &context.output)
            context.flush()
        }
        if journalFlushWanted { flushJournal() }
    }

    private func journalFailed(_ error: any Error, chunk: [UInt8], acks: [(ConnectionContext, UInt64)]) {
        journalWritesInFlight -= 1
        // Kept in order and written before anything newer once the disk works again.
        journalRetry.append(contentsOf: chunk)
        let problem = (error as? StoreError).map { "\($0.problem) (\($0.path))" } ?? "\(error)"
        let reason = "journal write failed: \(problem); events are kept in memory and acknowledged once writing works again"
        if journalFault != reason {
            logger.error("\(reason)")
            journalFault = reason
            persistenceFault = reason
        }
        for (context, seq) in acks where !context.closing {
            context.pendingAck = max(context.pendingAck ?? 0, seq)
            if !context.awaitingDurability {
                context.awaitingDurability = true
                awaitingDurability.append(context)
            }
            context.append(.failure(0, BrainError(.unavailable, reason)))
            context.flush()
        }
        // Retried at the next tick, not at once: a full disk rarely heals in microseconds.
    }

    /// Writes everything buffered, then starts a new segment; the future gives its number.
    func rotateJournal() -> EventLoopFuture<Int> {
        let flushed = submitJournalWrite()
        journalSegment += 1
        let next = journalSegment
        let journal = self.journal
        let now = WallClock.now()
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        let pool = journalPool
        let loop = eventLoop
        // Chained after the write: a failed write must not be followed by a rotation.
        return flushed.flatMap {
            pool.runIfActive(eventLoop: loop) { () throws -> Int in
                try journal.rotate(to: next, now: now)
                return next
            }
        }.flatMapErrorThrowing { error in
            engine.value.journalSegment -= 1
            throw error
        }
    }

    /// `--fsync interval`: written records are fsynced within the interval even when no
    /// more writes come to carry the fsync.
    func syncJournalIfDue() {
        guard journalWritesInFlight == 0, journalFault == nil else { return }
        let journal = self.journal
        let now = WallClock.now()
        journalPool.runIfActive(eventLoop: eventLoop) { () throws -> Void in
            try journal.write([], now: now)
        }.whenFailure { _ in }
    }

    /// Deletes what a durable snapshot made redundant, the generation it retired and the
    /// journal segments it covers, on the housekeeping thread: at normal priority, so the
    /// deletions (which every fsync on the file system waits for) end quickly, and off the
    /// journal thread, so the acks never wait for them directly.
    func removeSnapshotLeftovers(journalBelow segment: Int) {
        let journal = self.journal
        let directory = journal.directory
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        let pool = journalPool
        let loop = eventLoop
        let snapshotStore = snapshots
        threadPool.runIfActive(eventLoop: eventLoop) {
            snapshotStore.removeRetiredGeneration()
            return Journal.deleteSegments(in: directory, below: segment)
        }.flatMap { removed in
            pool.runIfActive(eventLoop: loop) { () -> Int in
                journal.forgetRemovedSegments(bytes: removed)
                return journal.totalBytes
            }
        }.whenSuccess { engine.value.journalBytes = $0 }
    }
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
