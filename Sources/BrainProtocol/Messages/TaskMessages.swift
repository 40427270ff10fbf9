/// What a task event reports (`TaskEventKind`). `Wire` because BrainCore's `TaskEventKind` is
/// the domain type; the names are the same.
public enum WireTaskEventKind: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case taskSent = 1
    case started = 2
    case succeeded = 3
    case failed = 4
    case retry = 5
    case cancelled = 6
    case expired = 7

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .taskSent: "task_sent"
        case .started: "started"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .retry: "retry"
        case .cancelled: "cancelled"
        case .expired: "expired"
        }
    }
}

/// Where a task is (`TaskState`). `Wire` because BrainCore's `TaskState` is the domain type;
/// the names are the same.
public enum WireTaskState: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case pending = 1
    case started = 2
    case succeeded = 3
    case failed = 4
    case cancelled = 5
    case retried = 6
    case lost = 7

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .pending: "pending"
        case .started: "started"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .retried: "retried"
        case .lost: "lost"
        }
    }
}

/// An agent reports one event of a task's life, as the worker saw it (agent event
/// `task_event`). The brain redacts args, kwargs, the exception message, the traceback and
/// the payload before it journals anything.
public struct TaskEventReported: Hashable, Sendable {
    public var taskID: String
    /// "celery", "rq", ...; "" means "celery".
    public var engine: String
    public var kind: WireTaskEventKind
    /// The agent's clock (Unix ns), kept as sent.
    public var ts: Int64
    /// 1 for the first run under this id; 0 when the agent does not know.
    public var attempt: UInt32 = 0
    public var name: String = ""
    public var queue: String = ""
    public var groupID: String = ""
    /// RETRY: the new task's id, when the engine gives the retry one.
    public var retriedAs: String = ""
    public var argsJSON: String = ""
    public var kwargsJSON: String = ""
    /// FAILED / RETRY.
    public var excType: String = ""
    public var excMessage: String = ""
    public var traceback: String = ""
    /// Anything else the engine says (a JSON object), "" for none.
    public var payloadJSON: String = ""

    public init(taskID: String = "", engine: String = "", kind: WireTaskEventKind = .unspecified, ts: Int64 = 0) {
        self.taskID = taskID
        self.engine = engine
        self.kind = kind
        self.ts = ts
    }
}

/// Why a task failed: the exception class, its message and the traceback (both redacted).
public struct TaskErrorInfo: Hashable, Sendable {
    public var excType: String
    public var excMessage: String
    public var tracebackRedacted: String

    public init(excType: String = "", excMessage: String = "", tracebackRedacted: String = "") {
        self.excType = excType
        self.excMessage = excMessage
        self.tracebackRedacted = tracebackRedacted
    }
}

/// A task as clients see it.
public struct TaskInfo: Hashable, Sendable {
    public var taskID: String = ""
    public var project: String = ""
    public var engine: String = ""
    public var name: String = ""
    public var queue: String = ""
    public var state: WireTaskState = .unspecified
    /// Redacted JSON, "" when no event carried them.
    public var argsJSON: String = ""
    public var kwargsJSON: String = ""
    /// `nil` when the task has not failed.
    public var error: TaskErrorInfo?
    public var retriedAs: String = ""
    public var groupID: String = ""
    public var attempt: UInt32 = 0
    /// Agent clock.
    public var enqueuedAt: Int64 = 0
    public var startedAt: Int64 = 0
    public var finishedAt: Int64 = 0
    /// Brain clock.
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    public var agentID: String = ""
    /// Why the brain chose the state itself (`lost`: the agent and how long it was offline).
    public var stateReason: String = ""
    /// `started` for longer than the stuck threshold.
    public var stuck: Bool = false
    public var eventCount: UInt32 = 0

    public init() {}
}

/// One event of a task's history as clients see it.
public struct TaskEventInfo: Hashable, Sendable {
    public var kind: WireTaskEventKind = .unspecified
    public var attempt: UInt32 = 0
    /// Agent clock.
    public var ts: Int64 = 0
    /// Brain clock at receipt; `createdAt - ts` is the skew shown.
    public var createdAt: Int64 = 0
    public var agentID: String = ""
    public var agentSeq: UInt64 = 0
    public var error: TaskErrorInfo?
    public var payloadJSON: String = ""
    /// The merge rule that decided the event (proto/README.md).
    public var rule: String = ""

    public init() {}
}
