/// A task (seed 002's tasks table, every field) and its events, as the brain keeps it.
///
/// Times come from two clocks and are named for it: ``enqueuedAt``, ``startedAt`` and
/// ``finishedAt`` are the agents' timestamps of the events that set them (0: not known);
/// ``createdAt``, ``updatedAt`` and ``stateSince`` are the brain's.
package struct TaskRecord: Hashable, Sendable, Codable {
    /// Internal key: the task's position in the brain's task table; it moves when retention
    /// removes older tasks.
    package var key: Int
    /// The task's number in the order of first events, never reused and never moved: list
    /// cursors name it, so a retention sweep between two pages skips or repeats nothing.
    /// (Snapshots written before it existed give each task its position.)
    package var serial: Int
    /// The id its engine gave it (``TaskEventReport/taskID``).
    package var taskID: String
    /// The project of the agent that reported its first event.
    package var project: String
    /// The engine that runs it (`celery`).
    package var engine: String
    /// The task's name (`app.tasks.send_email`), "" until an event names it.
    package var name: String
    /// Its queue, "" until an event names it.
    package var queue: String
    /// Where it is, as the merge rules decided (``TaskStateMachine``).
    package var state: TaskState
    /// Redacted JSON, "" until an event carries them.
    package var argsJSON: String
    /// Redacted JSON, "" until an event carries them.
    package var kwargsJSON: String
    /// The current state's error: set by `failed` and `retried`, cleared by `succeeded` and a new attempt.
    package var error: TaskError?
    /// The task that re-ran this one, or "".
    package var retriedAs: String
    /// Celery's `group_id`, or "".
    package var groupID: String
    /// The current attempt, from 1.
    package var attempt: UInt32
    /// The earliest `task_sent`, by the agent's clock.
    package var enqueuedAt: Int64
    /// The current attempt's `started`, by the agent's clock.
    package var startedAt: Int64
    /// The event that made the current attempt terminal, by the agent's clock (0 for `lost`).
    package var finishedAt: Int64
    /// When the brain received its first event.
    package var createdAt: Int64
    /// When the brain last changed it.
    package var updatedAt: Int64
    /// When the task entered its current state, by the brain's clock (stuck and lost are measured from here).
    package var stateSince: Int64
    /// The agent-clock timestamp of the event that set the state (the merge's tie-break).
    package var stateTs: Int64
    /// The agent that reported the event that set the state (for a started task, the one running it).
    package var agentID: String
    /// Why the task is in its state, when the brain knows more than the state says: why it
    /// is `lost`, or `expired` for a cancelled task that expired. "" otherwise.
    package var stateReason: String
    /// Every event the task received, by the agent's clock (then by arrival).
    package var events: [TaskEvent]

    enum CodingKeys: String, CodingKey {
        case key, serial
        case taskID = "task_id"
        case project, engine, name, queue, state
        case argsJSON = "args"
        case kwargsJSON = "kwargs"
        case error
        case retriedAs = "retried_as"
        case groupID = "group_id"
        case attempt
        case enqueuedAt = "enqueued_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case stateSince = "state_since"
        case stateTs = "state_ts"
        case agentID = "agent_id"
        case stateReason = "state_reason"
        case events
    }

    /// An empty record, filled field by field (the first event, a snapshot): numbered
    /// `serial` (its key when not given), created at `createdAt`, with room for
    /// `eventCapacity` events.
    package init(key: Int, serial: Int? = nil, taskID: String, project: String, engine: String, createdAt: Int64 = 0, eventCapacity: Int = 0) {
        self.key = key
        self.serial = serial ?? key
        self.taskID = taskID
        self.project = project
        self.engine = engine
        name = ""
        queue = ""
        state = .pending
        argsJSON = ""
        kwargsJSON = ""
        error = nil
        retriedAs = ""
        groupID = ""
        attempt = 1
        enqueuedAt = 0
        startedAt = 0
        finishedAt = 0
        self.createdAt = createdAt
        updatedAt = 0
        stateSince = 0
        stateTs = 0
        agentID = ""
        stateReason = ""
        events = []
        if eventCapacity > 0 { events.reserveCapacity(eventCapacity) }
    }

    /// The merge's view of the task.
    package var machine: TaskStateMachine { TaskStateMachine(state: state, attempt: attempt, stateTs: stateTs) }

    /// How long the last attempt ran, by the agent's clock: finished minus started, for a
    /// task that succeeded or failed with both times known (`nil` otherwise).
    package var runtimeNs: Int64? {
        guard state == .succeeded || state == .failed, startedAt != 0, finishedAt >= startedAt else { return nil }
        return finishedAt - startedAt
    }

    /// The largest clock skew among its events (``TaskEvent/skewNs``), by magnitude.
    package var maxSkewNs: Int64 {
        events.map(\.skewNs).max { $0.magnitude < $1.magnitude } ?? 0
    }
}
