import BrainCore
import BrainProtocol
import BrainStore
import CBrainSystem
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

extension BrainEngine {
    /// Writes a snapshot of the state as it is now. Encoding and writing run on the snapshot
    /// thread on a copy, so ingestion goes on; `completion` runs on the event loop.
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
        execute(.pruneErrors, now: now)
        let copy = state
        let revision = copy.revision
        let waiters = NIOLoopBound(snapshotWaiters, eventLoop: eventLoop)
        snapshotWaiters.removeAll()
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        let store = snapshots
        let final = finalSnapshot
        let pool = final ? threadPool : snapshotPool
        let pacing = snapshotPacer.session()
        let loop = eventLoop
        // The copy holds everything handed to the journal by rotateJournal(): it covers every
        // segment below the new one. It is written only once the rotation succeeded.
        let rotated = rotateJournal()
        let segmentBox = NIOLoopBound(Box(0), eventLoop: eventLoop)
        let future = rotated.flatMap { segment in
            segmentBox.value.value = segment
            return pool.runIfActive(eventLoop: loop) { () throws -> Int in
                if !final { SnapshotThread.yieldToIngestion() }
                return try store.write(
                    copy, writtenAt: now, brainVersion: BrainVersion.string, journalSegment: segment,
                    afterChunk: { pacing.afterChunk(bytes: $0) }
                )
            }
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
                self.removeSnapshotLeftovers(journalBelow: segmentBox.value.value)
                self.logger.debug("snapshot written: \(bytes) bytes to \(store.path)")
                outcome = .success(SnapshotReply(writtenAt: now, bytes: UInt64(bytes), path: store.path))
            case .failure(let error):
                let message =
                    segmentBox.value.value == 0
                    ? "snapshot not taken: the journal could not be rotated: \(error)"
                    : "snapshot failed, the previous one is kept: \(error)"
                self.logger.error("\(message)")
                self.persistenceFault = message
                self.recordServerError(
                    BrainCommand.ErrorRow(
                        phase: PersistencePhase.snapshot, errorType: "SnapshotWriteError", message: message, stack: store.path
                    ))
                outcome = .failure(BrainError(.unavailable, message))
                // The rotation may have retired a generation before the write failed.
                self.threadPool.runIfActive(eventLoop: self.eventLoop) { store.removeRetiredGeneration() }.whenFailure { _ in }
            }
            for waiter in waiters.value { waiter(outcome) }
            if self.snapshotAgain || !self.snapshotWaiters.isEmpty { self.startSnapshot() }
        }
    }
}

/// A mutable cell for a value set in one future callback and read in a later one, on the loop.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// The snapshot thread's priority.
enum SnapshotThread {
    /// The lowest CPU priority for the calling thread: the snapshot then uses what ingestion
    /// leaves idle instead of taking a core from it (it takes longer instead). The idle
    /// scheduling class where there is one (nice 19 still took ~10 % of the ingest rate on
    /// 2 cores), else nice 19.
    static func yieldToIngestion() {
        #if os(Linux)
            if cbrain_run_when_idle() != 0 {
                // On Linux the nice value is per thread, and `who` 0 means the calling thread.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            }
        #endif
    }
}
