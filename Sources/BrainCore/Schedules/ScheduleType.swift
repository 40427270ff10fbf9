/// How a schedule says when it runs (`ScheduleType` on the wire).
package enum ScheduleType: String, CaseIterable, Hashable, Sendable, Codable {
    /// Five cron fields, read in the project's time zone (``CronExpression``).
    case cron
    /// A duration in seconds (`30`, `2.5`), from the last run (or from when the brain first
    /// heard of the schedule).
    case interval
    /// One RFC 3339 instant.
    case date
    /// A kind the brain cannot predict (Celery's `solar`): listed, with no next run.
    case unsupported

    /// The type's name in journals, snapshots and messages.
    package var name: String { rawValue }

    /// Parses a name.
    package init?(name: String) { self.init(rawValue: name) }
}
