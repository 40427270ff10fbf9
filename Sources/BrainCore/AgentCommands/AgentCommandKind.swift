/// What the brain asks an agent to do (`CommandKind` on the wire).
package enum AgentCommandKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Re-run a task by reference (never with its redacted args): the new task's id fills the
    /// original's `retried_as`.
    case retryTask = "retry_task"
    /// Revoke a task.
    case cancelTask = "cancel_task"
    /// Turn a schedule on in its scheduler.
    case enableSchedule = "enable_schedule"
    /// Turn a schedule off in its scheduler.
    case disableSchedule = "disable_schedule"

    /// The kind's name in journals, snapshots and messages.
    package var name: String { rawValue }

    /// Parses a name.
    package init?(name: String) { self.init(rawValue: name) }

    /// Whether the command names a task (retry, cancel) rather than a schedule.
    package var targetsTask: Bool { self == .retryTask || self == .cancelTask }
}
