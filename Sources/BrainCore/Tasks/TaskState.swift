/// Where a task is (seed 002's `tasks.state`).
///
/// `pending` and `started` are the non-terminal tier; `succeeded`, `failed`, `cancelled` and
/// `lost` the terminal one; `retried` stands apart (the task failed an attempt and will run
/// again), as RETRY does in Celery. `lost` is never reported: the brain decides it
/// (``BrainState/dueTaskLiveness(now:)``).
package enum TaskState: String, CaseIterable, Hashable, Sendable, Codable {
    case pending, started, succeeded, failed, cancelled, retried, lost

    /// The state's name on the wire and in snapshots.
    package var name: String { rawValue }

    /// Parses a name.
    package init?(name: String) { self.init(rawValue: name) }

    /// Whether the task is finished (for its current attempt).
    package var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .lost: true
        case .pending, .started, .retried: false
        }
    }

    /// Precedence within an attempt: a state of a higher rank logically happens after one of
    /// a lower rank (``TaskStateMachine``). `retried` has no rank: it bypasses precedence.
    var rank: Int {
        switch self {
        case .pending: 0
        case .started: 1
        case .succeeded, .failed, .cancelled, .lost: 2
        case .retried: -1
        }
    }
}
