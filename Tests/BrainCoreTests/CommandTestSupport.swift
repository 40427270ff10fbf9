import BrainProtocol
import Testing

@testable import BrainCore

extension Harness {
    /// Issues a command and returns it (fails the test when refused).
    @discardableResult
    mutating func issue(_ request: AgentCommandRequest, now: Int64 = Time.start) -> AgentCommandRecord? {
        switch state.apply(.issueAgentCommand(request), now: now) {
        case .agentCommand(.success(let record)): return record
        case let other:
            Issue.record("command refused: \(other)")
            return nil
        }
    }

    /// Issues a command and returns its id; throws (failing the test) when refused.
    mutating func issued(_ request: AgentCommandRequest, now: Int64 = Time.start) throws -> String {
        try #require(issue(request, now: now)).commandID
    }

    /// The refusal of issuing `request`, or nil when it was issued.
    mutating func refusal(_ request: AgentCommandRequest, now: Int64 = Time.start) -> BrainError? {
        if case .agentCommand(.failure(let error)) = state.apply(.issueAgentCommand(request), now: now) { return error }
        return nil
    }

    /// The agent's receipt, with the next seq.
    @discardableResult
    mutating func receive(_ commandID: String, as agent: String? = nil, now: Int64 = Time.start) -> EventOutcome {
        seq += 1
        return apply(.commandReceived(CommandReceipt(seq: seq, commandID: commandID), agentID: agent ?? agentID), now: now)
    }

    /// The agent's result, with the next seq, through the builder that redacts.
    @discardableResult
    mutating func result(
        _ commandID: String, ok: Bool, message: String = "", newTaskID: String = "", as agent: String? = nil, now: Int64 = Time.start
    ) -> EventOutcome {
        seq += 1
        let report = CommandResultReport(seq: seq, commandID: commandID, ok: ok, message: message, newTaskID: newTaskID)
        return apply(state.commandResultCommand(report, agentID: agent ?? agentID), now: now)
    }

    /// A schedule report, with the next seq, through the builder that redacts.
    @discardableResult
    mutating func schedule(
        _ name: String, _ expression: String, type: ScheduleType = .cron, scheduler: String = "beat", as agent: String? = nil, now: Int64 = Time.start,
        _ edit: (inout ReportedSchedule) -> Void = { _ in }
    ) -> EventOutcome {
        seq += 1
        var report = ReportedSchedule(scheduler: scheduler, name: name, task: "app.\(name)", type: type, expression: expression)
        edit(&report)
        return apply(state.scheduleReportCommand(report, seq: seq, agentID: agent ?? agentID), now: now)
    }

    /// A listing, with the next seq.
    @discardableResult
    mutating func listing(_ reports: [ReportedSchedule], complete: Bool, scheduler: String = "beat", as agent: String? = nil, now: Int64 = Time.start)
        -> EventOutcome
    {
        seq += 1
        let listing = ReportedScheduleListing(seq: seq, scheduler: scheduler, reports: reports, complete: complete)
        return apply(state.scheduleListingCommand(listing, agentID: agent ?? agentID), now: now)
    }

    /// A firing, with the next seq.
    @discardableResult
    mutating func fired(_ name: String, at: Int64, scheduler: String = "beat", now: Int64 = Time.start) -> EventOutcome {
        seq += 1
        return apply(.scheduleFired(ScheduleFiring(seq: seq, scheduler: scheduler, name: name, at: at), agentID: agentID), now: now)
    }

    /// The schedule `name` of project `proj` (fails the test when there is none).
    func scheduled(_ name: String, scheduler: String = "beat", project: String = "proj") -> ScheduleRecord? {
        switch state.schedule(project: project, scheduler: scheduler, name: name) {
        case .success(let record): return record
        case .failure(let error):
            Issue.record("no schedule \(name): \(error)")
            return nil
        }
    }

    /// The command `commandID` as it is now.
    func command(_ commandID: String) -> AgentCommandRecord? { try? state.command(id: commandID).get() }
}

/// Unix nanoseconds of an RFC 3339 instant, for readable tests.
func instant(_ text: String) -> Int64 {
    guard let value = RFC3339.parse(text) else {
        Issue.record("not an instant: \(text)")
        return 0
    }
    return value
}
