/// The arithmetic of pacing a snapshot's writes: how long to pause after a chunk so the
/// snapshot stays under a byte rate while agents stream. Pure; the brain does the sleeping
/// (BrainServer's `SnapshotPacer`).
package enum SnapshotPacing {
    /// The longest single pause, so a tiny rate cannot stall a snapshot for minutes per chunk.
    package static let maxPauseNanos: Int64 = 1_000_000_000

    /// Nanoseconds to pause after a chunk of `bytes` that took `spentNanos` to encode and
    /// write: what is left of the time the chunk may take at `bytesPerSecond`. 0 when there
    /// is no limit (`bytesPerSecond` 0) or ingestion is idle.
    package static func pause(bytes: Int, spentNanos: Int64, bytesPerSecond: Int, ingestionActive: Bool) -> Int64 {
        guard bytesPerSecond > 0, ingestionActive, bytes > 0 else { return 0 }
        let allowed = Int64(bytes) * 1_000_000_000 / Int64(bytesPerSecond)
        return max(0, min(allowed - spentNanos, maxPauseNanos))
    }

    /// Whether ingestion counts as active: records reached the journal less than
    /// `windowNanos` before `now`.
    package static func ingestionActive(now: Int64, lastIngestion: Int64, windowNanos: Int64) -> Bool {
        lastIngestion > 0 && now - lastIngestion < windowNanos
    }
}
