/// A schedule that runs every fixed duration, anchored at a start instant: at `anchor`, `anchor + every`,
/// `anchor + 2 × every`, and so on. Durations are elapsed time, so daylight-saving changes do not move the runs.
///
/// The anchor itself is a run, so an adapter whose scheduler runs first one interval after it starts gives
/// `anchor` = start + `every`; one that reports the last run gives that run as the anchor.
package struct ScheduleInterval: Hashable, Sendable {
    /// The duration between runs, in nanoseconds; always positive.
    package let everyNanos: Int64
    /// A run instant that fixes the phase, in Unix nanoseconds.
    package let anchorUnixNanos: Int64

    /// An interval of `everyNanos` through `anchorUnixNanos`; refuses a duration that is not positive.
    package init(everyNanos: Int64, anchorUnixNanos: Int64) throws(ScheduleExpressionError) {
        guard everyNanos > 0 else {
            throw ScheduleExpressionError(.badInterval, "an interval must be a positive duration, not \(everyNanos) ns")
        }
        self.everyNanos = everyNanos
        self.anchorUnixNanos = anchorUnixNanos
    }

    /// The next `count` runs strictly after `after`, in ascending order; fewer past the end of Unix nanoseconds.
    package func nextRuns(after: Int64, count: Int) -> [Int64] {
        guard count > 0, let first = firstRun(after: after) else { return [] }
        var runs = [first]
        runs.reserveCapacity(min(count, 1024))
        while runs.count < count, let last = runs.last {
            let (next, overflow) = last.addingReportingOverflow(everyNanos)
            if overflow { break }
            runs.append(next)
        }
        return runs
    }

    /// The first run strictly after `after`: the anchor if it is later, else the next whole step past `after`.
    private func firstRun(after: Int64) -> Int64? {
        guard after >= anchorUnixNanos else { return anchorUnixNanos }
        // after ≥ anchor, so the distance fits in UInt64 even when the Int64 subtraction would overflow.
        let distance = UInt64(bitPattern: after &- anchorUnixNanos)
        let steps = distance / UInt64(everyNanos) + 1
        let (offset, tooFar) = steps.multipliedReportingOverflow(by: UInt64(everyNanos))
        let room = UInt64(bitPattern: Int64.max &- anchorUnixNanos)  // anchor ≤ after ≤ Int64.max: no wrap in UInt64
        guard !tooFar, offset <= room else { return nil }
        return Int64(bitPattern: UInt64(bitPattern: anchorUnixNanos) &+ offset)
    }
}
