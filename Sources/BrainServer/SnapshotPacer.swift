import BrainStore
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Slows snapshot writes down while agents stream, so the journal keeps the disk.
///
/// Why: a snapshot writes hundreds of megabytes while the journal writes every acked event;
/// at 1.4M steps/s the two together asked more of this VM's disk than it has, the
/// journal's fsyncs waited, and ingestion slowed by 8-16 % over 400k-step loads (4 pairs,
/// bench-snapshot --load-steps 400000). With the snapshot capped at 256 MiB/s while the
/// journal is busy the same measurement gave 1.3 %; an idle brain (shutdown, `brainctl
/// snapshot` at rest) still writes at full speed.
final class SnapshotPacer: Sendable {
    /// Bytes per second a snapshot may write while ingestion is active; 0 = no limit.
    let bytesPerSecond: Int
    /// Ingestion counts as active for this long after the journal was last handed records.
    static let activeWindowNanos: Int64 = 50_000_000

    /// When the event loop last handed records to the journal (wall clock, ns).
    private let lastIngestion = NIOLockedValueBox<Int64>(0)

    init(bytesPerSecond: Int) {
        self.bytesPerSecond = bytesPerSecond
    }

    /// Called by the event loop with each journal write it submits.
    func noteIngestion(now: Int64) {
        lastIngestion.withLockedValue { $0 = now }
    }

    /// Whether records reached the journal within the active window before `now`.
    func ingestionIsActive(now: Int64) -> Bool {
        SnapshotPacing.ingestionActive(now: now, lastIngestion: lastIngestion.withLockedValue { $0 }, windowNanos: Self.activeWindowNanos)
    }

    /// One snapshot's pacing, used on the snapshot thread between its chunks.
    func session() -> Session { Session(pacer: self) }

    final class Session: @unchecked Sendable {
        // @unchecked: created on the event loop, then used by the snapshot thread alone.
        private let pacer: SnapshotPacer
        private var lastChunkEnd: Int64 = 0

        init(pacer: SnapshotPacer) { self.pacer = pacer }

        /// After a chunk of `bytes` was written: sleeps for what is left of the time that
        /// chunk may take at the capped rate, when ingestion is active.
        func afterChunk(bytes: Int) {
            let now = WallClock.now()
            defer { lastChunkEnd = WallClock.now() }
            guard lastChunkEnd > 0 else { return }
            let pause = SnapshotPacing.pause(
                bytes: bytes, spentNanos: now - lastChunkEnd, bytesPerSecond: pacer.bytesPerSecond,
                ingestionActive: pacer.ingestionIsActive(now: now)
            )
            if pause > 0 { usleep(UInt32(pause / 1_000)) }
        }
    }
}
