import BrainCore
import BrainProtocol
import BrainStore
import NIOCore
import NIOPosix

/// Carries out ``SnapshotScheduler``'s decisions off the event loop: encodes and writes a
/// copy of the state on the snapshot thread, paced while agents stream, and deletes what a
/// durable snapshot made redundant on the housekeeping thread. It decides nothing itself.
struct SnapshotService {
    /// The scheduler as the engine uses it: its waiters are the Snapshot RPC's replies.
    typealias Snapshots = SnapshotScheduler<(Result<SnapshotReply, BrainError>) -> Void>

    /// Why a snapshot failed, and at which stage (the scheduler words the fault from it).
    struct Failure: Error {
        var stage: Snapshots.Stage
        var error: String
    }

    let store: SnapshotStore
    let eventLoop: any EventLoop
    /// Encodes and writes snapshots at idle priority (see ``SnapshotThread``); nothing else
    /// runs there, as nothing else should wait for a CPU that ingestion leaves idle.
    let snapshotPool: NIOThreadPool
    /// Blocking housekeeping at normal priority: deleting old snapshots and journal segments,
    /// and the final snapshot of a stop.
    let housekeepingPool: NIOThreadPool
    /// Caps a snapshot's write rate while agents stream.
    let pacer: SnapshotPacer
    let journal: Journal
    /// The journal's own thread: it alone updates the journal's byte count.
    let journalPool: NIOThreadPool

    init(
        configuration: ServerConfiguration, eventLoop: any EventLoop, snapshotPool: NIOThreadPool, housekeepingPool: NIOThreadPool,
        journal: Journal, journalPool: NIOThreadPool
    ) {
        var store = SnapshotStore(directory: configuration.dataDirectory)
        store.kept = configuration.snapshotsKept
        store.directIO = configuration.directIO
        store.files = configuration.fileCalls
        self.store = store
        self.eventLoop = eventLoop
        self.snapshotPool = snapshotPool
        self.housekeepingPool = housekeepingPool
        self.pacer = SnapshotPacer(bytesPerSecond: configuration.snapshotRateWhileIngesting)
        self.journal = journal
        self.journalPool = journalPool
    }

    /// Writes `copy` once `rotation` gave the journal segment started for it (the copy covers
    /// every segment below), at idle priority unless `start` is the final one.
    /// - Returns: the snapshot written, or a failed future holding a ``Failure``.
    func write(_ copy: BrainState, writtenAt: Int64, after rotation: EventLoopFuture<Int>, start: Snapshots.Start) -> EventLoopFuture<Snapshots.Written> {
        let store = self.store
        let pool = start.final ? housekeepingPool : snapshotPool
        let yields = start.yieldsToIngestion
        let pacing = pacer.session()
        let loop = eventLoop
        let revision = copy.revision
        return rotation.flatMapErrorThrowing { error in
            throw Failure(stage: .journalRotation, error: "\(error)")
        }.flatMap { segment in
            pool.runIfActive(eventLoop: loop) { () throws -> Snapshots.Written in
                if yields { SnapshotThread.yieldToIngestion() }
                let bytes = try store.write(
                    copy, writtenAt: writtenAt, brainVersion: BrainVersion.string, journalSegment: segment,
                    afterChunk: { pacing.afterChunk(bytes: $0) }
                )
                return .init(revision: revision, writtenAt: writtenAt, bytes: bytes, path: store.path, journalSegment: segment)
            }.flatMapErrorThrowing { error in
                throw (error as? Failure) ?? Failure(stage: .write, error: "\(error)")
            }
        }
    }

    /// Performs a finished snapshot's clean-up.
    /// - Returns: the journal's size once covered segments are gone (nil: none were looked for).
    func perform(_ cleanUp: Snapshots.CleanUp) -> EventLoopFuture<Int>? {
        switch cleanUp {
        case .removeLeftovers(let segment):
            return removeLeftovers(journalBelow: segment)
        case .removeRetiredGeneration:
            let store = self.store
            housekeepingPool.runIfActive(eventLoop: eventLoop) { store.removeRetiredGeneration() }.whenFailure { _ in }
            return nil
        }
    }

    /// Deletes the generation a durable snapshot retired and the journal segments it covers,
    /// on the housekeeping thread: at normal priority, so the deletions (which every fsync on
    /// the file system waits for) end quickly, and off the journal thread, so the acks never
    /// wait for them directly.
    private func removeLeftovers(journalBelow segment: Int) -> EventLoopFuture<Int> {
        let journal = self.journal
        let directory = journal.directory
        let files = journal.files
        let journalPool = self.journalPool
        let loop = eventLoop
        let store = self.store
        return housekeepingPool.runIfActive(eventLoop: eventLoop) {
            store.removeRetiredGeneration()
            return Journal.deleteSegments(in: directory, below: segment, files: files)
        }.flatMap { removed in
            journalPool.runIfActive(eventLoop: loop) { () -> Int in
                journal.forgetRemovedSegments(bytes: removed)
                return journal.totalBytes
            }
        }
    }
}
