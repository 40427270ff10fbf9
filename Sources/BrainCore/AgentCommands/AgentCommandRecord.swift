/// A command to an agent, as the brain keeps it (`CommandInfo` on the wire).
///
/// Times are the brain's clock (Unix nanoseconds; 0: not yet).
package struct AgentCommandRecord: Hashable, Sendable, Codable {
    /// Internal key: the command's position in the brain's command table (cursors use it).
    package var key: Int
    /// A UUID, given by the client or made by the brain (``DeterministicID``).
    package var commandID: String
    package var kind: AgentCommandKind
    /// Where the command is.
    package var state: AgentCommandState
    /// The project of its task or schedule.
    package var project: String
    /// The agent that is to carry it out.
    package var agentID: String
    /// Retry and cancel: the task, by reference.
    package var taskID: String
    package var engine: String
    /// The task's name when the command was issued ("" when not known).
    package var taskName: String
    /// Enable and disable: the schedule.
    package var scheduler: String
    package var scheduleName: String
    /// When it was issued.
    package var createdAt: Int64
    /// After this the brain stops waiting and calls it timed out.
    package var deadline: Int64
    /// When it was first written to the agent's connection.
    package var deliveredAt: Int64
    /// When the agent's receipt arrived.
    package var receivedAt: Int64
    /// When it became terminal (succeeded, failed or timed out).
    package var finishedAt: Int64
    /// The agent's result message (redacted), late or not.
    package var resultMessage: String
    /// Retry: the new task's id, from the agent's result.
    package var newTaskID: String
    /// A result arrived after the deadline (the state stays `timedOut`).
    package var late: Bool
    /// That late result's outcome.
    package var lateOK: Bool

    enum CodingKeys: String, CodingKey {
        case key
        case commandID = "command_id"
        case kind, state, project
        case agentID = "agent_id"
        case taskID = "task_id"
        case engine
        case taskName = "task_name"
        case scheduler
        case scheduleName = "schedule_name"
        case createdAt = "created_at"
        case deadline
        case deliveredAt = "delivered_at"
        case receivedAt = "received_at"
        case finishedAt = "finished_at"
        case resultMessage = "result_message"
        case newTaskID = "new_task_id"
        case late
        case lateOK = "late_ok"
    }

    /// A new `pending` command.
    package init(key: Int, commandID: String, kind: AgentCommandKind, project: String, agentID: String, createdAt: Int64, deadline: Int64) {
        self.key = key
        self.commandID = commandID
        self.kind = kind
        state = .pending
        self.project = project
        self.agentID = agentID
        taskID = ""
        engine = ""
        taskName = ""
        scheduler = ""
        scheduleName = ""
        self.createdAt = createdAt
        self.deadline = deadline
        deliveredAt = 0
        receivedAt = 0
        finishedAt = 0
        resultMessage = ""
        newTaskID = ""
        late = false
        lateOK = false
    }

    /// The state machine's view of the command.
    package var machine: AgentCommandStateMachine {
        get { AgentCommandStateMachine(state: state, late: late, lateOK: lateOK) }
        set {
            state = newValue.state
            late = newValue.late
            lateOK = newValue.lateOK
        }
    }
}
