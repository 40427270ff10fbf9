/// `ListTasks`: filters and a page.
public struct ListTasksQuery: Hashable, Sendable {
    /// "" means every project.
    public var project: String = ""
    /// Any of these (none: every state).
    public var states: [WireTaskState] = []
    public var engine: String = ""
    public var name: String = ""
    public var queue: String = ""
    /// Agent id or name.
    public var agent: String = ""
    public var createdSince: Int64 = 0
    public var createdUntil: Int64 = 0
    /// Case-insensitive substring of the redacted args and kwargs.
    public var search: String = ""
    public var cursor: String = ""
    /// 0 means the default page size.
    public var limit: UInt32 = 0
    /// Only tasks `started` for longer than the stuck threshold.
    public var stuckOnly: Bool = false

    public init() {}
}

/// One page of tasks, newest first.
public struct TaskList: Hashable, Sendable {
    public var tasks: [TaskInfo]
    public var nextCursor: String

    public init(tasks: [TaskInfo] = [], nextCursor: String = "") {
        self.tasks = tasks
        self.nextCursor = nextCursor
    }
}

/// `GetTask`: one task by id; project and engine only when the id is not unique.
public struct GetTaskQuery: Hashable, Sendable {
    public var taskID: String
    public var project: String
    public var engine: String

    public init(taskID: String, project: String = "", engine: String = "") {
        self.taskID = taskID
        self.project = project
        self.engine = engine
    }
}

/// A task with its events, in the order the brain applied them.
public struct TaskDetail: Hashable, Sendable {
    public var task: TaskInfo
    public var events: [TaskEventInfo]

    public init(task: TaskInfo = TaskInfo(), events: [TaskEventInfo] = []) {
        self.task = task
        self.events = events
    }
}

/// `GetTaskStats`: which tasks to count (empty or 0: all).
public struct GetTaskStatsQuery: Hashable, Sendable {
    public var project: String
    public var engine: String
    public var name: String
    public var createdSince: Int64
    public var createdUntil: Int64

    public init(project: String = "", engine: String = "", name: String = "", createdSince: Int64 = 0, createdUntil: Int64 = 0) {
        self.project = project
        self.engine = engine
        self.name = name
        self.createdSince = createdSince
        self.createdUntil = createdUntil
    }
}

/// Tasks by state (`TaskStateCounts`). `Wire` because BrainCore's `TaskStateCounts` is the
/// domain type.
public struct WireTaskStateCounts: Hashable, Sendable {
    public var pending: UInt64 = 0
    public var started: UInt64 = 0
    public var succeeded: UInt64 = 0
    public var failed: UInt64 = 0
    public var cancelled: UInt64 = 0
    public var retried: UInt64 = 0
    public var lost: UInt64 = 0

    public init() {}

    /// The count of `state` (0 for `unspecified`).
    public subscript(state: WireTaskState) -> UInt64 {
        get {
            switch state {
            case .pending: pending
            case .started: started
            case .succeeded: succeeded
            case .failed: failed
            case .cancelled: cancelled
            case .retried: retried
            case .lost: lost
            case .unspecified: 0
            }
        }
        set {
            switch state {
            case .pending: pending = newValue
            case .started: started = newValue
            case .succeeded: succeeded = newValue
            case .failed: failed = newValue
            case .cancelled: cancelled = newValue
            case .retried: retried = newValue
            case .lost: lost = newValue
            case .unspecified: break
            }
        }
    }
}

/// Statistics of the tasks of one name (`TaskNameStats`). `Wire` because BrainCore's
/// `TaskNameStats` is the domain type.
public struct WireTaskNameStats: Hashable, Sendable {
    public var name: String = ""
    public var counts = WireTaskStateCounts()
    /// Finished runs with both a start and a finish time.
    public var runtimeSamples: UInt32 = 0
    /// 0 when there are no samples.
    public var runtimeP50Ns: Int64 = 0
    public var runtimeP99Ns: Int64 = 0
    /// failed / (succeeded + failed); `nil` when none finished either way.
    public var failureRate: Double?

    public init() {}
}
