/// What a command asks an agent to do (`CommandKind`).
public enum WireCommandKind: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case retryTask = 1
    case cancelTask = 2
    case enableSchedule = 3
    case disableSchedule = 4

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .retryTask: "retry_task"
        case .cancelTask: "cancel_task"
        case .enableSchedule: "enable_schedule"
        case .disableSchedule: "disable_schedule"
        }
    }
}

/// Where a command to an agent is (`CommandState`).
public enum WireCommandState: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    /// Waiting for its agent to be online (until the deadline).
    case pending = 1
    /// Written to the agent's connection.
    case delivered = 2
    /// The agent said it has it.
    case acknowledged = 3
    case succeeded = 4
    case failed = 5
    /// No result before the deadline; a later result is kept, marked late.
    case timedOut = 6

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .pending: "pending"
        case .delivered: "delivered"
        case .acknowledged: "acknowledged"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .timedOut: "timed_out"
        }
    }
}

/// What the brain asks an agent to do (`Response.agent_command`, sent unsolicited).
public struct AgentCommand: Hashable, Sendable {
    public var commandID: String = ""
    public var kind: WireCommandKind = .unspecified
    /// RETRY_TASK / CANCEL_TASK: the task, by reference.
    public var taskID: String = ""
    public var engine: String = ""
    public var taskName: String = ""
    /// ENABLE_SCHEDULE / DISABLE_SCHEDULE.
    public var scheduler: String = ""
    public var scheduleName: String = ""
    /// After this the brain calls the command timed out.
    public var deadline: Int64 = 0

    public init(commandID: String = "", kind: WireCommandKind = .unspecified) {
        self.commandID = commandID
        self.kind = kind
    }
}

/// Agent event: what came of a command. Only the first result counts.
public struct CommandResult: Hashable, Sendable {
    public var commandID: String
    public var ok: Bool
    public var message: String
    /// RETRY_TASK: the id of the new task.
    public var newTaskID: String

    public init(commandID: String = "", ok: Bool = false, message: String = "", newTaskID: String = "") {
        self.commandID = commandID
        self.ok = ok
        self.message = message
        self.newTaskID = newTaskID
    }
}

/// A command to an agent as clients see it.
public struct CommandInfo: Hashable, Sendable {
    public var commandID: String = ""
    public var kind: WireCommandKind = .unspecified
    public var state: WireCommandState = .unspecified
    public var project: String = ""
    public var agentID: String = ""
    public var taskID: String = ""
    public var engine: String = ""
    public var scheduler: String = ""
    public var scheduleName: String = ""
    public var createdAt: Int64 = 0
    public var deadline: Int64 = 0
    public var deliveredAt: Int64 = 0
    public var receivedAt: Int64 = 0
    public var finishedAt: Int64 = 0
    public var resultMessage: String = ""
    public var newTaskID: String = ""
    /// The result arrived after the deadline (the state stays `timed_out`).
    public var late: Bool = false
    public var lateOK: Bool = false

    public init() {}
}

/// `RetryTask` and `CancelTask`: a task and how long to wait for the agent's result.
public struct TaskCommandQuery: Hashable, Sendable {
    public var taskID: String
    public var project: String
    public var engine: String
    /// 0 means the brain's default.
    public var deadlineMs: UInt64

    public init(taskID: String, project: String = "", engine: String = "", deadlineMs: UInt64 = 0) {
        self.taskID = taskID
        self.project = project
        self.engine = engine
        self.deadlineMs = deadlineMs
    }
}

/// `SetScheduleEnabled`: one schedule of one scheduler, on or off.
public struct SetScheduleEnabledQuery: Hashable, Sendable {
    public var project: String
    public var scheduler: String
    public var name: String
    public var enabled: Bool
    public var deadlineMs: UInt64

    public init(project: String = "", scheduler: String = "", name: String = "", enabled: Bool = false, deadlineMs: UInt64 = 0) {
        self.project = project
        self.scheduler = scheduler
        self.name = name
        self.enabled = enabled
        self.deadlineMs = deadlineMs
    }
}

/// `ListCommands`: filters and a page.
public struct ListCommandsQuery: Hashable, Sendable {
    public var project: String = ""
    /// Agent id or name.
    public var agent: String = ""
    public var states: [WireCommandState] = []
    public var cursor: String = ""
    public var limit: UInt32 = 0

    public init() {}
}

/// One page of commands.
public struct CommandList: Hashable, Sendable {
    public var commands: [CommandInfo]
    public var nextCursor: String

    public init(commands: [CommandInfo] = [], nextCursor: String = "") {
        self.commands = commands
        self.nextCursor = nextCursor
    }
}
