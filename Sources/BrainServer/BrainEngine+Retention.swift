import BrainCore
import Logging

/// Retention on the server: what each project's retention settings expire is removed by a
/// journalled sweep, on the tick.
extension BrainEngine {
    /// Sweeps when the interval since the last look has passed (0 turns sweeping off). The
    /// sweep is bounded (``ServerConfiguration/retentionSweepLimit``) because it runs on the
    /// event loop, between reads: ingestion waits for it, so it stays short.
    func sweepRetentionIfDue(now: Int64) {
        let interval = configuration.retentionSweepIntervalNs
        guard interval > 0, retentionCheckedAt == 0 || now - retentionCheckedAt >= interval else { return }
        retentionCheckedAt = now
        let limit = configuration.retentionSweepLimit
        let sweep = reading { $0.dueRetention(now: now, limit: limit) }
        guard !sweep.isEmpty else { return }
        execute(.retentionSweep(sweep), now: now)
        let report = RetentionReport(sweep, at: now, limit: limit)
        lastRetentionSweep = report
        logger.info("retention sweep removed \(report.summary)")
    }
}
