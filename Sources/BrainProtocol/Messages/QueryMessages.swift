/// Filters and a page of `ListRuns`.
public struct ListRunsQuery: Hashable, Sendable {
    public var statuses: [RunStatus] = []
    /// Agent name or id.
    public var agent: String = ""
    public var project: String = ""
    public var parentRunID: String = ""
    public var runType: String = ""
    public var createdSince: Int64 = 0
    public var createdUntil: Int64 = 0
    public var includeDeleted: Bool = false
    /// 0 means the default page size.
    public var limit: UInt32 = 0
    public var cursor: String = ""

    public init() {}
}

/// One page of runs, newest first.
public struct RunList: Hashable, Sendable {
    public var runs: [RunInfo]
    public var nextCursor: String

    public init(runs: [RunInfo] = [], nextCursor: String = "") {
        self.runs = runs
        self.nextCursor = nextCursor
    }
}

/// `GetRun`: a run, optionally restricted to a range of step seqs.
public struct GetRunQuery: Hashable, Sendable {
    public var runID: String
    public var fromSeq: UInt32 = 0
    public var toSeq: UInt32 = 0
    public var includeDeleted: Bool = false

    public init(runID: String, fromSeq: UInt32 = 0, toSeq: UInt32 = 0, includeDeleted: Bool = false) {
        self.runID = runID
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.includeDeleted = includeDeleted
    }
}

/// A run with its children and steps.
public struct RunDetail: Hashable, Sendable {
    public var run: RunInfo
    public var childRunIDs: [String]
    public var steps: [StepInfo]

    public init(run: RunInfo = RunInfo(), childRunIDs: [String] = [], steps: [StepInfo] = []) {
        self.run = run
        self.childRunIDs = childRunIDs
        self.steps = steps
    }
}

/// `ListSteps`: a run's steps from a seq.
public struct ListStepsQuery: Hashable, Sendable {
    public var runID: String
    public var fromSeq: UInt32 = 0
    public var limit: UInt32 = 0

    public init(runID: String, fromSeq: UInt32 = 0, limit: UInt32 = 0) {
        self.runID = runID
        self.fromSeq = fromSeq
        self.limit = limit
    }
}

/// One page of steps.
public struct StepList: Hashable, Sendable {
    public var steps: [StepInfo]
    /// The seq to ask from next; 0 when there is nothing more.
    public var nextSeq: UInt32

    public init(steps: [StepInfo] = [], nextSeq: UInt32 = 0) {
        self.steps = steps
        self.nextSeq = nextSeq
    }
}

/// A row of the persistence-error sink as clients see it.
public struct PersistenceErrorInfo: Hashable, Sendable {
    public var errorID: String = ""
    public var runID: String = ""
    public var phase: String = ""
    public var project: String = ""
    public var errorType: String = ""
    public var errorMessage: String = ""
    public var stack: String = ""
    public var payloadJSON: String = ""
    public var createdAt: Int64 = 0
    public var deletedAt: Int64 = 0
    public var agentName: String = ""

    public init() {}
}

/// `ListPersistenceErrors` filters and page.
public struct ListPersistenceErrorsQuery: Hashable, Sendable {
    public var runID: String = ""
    public var phase: String = ""
    public var since: Int64 = 0
    public var limit: UInt32 = 0
    public var cursor: String = ""

    public init(runID: String = "", phase: String = "", since: Int64 = 0, limit: UInt32 = 0, cursor: String = "") {
        self.runID = runID
        self.phase = phase
        self.since = since
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of persistence errors, newest first.
public struct PersistenceErrorList: Hashable, Sendable {
    public var errors: [PersistenceErrorInfo]
    public var nextCursor: String

    public init(errors: [PersistenceErrorInfo] = [], nextCursor: String = "") {
        self.errors = errors
        self.nextCursor = nextCursor
    }
}

/// What a `Watch` stream follows.
public struct WatchQuery: Hashable, Sendable {
    /// One run ("" for none) ...
    public var runID: String
    /// ... or every run of a project ("" with no run id: every project).
    public var project: String
    /// Also stream agent state changes.
    public var agents: Bool
    /// Also stream task changes (of `project`, or of every project).
    public var tasks: Bool
    /// Also stream schedule changes.
    public var schedules: Bool
    /// Also stream changes of commands to agents.
    public var commands: Bool
    /// Stream no runs (to follow only tasks, say).
    public var runsOff: Bool

    public init(
        runID: String = "", project: String = "", agents: Bool = false, tasks: Bool = false, schedules: Bool = false, commands: Bool = false,
        runsOff: Bool = false
    ) {
        self.runID = runID
        self.project = project
        self.agents = agents
        self.tasks = tasks
        self.schedules = schedules
        self.commands = commands
        self.runsOff = runsOff
    }
}

/// One change on a `Watch` stream.
public enum WatchEvent: Hashable, Sendable {
    case run(RunInfo)
    case step(StepInfo)
    case agent(AgentInfo)
    case task(TaskInfo)
    case schedule(ScheduleInfo)
    case command(CommandInfo)
}

/// `GetStatus`'s answer.
public struct StatusReply: Hashable, Sendable {
    public var version: String = ""
    public var startedAt: Int64 = 0
    public var uptimeMs: UInt64 = 0
    public var socketPath: String = ""
    public var dataDir: String = ""
    public var agents = AgentCounts()
    public var lastSnapshotAt: Int64 = 0
    public var runs = RunCounts()
    public var steps: UInt64 = 0
    public var journalBytes: UInt64 = 0
    public var persistenceFault: String = ""
    public var persistenceErrors: UInt64 = 0
    public var fsyncPolicy: String = ""
    /// The last retention sweep that removed anything since the brain started.
    public var lastRetentionSweep: RetentionSweepInfo?

    public init() {}
}

/// `GetStats`'s answer.
public struct StatsReply: Hashable, Sendable {
    public var runs = RunCounts()
    public var steps: UInt64 = 0
    public var eventsApplied: UInt64 = 0
    public var eventsPerSecond: Double = 0
    public var persistenceErrors: UInt64 = 0
    public var connections: UInt32 = 0

    public init() {}
}

/// `Snapshot`'s answer.
public struct SnapshotReply: Hashable, Sendable {
    public var writtenAt: Int64 = 0
    public var bytes: UInt64 = 0
    public var path: String = ""

    public init(writtenAt: Int64 = 0, bytes: UInt64 = 0, path: String = "") {
        self.writtenAt = writtenAt
        self.bytes = bytes
        self.path = path
    }
}

/// What one retention sweep removed (`GetStatus`).
public struct RetentionSweepInfo: Hashable, Sendable {
    /// The brain's clock.
    public var at: Int64 = 0
    public var runs: UInt64 = 0
    public var tasks: UInt64 = 0
    /// Finished tasks whose old events were trimmed.
    public var taskEventTrims: UInt64 = 0
    public var sinkRows: UInt64 = 0
    public var commands: UInt64 = 0
    /// The sweep stopped at its limit: more was due (the next sweep takes it).
    public var truncated: Bool = false

    public init() {}
}
