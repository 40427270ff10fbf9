/// How long a project keeps each kind of record once it is finished (seed 002's project
/// settings, "retention"), in nanoseconds; 0 keeps it for ever.
///
/// Stored and validated here; enforcing it is the retention sweeper's work (issue #13,
/// "Retention"). The defaults are 30 days each, the sink's current default
/// (``CoreConfiguration/errorRetentionNs``) and z4j's `event_retention_days` (research §1.9).
package struct RetentionSettings: Hashable, Sendable, Codable {
    /// The default retention of every kind.
    package static let thirtyDays: Int64 = 30 * 24 * 3_600 * 1_000_000_000

    /// Finished runs and their steps.
    package var runsNs: Int64 = thirtyDays
    /// Finished tasks (and with them their events).
    package var tasksNs: Int64 = thirtyDays
    /// Task events, also of tasks still kept.
    package var taskEventsNs: Int64 = thirtyDays
    /// Persistence-error sink rows.
    package var sinkRowsNs: Int64 = thirtyDays

    enum CodingKeys: String, CodingKey {
        case runsNs = "runs_ns"
        case tasksNs = "tasks_ns"
        case taskEventsNs = "task_events_ns"
        case sinkRowsNs = "sink_rows_ns"
    }

    package init(runsNs: Int64 = thirtyDays, tasksNs: Int64 = thirtyDays, taskEventsNs: Int64 = thirtyDays, sinkRowsNs: Int64 = thirtyDays) {
        self.runsNs = runsNs
        self.tasksNs = tasksNs
        self.taskEventsNs = taskEventsNs
        self.sinkRowsNs = sinkRowsNs
    }

    /// Why the settings cannot be used, or `nil` when they can.
    package var problem: String? {
        for (value, kind) in [(runsNs, "runs"), (tasksNs, "tasks"), (taskEventsNs, "task events"), (sinkRowsNs, "sink rows")] where value < 0 {
            return "the retention of \(kind) is negative (\(value) ns); use 0 to keep them for ever"
        }
        return nil
    }
}
