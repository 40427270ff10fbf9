/// The rules BrainCore applies to tasks, set by the daemon's flags (like ``CoreConfiguration``;
/// not part of a snapshot).
package struct TaskSettings: Hashable, Sendable {
    /// How long a `started` task's agent must stay offline before the brain calls the task
    /// `lost`. Default 5 minutes: longer than a worker host's reboot, short enough that an
    /// operator learns of a `kill -9` the same coffee break.
    package var lostGraceNs: Int64 = 5 * 60 * 1_000_000_000
    /// A task `started` longer than this is stuck (``BrainState/stuckTasks(now:olderThan:)``);
    /// nothing is done about it, it is only shown. Default 1 hour.
    package var stuckAfterNs: Int64 = 3_600 * 1_000_000_000
    /// The redaction every project starts from (its overrides are added).
    package var redaction = RedactionPolicy()
    /// Longest task id (seed 002: Celery ids; z4j's 200).
    package var maxTaskIDBytes = 200
    /// Longest engine name (seed 002: varchar(40)).
    package var maxEngineBytes = 40
    /// Longest task name (seed 002: varchar(500)).
    package var maxNameBytes = 500
    /// Longest queue, group id and `retried_as` (seed 002: varchar(200)).
    package var maxQueueBytes = 200
    /// Longest exception class name.
    package var maxExcTypeBytes = 200

    package init() {}
}
