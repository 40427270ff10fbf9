/// What a task event reports (seed 002's `task_events.event_type`), and the state it moves
/// the task to.
///
/// From Celery (research §5.1): `task-sent` and `task-received` → ``taskSent``;
/// `task-started` → ``started``; `task-succeeded` → ``succeeded``; `task-failed` and
/// `task-rejected` → ``failed``; `task-retried` → ``retry``; `task-revoked` → ``cancelled``,
/// or ``expired`` when its `expired` flag is set.
package enum TaskEventKind: String, CaseIterable, Hashable, Sendable, Codable {
    case taskSent = "task_sent"
    case started, succeeded, failed, retry, cancelled, expired

    /// The kind's name on the wire and in snapshots.
    package var name: String { rawValue }

    /// Parses a name.
    package init?(name: String) { self.init(rawValue: name) }

    /// The state the event moves its task to (if the merge lets it: ``TaskStateMachine``).
    package var target: TaskState {
        switch self {
        case .taskSent: .pending
        case .started: .started
        case .succeeded: .succeeded
        case .failed: .failed
        case .retry: .retried
        case .cancelled, .expired: .cancelled
        }
    }
}
