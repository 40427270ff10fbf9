/// Everything a client or agent sends: a call id and one method.
public struct BrainRequest: Hashable, Sendable {
    public enum Method: Hashable, Sendable {
        case hello(Hello)
        case heartbeat(sentAt: Int64)
        case publish(AgentEvent)
        case getStatus
        case listAgents(project: String)
        case createAgent(name: String, project: String)
        case listRuns(ListRunsQuery)
        case getRun(GetRunQuery)
        case listSteps(ListStepsQuery)
        case cancelRun(runID: String, reason: String)
        case deleteRun(runID: String)
        case listPersistenceErrors(ListPersistenceErrorsQuery)
        case watch(WatchQuery)
        case cancelCall(targetCallID: UInt64)
        case getStats
        case snapshot
        case listProjects
        case getProject(name: String)
        /// `settings` `nil`: absent on the wire (the defaults).
        case createProject(name: String, settings: WireProjectSettings?)
        /// Replaces the project's settings as a whole (read, change, write).
        case updateProject(name: String, settings: WireProjectSettings?)
        case listTasks(ListTasksQuery)
        case getTask(GetTaskQuery)
        case getTaskStats(GetTaskStatsQuery)
        case retryTask(TaskCommandQuery)
        case cancelTask(TaskCommandQuery)
        case setScheduleEnabled(SetScheduleEnabledQuery)
        case getCommand(commandID: String)
        case listCommands(ListCommandsQuery)
        case listSchedules(ListSchedulesQuery)
        case getSchedule(GetScheduleQuery)
        /// No method set, or one this build does not know: answered with UNIMPLEMENTED.
        case unknown
    }

    public var callID: UInt64
    public var method: Method

    public init(callID: UInt64, method: Method) {
        self.callID = callID
        self.method = method
    }
}

/// Everything the brain sends: the call id answered, a status, and a result.
public struct BrainResponse: Hashable, Sendable {
    public enum Result: Hashable, Sendable {
        case welcome(Welcome)
        case heartbeat(receivedAt: Int64)
        case ack(ackedSeq: UInt64)
        case rejected(seq: UInt64)
        case statusReply(StatusReply)
        case agents([AgentInfo])
        case createdAgent(AgentInfo, token: String)
        case runs(RunList)
        case run(RunDetail)
        case steps(StepList)
        case runInfo(RunInfo)
        case persistenceErrors(PersistenceErrorList)
        case watchEvent(WatchEvent)
        case cancelCall(cancelled: Bool)
        case stats(StatsReply)
        case snapshot(SnapshotReply)
        /// Unsolicited (call id 0) on an agent's connection: something the brain asks it to do.
        case agentCommand(AgentCommand)
        case projects([ProjectInfo])
        case projectInfo(ProjectInfo)
        case tasks(TaskList)
        case task(TaskDetail)
        case taskStats([WireTaskNameStats])
        case commandInfo(CommandInfo)
        case commands(CommandList)
        case schedules(ScheduleList)
        case schedule(ScheduleDetail)
    }

    public var callID: UInt64
    /// `nil` means OK.
    public var error: BrainError?
    public var endOfStream: Bool
    public var result: Result?

    public init(callID: UInt64, error: BrainError? = nil, endOfStream: Bool = false, result: Result? = nil) {
        self.callID = callID
        self.error = error
        self.endOfStream = endOfStream
        self.result = result
    }

    /// A successful reply.
    public static func ok(_ callID: UInt64, _ result: Result) -> BrainResponse {
        BrainResponse(callID: callID, result: result)
    }

    /// A failed reply.
    public static func failure(_ callID: UInt64, _ error: BrainError) -> BrainResponse {
        BrainResponse(callID: callID, error: error)
    }
}
