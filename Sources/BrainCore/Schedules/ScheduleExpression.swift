import Foundation

/// When a schedule runs: a cron expression, a fixed interval, or a single date. One entry point gives the next
/// runs of any of them.
package enum ScheduleExpression: Hashable, Sendable {
    /// Five cron fields in the project's time zone, under Vixie/Debian cron's daylight-saving policy.
    case cron(CronExpression)
    /// Every fixed duration from an anchor instant; time zones do not matter.
    case interval(ScheduleInterval)
    /// Once, at an instant (Unix nanoseconds).
    case date(unixNanos: Int64)

    /// The next `count` runs strictly after `after` (Unix nanoseconds), ascending, as Unix nanoseconds.
    ///
    /// `timeZone` is the project's; only cron expressions use it. A date at or before `after` has no runs left.
    package func nextRuns(after: Int64, in timeZone: TimeZone, count: Int) -> [Int64] {
        guard count > 0 else { return [] }
        switch self {
        case .cron(let cron):
            return cron.nextRuns(after: after, in: timeZone, count: count)
        case .interval(let interval):
            return interval.nextRuns(after: after, count: count)
        case .date(let instant):
            return instant > after ? [instant] : []
        }
    }

    /// The first run strictly after `after`, or nil when there is none: next_run_at.
    package func nextRun(after: Int64, in timeZone: TimeZone) -> Int64? {
        nextRuns(after: after, in: timeZone, count: 1).first
    }
}
