import Foundation

/// A schedule (seed 002's schedules table, every field), as the brain keeps it
/// (`ScheduleInfo` on the wire). One schedule is one (project, scheduler, name).
///
/// ``nextRunAt`` is the brain's prediction, in the project's time zone, made when the schedule
/// is reported, fires, is enabled, or its project's time zone changes.
package struct ScheduleRecord: Hashable, Sendable, Codable {
    /// Orders schedules that share a next run (and cursors): assigned when the brain first
    /// hears of the schedule, never reused.
    package var serial: UInt64
    package var project: String
    /// The agent that last reported it.
    package var agentID: String
    package var scheduler: String
    package var name: String
    package var task: String
    package var type: ScheduleType
    package var expression: String
    package var dialect: CronDayFieldDialect
    /// Redacted JSON, or "".
    package var argsJSON: String
    package var kwargsJSON: String
    /// As the agent last said (a command's result included): the brain never decides it.
    package var enabled: Bool
    package var metadataJSON: String
    /// The last run, by the agent's clock (0: never).
    package var lastRunAt: Int64
    /// The next run the brain predicts (0: none: disabled, unsupported, a bad expression, a
    /// date gone by).
    package var nextRunAt: Int64
    /// When the brain first heard of it, and when a report last changed it (brain clock).
    package var createdAt: Int64
    package var updatedAt: Int64
    /// Why the next run cannot be computed ("" when it can): the expression's error, or an
    /// unsupported type.
    package var problem: String
    /// The compiled expression (`nil` when ``problem`` says why not); derived, so not stored.
    package var timing: ScheduleTiming?

    enum CodingKeys: String, CodingKey {
        case serial, project
        case agentID = "agent_id"
        case scheduler, name, task, type, expression, dialect
        case argsJSON = "args"
        case kwargsJSON = "kwargs"
        case enabled
        case metadataJSON = "metadata"
        case lastRunAt = "last_run_at"
        case nextRunAt = "next_run_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case problem
    }

    /// An empty record, filled field by field (a report, a snapshot).
    package init(serial: UInt64, project: String, scheduler: String, name: String) {
        self.serial = serial
        self.project = project
        agentID = ""
        self.scheduler = scheduler
        self.name = name
        task = ""
        type = .cron
        expression = ""
        dialect = .vixie
        argsJSON = ""
        kwargsJSON = ""
        enabled = true
        metadataJSON = ""
        lastRunAt = 0
        nextRunAt = 0
        createdAt = 0
        updatedAt = 0
        problem = ""
        timing = nil
    }

    /// The key a schedule is found by.
    package var identity: String { Self.identity(project: project, scheduler: scheduler, name: name) }

    static func identity(project: String, scheduler: String, name: String) -> String {
        project + "\u{0}" + scheduler + "\u{0}" + name
    }

    /// Compiles the expression into ``timing`` and sets ``problem``; returns the problem.
    @discardableResult
    package mutating func compile() -> ScheduleExpressionError? {
        switch ScheduleTiming.compile(type: type, expression: expression, dialect: dialect) {
        case .success(let compiled):
            timing = compiled
            problem = ""
            return nil
        case .failure(let error):
            timing = nil
            problem = error.message
            return error
        }
    }

    /// The instant runs count from: the interval's anchor (the last run, or when the brain
    /// first heard of the schedule), and the earliest a next run may be.
    var anchor: Int64 { lastRunAt != 0 ? lastRunAt : createdAt }

    /// The next run strictly after `now` and after the last run, or 0 when there is none
    /// (disabled, no timing, nothing left).
    package func predictedNextRun(now: Int64, in timeZone: TimeZone) -> Int64 {
        guard enabled, let timing else { return 0 }
        return timing.nextRun(after: max(now, lastRunAt), anchor: anchor, in: timeZone) ?? 0
    }

    /// The next `count` runs after `now` (for `schedule show`); none when disabled or without timing.
    package func nextRuns(after now: Int64, in timeZone: TimeZone, count: Int) -> [Int64] {
        guard enabled, let timing else { return [] }
        return timing.nextRuns(after: max(now, lastRunAt), anchor: anchor, in: timeZone, count: count)
    }
}
