import BrainProtocol
import Foundation

/// The `--json` shapes of schedules and commands to agents (keys are the proto's field names;
/// times RFC 3339 UTC; JSON texts embedded), and their times in a project's zone.
extension Rendering {
    static func schedule(_ schedule: ScheduleInfo) -> JSONValue { .object(scheduleFields(schedule)) }

    static func scheduleFields(_ schedule: ScheduleInfo) -> [(String, JSONValue)] {
        [
            ("project", .string(schedule.project)),
            ("agent_id", .string(schedule.agentID)),
            ("scheduler", .string(schedule.scheduler)),
            ("name", .string(schedule.name)),
            ("task", .optional(schedule.task)),
            ("type", .string(schedule.type.name)),
            ("expression", .string(schedule.expression)),
            ("dialect", .string(schedule.dialect.name)),
            ("args", .embedded(schedule.argsJSON)),
            ("kwargs", .embedded(schedule.kwargsJSON)),
            ("enabled", .bool(schedule.enabled)),
            ("metadata", .embedded(schedule.metadataJSON)),
            ("last_run_at", .time(schedule.lastRunAt)),
            ("next_run_at", .time(schedule.nextRunAt)),
            ("created_at", .time(schedule.createdAt)),
            ("updated_at", .time(schedule.updatedAt)),
            ("problem", .optional(schedule.problem)),
        ] + (schedule.removed ? [("removed", .bool(true))] : [])
    }

    static func command(_ command: CommandInfo) -> JSONValue { .object(commandFields(command)) }

    static func commandFields(_ command: CommandInfo) -> [(String, JSONValue)] {
        [
            ("command_id", .string(command.commandID)),
            ("kind", .string(command.kind.name)),
            ("state", .string(command.state.name)),
            ("project", .string(command.project)),
            ("agent_id", .string(command.agentID)),
            ("task_id", .optional(command.taskID)),
            ("engine", .optional(command.engine)),
            ("scheduler", .optional(command.scheduler)),
            ("schedule_name", .optional(command.scheduleName)),
            ("created_at", .time(command.createdAt)),
            ("deadline", .time(command.deadline)),
            ("delivered_at", .time(command.deliveredAt)),
            ("received_at", .time(command.receivedAt)),
            ("finished_at", .time(command.finishedAt)),
            ("result_message", .optional(command.resultMessage)),
            ("new_task_id", .optional(command.newTaskID)),
            ("late", .bool(command.late)),
            ("late_ok", .bool(command.lateOK)),
        ]
    }

    /// What a command is about: `task T (celery)` or `schedule S/N`.
    static func target(_ command: CommandInfo) -> String {
        command.taskID.isEmpty ? "schedule \(command.scheduler)/\(command.scheduleName)" : "task \(command.taskID)"
    }

    /// `timed_out (late result: ok)`: the state, and a late result when one came.
    static func state(_ command: CommandInfo) -> String {
        command.late ? "\(command.state.name) (late result: \(command.lateOK ? "ok" : "failed"))" : command.state.name
    }

    /// `2026-12-01T03:00:00+02:00 (2026-12-01T01:00:00.000Z)`: local time in `zone` with its
    /// offset, then UTC; only UTC when the zone is UTC or unknown to this machine.
    static func zoned(_ nanos: Int64, zone: String) -> String {
        guard nanos != 0 else { return "-" }
        let utc = Timestamps.rfc3339(nanos)
        guard zone != "UTC", let timeZone = TimeZone(identifier: zone) else { return utc }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        formatter.formatOptions = [.withInternetDateTime]
        let local = formatter.string(from: Date(timeIntervalSince1970: Double(nanos) / 1e9))
        return "\(local) (\(utc))"
    }
}
