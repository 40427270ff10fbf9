import BrainCore
import BrainProtocol

/// Commands to agents on the server: issuing them (`RetryTask`, `CancelTask`,
/// `SetScheduleEnabled`), delivering them as `Response.agent_command` frames (at once when the
/// agent is connected, else after its next hello), their deadlines, and the queries.
///
/// The brain never decides the outcome: a command is `succeeded` or `failed` only by its
/// agent's result, and a schedule is enabled or disabled only when its agent confirms.
extension BrainEngine {
    /// The longest deadline a client may ask for: beyond it a command would outlive any
    /// reasonable wait (and nanoseconds could overflow).
    static let maxCommandDeadlineMs: UInt64 = 30 * 86_400_000

    // MARK: Issuing

    /// `RetryTask` and `CancelTask`.
    func taskCommand(_ kind: AgentCommandKind, _ query: TaskCommandQuery, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard !query.taskID.isEmpty else {
            context.append(.failure(callID, BrainError(.invalidArgument, "task_id is empty; give the id of a task (brainctl tasks lists them)")))
            return
        }
        guard let deadline = commandDeadline(query.deadlineMs, callID: callID, from: context, now: now) else { return }
        let request = AgentCommandRequest(kind: kind, taskID: query.taskID, engine: query.engine, project: query.project, deadline: deadline)
        issue(request, callID: callID, from: context, now: now)
    }

    /// `SetScheduleEnabled`: a command to the schedule's agent; the schedule changes when the
    /// agent's result confirms it, not before.
    func setScheduleEnabled(_ query: SetScheduleEnabledQuery, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard !query.scheduler.isEmpty, !query.name.isEmpty else {
            let message = "SetScheduleEnabled needs the scheduler and the name of the schedule (brainctl schedules lists them)"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        guard let deadline = commandDeadline(query.deadlineMs, callID: callID, from: context, now: now) else { return }
        let request = AgentCommandRequest(
            kind: query.enabled ? .enableSchedule : .disableSchedule, project: query.project, scheduler: query.scheduler, scheduleName: query.name,
            deadline: deadline)
        issue(request, callID: callID, from: context, now: now)
    }

    /// The absolute deadline of a command asked with `deadlineMs` (0: `--command-deadline`),
    /// or `nil` after answering why it cannot be.
    private func commandDeadline(_ deadlineMs: UInt64, callID: UInt64, from context: ConnectionContext, now: Int64) -> Int64? {
        let milliseconds = deadlineMs == 0 ? configuration.commandDeadlineMs : deadlineMs
        guard milliseconds <= Self.maxCommandDeadlineMs else {
            let message = "deadline_ms \(deadlineMs) is longer than 30 days (\(Self.maxCommandDeadlineMs) ms); ask for a shorter wait"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return nil
        }
        return now + Int64(milliseconds) * 1_000_000
    }

    /// Issues a command through ``execute(_:now:)`` (journalled), delivers it when its agent
    /// is connected, and answers with the command as it then is, once that is durable.
    private func issue(_ request: AgentCommandRequest, callID: UInt64, from context: ConnectionContext, now: Int64) {
        let outcome = execute(.issueAgentCommand(request), now: now)
        guard case .agentCommand(let result) = outcome else { return }
        switch result {
        case .success(let record):
            var current = record
            if let agent = agentConnection(record.agentID) {
                current = deliver(record, on: agent, now: now)
                // The agent's connection is not the one being read: write to it now.
                if agent !== context { agent.flush() }
            }
            // Once the journal holds the command (and its delivery, journalled before this).
            reply(.ok(callID, .commandInfo(current.info)), to: context, after: outcome)
        case .failure(let error):
            context.append(.failure(callID, error))
        }
    }

    // MARK: Delivery

    /// The open connection of `agentID` that said hello (the newest, should an old one still
    /// be closing), or `nil` when the agent is offline.
    func agentConnection(_ agentID: String) -> ConnectionContext? {
        connections.values.filter { $0.agentID == agentID && !$0.closing }.max { $0.id < $1.id }
    }

    /// Queues `record` as an unsolicited `agent_command` frame (call id 0) on `context` and
    /// marks it delivered (journalled; a redelivery changes nothing). Returns the command as
    /// it now is.
    @discardableResult
    func deliver(_ record: AgentCommandRecord, on context: ConnectionContext, now: Int64) -> AgentCommandRecord {
        context.append(.ok(0, .agentCommand(record.wireCommand)))
        if case .agentCommand(.success(let delivered)) = execute(.commandDelivered(commandID: record.commandID), now: now) { return delivered }
        return record
    }

    /// After a welcome: every command the agent has not acknowledged whose deadline has not
    /// passed, oldest first (a connection that dropped may have lost the ones delivered).
    func deliverPendingCommands(to agentID: String, on context: ConnectionContext, now: Int64) {
        for record in reading({ $0.pendingCommands(for: agentID, now: now) }) {
            deliver(record, on: context, now: now)
        }
    }

    /// Open commands past their deadline become `timed_out` (tick), journalled as found.
    func timeOutCommands(now: Int64) {
        let due = reading { $0.dueCommandTimeouts(now: now) }
        if !due.isEmpty { execute(.commandTimeouts(due), now: now) }
    }

    // MARK: Queries

    /// `GetCommand`.
    func getCommand(_ commandID: String, callID: UInt64, from context: ConnectionContext) {
        guard !commandID.isEmpty else {
            let message = "command_id is empty; give the id RetryTask, CancelTask or SetScheduleEnabled answered"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        switch reading({ $0.command(id: commandID) }) {
        case .success(let record): context.append(.ok(callID, .commandInfo(record.info)))
        case .failure(let error): context.append(.failure(callID, BrainError(error.code, "\(error.message); brainctl commands lists them")))
        }
    }

    /// `ListCommands`: newest first, filtered, one page.
    func listCommands(_ query: ListCommandsQuery, callID: UInt64, from context: ConnectionContext) {
        guard let domain = AgentCommandQuery(query) else {
            let names = WireCommandState.allCases.filter { $0 != .unspecified }.map(\.name).joined(separator: ", ")
            context.append(.failure(callID, BrainError(.invalidArgument, "states holds COMMAND_STATE_UNSPECIFIED; ask for any of \(names)")))
            return
        }
        switch reading({ $0.listCommands(domain) }) {
        case .success(let page):
            context.append(.ok(callID, .commands(CommandList(commands: page.commands.map(\.info), nextCursor: page.nextCursor))))
        case .failure(let error):
            context.append(.failure(callID, error))
        }
    }
}
