/// The lifecycle of a run: `queued → running → persisting → completed`, or `failed` /
/// `abandoned` from any non-terminal state.
public enum RunStatus: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case queued = 1
    case running = 2
    case persisting = 3
    case completed = 4
    case failed = 5
    case abandoned = 6

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .queued: "queued"
        case .running: "running"
        case .persisting: "persisting"
        case .completed: "completed"
        case .failed: "failed"
        case .abandoned: "abandoned"
        }
    }

    public var isTerminal: Bool { self == .completed || self == .failed || self == .abandoned }
}

/// The outcome of one step.
public enum StepStatus: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case ok = 1
    case skip = 2
    case error = 3

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .ok: "ok"
        case .skip: "skip"
        case .error: "error"
        }
    }
}

/// An agent event: a sequence number and what happened.
public struct AgentEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case runCreated(RunCreated)
        case runStatus(RunStatusChanged)
        case step(StepReported)
        /// One event of a task's life (the brain redacts it before journalling it).
        case taskEvent(TaskEventReported)
        /// A schedule as its scheduler holds it.
        case scheduleUpsert(ScheduleReport)
        case scheduleDelete(ScheduleDeleted)
        case scheduleFired(ScheduleFired)
        /// Every schedule of one scheduler.
        case scheduleListing(ScheduleListing)
        /// The agent has a command (``AgentCommand``); resending it changes nothing.
        case commandReceived(commandID: String)
        /// What came of a command.
        case commandResult(CommandResult)
        /// A case this build does not know (a newer agent).
        case unknown

        /// The case's name in `brain.proto` (`task_event`), for messages.
        public var name: String {
            switch self {
            case .runCreated: "run_created"
            case .runStatus: "run_status"
            case .step: "step"
            case .taskEvent: "task_event"
            case .scheduleUpsert: "schedule_upsert"
            case .scheduleDelete: "schedule_delete"
            case .scheduleFired: "schedule_fired"
            case .scheduleListing: "schedule_listing"
            case .commandReceived: "command_received"
            case .commandResult: "command_result"
            case .unknown: "unknown"
            }
        }
    }

    public var seq: UInt64
    public var kind: Kind

    public init(seq: UInt64, kind: Kind) {
        self.seq = seq
        self.kind = kind
    }
}

/// An agent starts a run.
public struct RunCreated: Hashable, Sendable {
    public var runID: String = ""
    public var goal: String = ""
    public var targetURL: String = ""
    public var initiatedBy: String = ""
    public var runType: String = ""
    public var workflowJSON: String = ""
    public var inputJSON: String = ""
    public var metadataJSON: String = ""
    public var parentRunID: String = ""
    public var timeoutMs: UInt64 = 0
    public var initialStatus: RunStatus = .unspecified
    public var createdAt: Int64 = 0

    public init(runID: String = "", goal: String = "") {
        self.runID = runID
        self.goal = goal
    }
}

/// An agent moves a run to a new status.
public struct RunStatusChanged: Hashable, Sendable {
    public var runID: String = ""
    public var status: RunStatus = .unspecified
    public var resultJSON: String = ""
    public var errorType: String = ""
    public var errorMessage: String = ""
    public var failedAtStep: UInt32 = 0
    public var errorContextJSON: String = ""
    public var at: Int64 = 0

    public init(runID: String = "", status: RunStatus = .unspecified) {
        self.runID = runID
        self.status = status
    }
}

/// An agent reports one step of a run.
public struct StepReported: Hashable, Sendable {
    public var runID: String = ""
    public var seq: UInt32 = 0
    public var stepName: String = ""
    public var status: StepStatus = .unspecified
    public var inputJSON: String = ""
    public var outputJSON: String = ""
    public var error: String = ""
    public var durationMs: UInt64 = 0
    public var startedAt: Int64 = 0

    public init(runID: String = "", seq: UInt32 = 0, stepName: String = "", status: StepStatus = .ok) {
        self.runID = runID
        self.seq = seq
        self.stepName = stepName
        self.status = status
    }
}

/// A run as clients see it.
public struct RunInfo: Hashable, Sendable {
    public var runID: String = ""
    public var agentID: String = ""
    public var agentName: String = ""
    public var project: String = ""
    public var status: RunStatus = .unspecified
    public var goal: String = ""
    public var targetURL: String = ""
    public var initiatedBy: String = ""
    public var runType: String = ""
    public var workflowJSON: String = ""
    public var inputJSON: String = ""
    public var metadataJSON: String = ""
    public var parentRunID: String = ""
    public var timeoutMs: UInt64 = 0
    public var stepCount: UInt32 = 0
    public var resultJSON: String = ""
    public var errorType: String = ""
    public var errorMessage: String = ""
    public var failedAtStep: UInt32 = 0
    public var errorContextJSON: String = ""
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    public var completedAt: Int64 = 0
    public var deletedAt: Int64 = 0

    public init() {}
}

/// A step as clients see it.
public struct StepInfo: Hashable, Sendable {
    public var runID: String = ""
    public var seq: UInt32 = 0
    public var stepName: String = ""
    public var status: StepStatus = .unspecified
    public var inputJSON: String = ""
    public var outputJSON: String = ""
    public var error: String = ""
    public var durationMs: UInt64 = 0
    public var startedAt: Int64 = 0
    public var receivedAt: Int64 = 0

    public init() {}
}

/// Counts of runs by status.
public struct RunCounts: Hashable, Sendable {
    public var queued: UInt32 = 0
    public var running: UInt32 = 0
    public var persisting: UInt32 = 0
    public var completed: UInt32 = 0
    public var failed: UInt32 = 0
    public var abandoned: UInt32 = 0

    public init() {}

    public subscript(status: RunStatus) -> UInt32 {
        get {
            switch status {
            case .queued: queued
            case .running: running
            case .persisting: persisting
            case .completed: completed
            case .failed: failed
            case .abandoned: abandoned
            case .unspecified: 0
            }
        }
        set {
            switch status {
            case .queued: queued = newValue
            case .running: running = newValue
            case .persisting: persisting = newValue
            case .completed: completed = newValue
            case .failed: failed = newValue
            case .abandoned: abandoned = newValue
            case .unspecified: break
            }
        }
    }
}
