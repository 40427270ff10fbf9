import BrainCore
import BrainProtocol
import BrainStore
import Logging
import NIOCore

/// Snapshots: ``SnapshotScheduler`` decides, ``SnapshotService`` writes and cleans up; this
/// file hands the one's actions to the other and does the part that needs the engine (the
/// copy of the state, the journal's rotation, the sink's error rows).
extension BrainEngine {
    /// Writes a snapshot of the state as it is now. Encoding and writing run on the snapshot
    /// thread on a copy, so ingestion goes on; `completion` runs on the event loop.
    func snapshot(_ completion: @escaping (Result<SnapshotReply, BrainError>) -> Void) {
        if let start = snapshotScheduler.requested(by: completion) { startSnapshot(start) }
    }

    /// The final snapshot of a stop, once nothing more is read: at normal priority, and no
    /// periodic one after it.
    func finalSnapshot(_ completion: @escaping (Result<SnapshotReply, BrainError>) -> Void) {
        if let start = snapshotScheduler.stopRequested(by: completion) { startSnapshot(start) }
    }

    /// The tick's part: a snapshot when the interval or change-count rule says so.
    func snapshotIfDue(now: Int64) {
        if let start = snapshotScheduler.tick(now: now, revision: state.revision) { startSnapshot(start) }
    }

    private func startSnapshot(_ start: SnapshotService.Snapshots.Start) {
        let now = WallClock.now()
        execute(.pruneErrors, now: now)
        let copy = state
        // The copy holds everything handed to the journal by rotateJournal(): it covers every
        // segment below the new one. It is written only once the rotation succeeded.
        let written = snapshotService.write(copy, writtenAt: now, after: rotateJournal(), start: start)
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        written.whenComplete { engine.value.snapshotEnded($0) }
    }

    private func snapshotEnded(_ result: Result<SnapshotService.Snapshots.Written, any Error>) {
        let path = snapshotService.store.path
        let completion: SnapshotService.Snapshots.Completion
        switch result {
        case .success(let written):
            logger.debug("snapshot written: \(written.bytes) bytes to \(written.path)")
            completion = snapshotScheduler.succeeded(written)
        case .failure(let error):
            let failure = (error as? SnapshotService.Failure) ?? SnapshotService.Failure(stage: .write, error: "\(error)")
            completion = snapshotScheduler.failed(at: failure.stage, error: failure.error)
        }
        if let fault = completion.fault {
            logger.error("\(fault)")
            recordServerError(BrainCommand.ErrorRow(phase: PersistencePhase.snapshot, errorType: "SnapshotWriteError", message: fault, stack: path))
        }
        if let journalSize = snapshotService.perform(completion.cleanUp) {
            let engine = NIOLoopBound(self, eventLoop: eventLoop)
            journalSize.whenSuccess { engine.value.journalBytes = $0 }
        }
        for waiter in completion.waiters { waiter(completion.result) }
        if let next = completion.next { startSnapshot(next) }
    }
}
