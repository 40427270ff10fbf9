import BrainCore
import BrainProtocol
import BrainStore
import Logging
import NIOCore
import NIOPosix

extension BrainEngine {
    /// Writes a snapshot of the state as it is now. Encoding and writing run on the thread
    /// pool on a copy, so ingestion goes on; `completion` runs on the event loop.
    func snapshot(_ completion: @escaping (Result<SnapshotReply, BrainError>) -> Void) {
        snapshotWaiters.append(completion)
        if snapshotInFlight {
            // The running one may predate the request: write once more when it ends.
            snapshotAgain = true
            return
        }
        startSnapshot()
    }

    private func startSnapshot() {
        snapshotInFlight = true
        snapshotAgain = false
        let now = WallClock.now()
        state.pruneErrors(now: now)
        // The snapshot covers every journal segment below the one started here.
        let segment: Int
        do {
            segment = try journal.rotate(now: now)
        } catch {
            snapshotInFlight = false
            let message = "snapshot not taken: the journal could not be rotated: \(error)"
            persistenceFault = message
            let waiters = snapshotWaiters
            snapshotWaiters.removeAll()
            recordServerError(JournalRecord.ErrorRow(phase: PersistencePhase.snapshot, errorType: "SnapshotWriteError", message: message))
            for waiter in waiters { waiter(.failure(BrainError(.unavailable, message))) }
            return
        }
        let copy = state
        let revision = copy.revision
        let waiters = NIOLoopBound(snapshotWaiters, eventLoop: eventLoop)
        snapshotWaiters.removeAll()
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        var configuredStore = snapshots
        configuredStore.kept = configuration.snapshotsKept
        let store = configuredStore
        let future = threadPool.runIfActive(eventLoop: eventLoop) { () throws -> Int in
            let bytes = try SnapshotStore.encode(copy, writtenAt: now, brainVersion: BrainVersion.string, journalSegment: segment)
            try store.write(bytes)
            return bytes.count
        }
        future.whenComplete { result in
            let `self` = engine.value
            self.snapshotInFlight = false
            let outcome: Result<SnapshotReply, BrainError>
            switch result {
            case .success(let bytes):
                self.lastSnapshotAt = now
                self.snapshotRevision = revision
                if !self.persistenceFault.hasPrefix("journal") { self.persistenceFault = "" }
                self.journal.removeSegments(below: segment)
                self.logger.debug("snapshot written: \(bytes) bytes to \(store.path)")
                outcome = .success(SnapshotReply(writtenAt: now, bytes: UInt64(bytes), path: store.path))
            case .failure(let error):
                let message = "snapshot failed, the previous one is kept: \(error)"
                self.logger.error("\(message)")
                self.persistenceFault = message
                self.recordServerError(JournalRecord.ErrorRow(
                    phase: PersistencePhase.snapshot, errorType: "SnapshotWriteError", message: message, stack: store.path
                ))
                outcome = .failure(BrainError(.unavailable, message))
            }
            for waiter in waiters.value { waiter(outcome) }
            if self.snapshotAgain || !self.snapshotWaiters.isEmpty { self.startSnapshot() }
        }
    }
}
