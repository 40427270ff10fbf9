import BrainProtocol

extension PersistencePhase {
    /// An agent's receipt or result for a command that the brain refused (its sink rows).
    package static let agentCommand = "agent_command"
}

extension BrainState {
    /// The longest command id a client may choose.
    package static let maxCommandIDBytes = 200

    /// Issues a command to an agent (`RetryTask`, `CancelTask`, `SetScheduleEnabled`).
    ///
    /// Refused when its task or schedule does not exist (`NOT_FOUND`) or the agent that
    /// reported it is not known (`FAILED_PRECONDITION`); an offline agent is fine: the command
    /// waits, `pending`, until its deadline.
    @usableFromInline
    mutating func issue(_ request: AgentCommandRequest, now: Int64) -> Result<AgentCommandRecord, BrainError> {
        guard request.deadline > now else {
            return .failure(BrainError(.invalidArgument, "the command's deadline \(RFC3339.format(request.deadline)) is not in the future"))
        }
        let key = commandTable.records.count
        let commandID = request.commandID.isEmpty ? DeterministicID.make("command", String(commandTable.issued + 1), String(now)) : request.commandID
        guard commandID.utf8.count <= Self.maxCommandIDBytes else {
            return .failure(BrainError(.invalidArgument, "command id is \(commandID.utf8.count) bytes; the limit is \(Self.maxCommandIDBytes)"))
        }
        guard commandTable.key(commandID) == nil else { return .failure(BrainError(.alreadyExists, "command \(commandID) already exists")) }
        var record: AgentCommandRecord
        if request.kind.targetsTask {
            let task: TaskRecord
            switch self.task(id: request.taskID, project: request.project, engine: request.engine) {
            case .success(let found): task = found
            case .failure(let error): return .failure(error)
            }
            guard let agent = agents[task.agentID] else {
                return .failure(
                    BrainError(.failedPrecondition, "task \(task.taskID) has no known agent to \(request.kind == .retryTask ? "retry" : "cancel") it"))
            }
            record = AgentCommandRecord(
                key: key, commandID: commandID, kind: request.kind, project: task.project, agentID: agent.agentID, createdAt: now, deadline: request.deadline)
            record.taskID = task.taskID
            record.engine = task.engine
            record.taskName = task.name
        } else {
            let schedule: ScheduleRecord
            switch self.schedule(project: request.project, scheduler: request.scheduler, name: request.scheduleName) {
            case .success(let found): schedule = found
            case .failure(let error): return .failure(error)
            }
            guard let agent = agents[schedule.agentID] else {
                return .failure(BrainError(.failedPrecondition, "schedule \(schedule.name) has no known agent to change it"))
            }
            record = AgentCommandRecord(
                key: key, commandID: commandID, kind: request.kind, project: schedule.project, agentID: agent.agentID, createdAt: now,
                deadline: request.deadline)
            record.scheduler = schedule.scheduler
            record.scheduleName = schedule.name
        }
        commandTable.append(record)
        note(.command(record))
        return .success(record)
    }

    /// The command was written to its agent's connection. Unchanged (and not journalled) when
    /// it was delivered before or is over.
    @usableFromInline
    mutating func commandDelivered(_ commandID: String, now: Int64) -> CommandOutcome {
        guard let key = commandTable.key(commandID) else {
            return .agentCommand(.failure(BrainError(.notFound, "command \(commandID) does not exist")))
        }
        var record = commandTable.records[key]
        let (next, transition) = record.machine.on(.delivered)
        guard transition == .moved else { return .unchanged }
        record.machine = next
        record.deliveredAt = now
        commandTable.update(record)
        note(.command(record))
        return .agentCommand(.success(record))
    }

    /// An agent's receipt, through the agent-seq dedup; a second receipt (same command id, any
    /// seq) changes nothing.
    @usableFromInline
    mutating func apply(commandReceived receipt: CommandReceipt, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: receipt.seq, agentID: agentID, phase: PersistencePhase.agentCommand, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        defer { advance(agentID: agentID, to: receipt.seq) }
        var record: AgentCommandRecord
        switch ownCommand(receipt.commandID, agent: agent, now: now) {
        case .success(let found): record = found
        case .failure(let refusal): return refusal.outcome
        }
        let (next, transition) = record.machine.on(.received)
        guard transition == .moved else { return .duplicate }
        record.machine = next
        record.receivedAt = now
        commandTable.update(record)
        note(.command(record))
        return .applied
    }

    /// The command for an agent's result, its message redacted under the agent's project.
    package func commandResultCommand(_ report: CommandResultReport, agentID: String) -> BrainCommand {
        .commandResult(redactedResult(report, agentID: agentID), agentID: agentID)
    }

    /// `report` with its message redacted under the project of `agentID`.
    package func redactedResult(_ report: CommandResultReport, agentID: String) -> CommandResultReport {
        guard !report.isRedacted else { return report }
        let redactor = redactors.redactor(forProject: agents[agentID]?.project ?? Project.defaultName)
        var redacted = report
        redacted.message = redactor.redactText(report.message, limit: redactor.policy.maxValueBytes)
        redacted.isRedacted = true
        return redacted
    }

    /// An agent's result, through the agent-seq dedup. The first result counts; one after the
    /// deadline is kept, marked late. A successful retry fills the original task's
    /// `retried_as`; a successful enable or disable sets the schedule's `enabled` (late or not:
    /// the agent did it).
    @usableFromInline
    mutating func apply(commandResult report: CommandResultReport, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: report.seq, agentID: agentID, phase: PersistencePhase.agentCommand, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        defer { advance(agentID: agentID, to: report.seq) }
        let report = redactedResult(report, agentID: agentID)
        var record: AgentCommandRecord
        switch ownCommand(report.commandID, agent: agent, now: now) {
        case .success(let found): record = found
        case .failure(let refusal): return refusal.outcome
        }
        if report.newTaskID.utf8.count > taskSettings.maxTaskIDBytes {
            return rejectCommandEvent(
                .invalidArgument, "new_task_id is \(report.newTaskID.utf8.count) bytes; the limit is \(taskSettings.maxTaskIDBytes)", report.commandID, agent,
                now)
        }
        let (next, transition) = record.machine.on(.result(ok: report.ok))
        guard transition != .unchanged else { return .duplicate }
        record.machine = next
        if transition == .moved { record.finishedAt = now }
        record.resultMessage = report.message
        record.newTaskID = report.newTaskID
        commandTable.update(record)
        note(.command(record))
        if report.ok { carryOut(record, now: now) }
        return .applied
    }

    /// What a successful command changes in the brain's own records.
    private mutating func carryOut(_ record: AgentCommandRecord, now: Int64) {
        switch record.kind {
        case .retryTask:
            guard !record.newTaskID.isEmpty, let key = taskTable.key(project: record.project, engine: record.engine, taskID: record.taskID) else { return }
            taskTable.records[key].retriedAs = record.newTaskID
            taskTable.records[key].updatedAt = now
            noteTask(key: key, now: now)
        case .cancelTask:
            break  // The task's own cancelled event says it; the brain does not guess.
        case .enableSchedule, .disableSchedule:
            setScheduleEnabled(
                project: record.project, scheduler: record.scheduler, name: record.scheduleName, enabled: record.kind == .enableSchedule, now: now)
        }
    }

    /// The command `commandID` if it is `agent`'s; otherwise the refusal, recorded in the sink.
    private mutating func ownCommand(_ commandID: String, agent: Agent, now: Int64) -> Result<AgentCommandRecord, CommandEventRefusal> {
        guard let key = commandTable.key(commandID) else {
            return .failure(CommandEventRefusal(rejectCommandEvent(.notFound, "command \(commandID) does not exist", commandID, agent, now)))
        }
        let record = commandTable.records[key]
        guard record.agentID == agent.agentID else {
            return .failure(
                CommandEventRefusal(
                    rejectCommandEvent(.permissionDenied, "command \(commandID) was sent to another agent, not \(agent.name)", commandID, agent, now)))
        }
        return .success(record)
    }

    private mutating func rejectCommandEvent(_ code: StatusCode, _ message: String, _ commandID: String, _ agent: Agent, _ now: Int64) -> EventOutcome {
        reject(
            BrainError(code, message), phase: PersistencePhase.agentCommand, runID: "", agent: agent, payload: JSONText.object(["command_id": commandID]),
            now: now)
    }

    /// Open commands whose deadline has passed at `now`, oldest first. Apply them with
    /// ``BrainCommand/commandTimeouts(_:)``, journalled as found, so replay needs no clock.
    package func dueCommandTimeouts(now: Int64) -> [String] {
        commandTable.openDeadlines.filter { $0.value <= now }.keys.sorted().map { commandTable.records[$0].commandID }
    }

    /// Times out the commands (those still open; one that finished since is left alone).
    @usableFromInline
    mutating func applyCommandTimeouts(_ commandIDs: [String], now: Int64) {
        for commandID in commandIDs {
            guard let key = commandTable.key(commandID) else { continue }
            var record = commandTable.records[key]
            let (next, transition) = record.machine.on(.deadlinePassed)
            guard transition == .moved else { continue }
            record.machine = next
            record.finishedAt = now
            commandTable.update(record)
            note(.command(record))
        }
    }
}

/// A refused agent event about a command, already recorded in the sink.
struct CommandEventRefusal: Error {
    var outcome: EventOutcome
    init(_ outcome: EventOutcome) { self.outcome = outcome }
}
