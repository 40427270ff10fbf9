import BrainProtocol
import Foundation

extension PersistencePhase {
    /// A schedule report, deletion, firing or listing the brain refused, or a schedule stored
    /// with an expression it cannot read (its sink rows).
    package static let upsertSchedule = "upsert_schedule"
}

extension BrainState {
    /// The longest scheduler name, schedule name, task name and expression (bytes).
    package static let scheduleLimits = (scheduler: 100, name: 200, task: 500, expression: 1_000)

    /// The command for a schedule report from `agentID`, its args, kwargs and metadata already
    /// redacted under the agent's project: build it with this, so the journal keeps no secret.
    package func scheduleReportCommand(_ report: ReportedSchedule, seq: UInt64, agentID: String) -> BrainCommand {
        .scheduleUpsert(redactedReport(report, agentID: agentID), seq: seq, agentID: agentID)
    }

    /// The command for a listing from `agentID`, every report redacted first.
    package func scheduleListingCommand(_ listing: ReportedScheduleListing, agentID: String) -> BrainCommand {
        var redacted = listing
        redacted.reports = listing.reports.map { redactedReport($0, agentID: agentID) }
        return .scheduleListing(redacted, agentID: agentID)
    }

    /// `report` redacted under the project of `agentID` (as it is when already redacted JSON).
    package func redactedReport(_ report: ReportedSchedule, agentID: String) -> ReportedSchedule {
        report.isRedactedJSON ? report : report.redacted(by: redactors.redactor(forProject: agents[agentID]?.project ?? Project.defaultName))
    }

    /// The time zone `project`'s schedules are read in (UTC for a project never created).
    package func scheduleTimeZone(forProject project: String) -> TimeZone {
        let name = projects[project]?.settings.timeZone ?? "UTC"
        return TimeZone(identifier: name) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    // MARK: Agent events

    /// Applies a schedule report: creates or replaces the schedule (a bad expression is kept,
    /// with its ``ScheduleRecord/problem``, and recorded in the sink once).
    @usableFromInline
    mutating func apply(scheduleUpsert report: ReportedSchedule, seq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: seq, agentID: agentID, phase: PersistencePhase.upsertSchedule, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        let outcome = upsert(redactedReport(report, agentID: agentID), agent: agent, now: now)
        advance(agentID: agentID, to: seq)
        return outcome
    }

    /// Applies a listing: every report upserted; when complete, the agent's schedules of that
    /// scheduler it does not name are removed. Applied when anything changed; a refused report
    /// is recorded in the sink and makes the outcome a refusal (the rest still applies).
    @usableFromInline
    mutating func apply(scheduleListing listing: ReportedScheduleListing, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: listing.seq, agentID: agentID, phase: PersistencePhase.upsertSchedule, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        defer { advance(agentID: agentID, to: listing.seq) }
        var changed = false
        var refusal: BrainError?
        var named: Set<String> = []
        for var report in listing.reports {
            report.scheduler = listing.scheduler
            named.insert(report.name)
            switch upsert(redactedReport(report, agentID: agentID), agent: agent, now: now) {
            case .applied: changed = true
            case .duplicate: break
            case .rejected(let error): refusal = refusal ?? error
            }
        }
        if listing.complete {
            let gone = (scheduleTable.byProject[agent.project] ?? []).filter { identity in
                guard let record = scheduleTable.records[identity] else { return false }
                return record.scheduler == listing.scheduler && record.agentID == agent.agentID && !named.contains(record.name)
            }
            for identity in gone.sorted() {
                if let removed = scheduleTable.remove(identity) {
                    note(.scheduleRemoved(removed))
                    changed = true
                }
            }
        }
        if let refusal { return .rejected(refusal) }
        return changed ? .applied : .duplicate
    }

    /// Applies a deletion from the agent that reported the schedule (one already gone changes nothing).
    @usableFromInline
    mutating func apply(scheduleDelete deletion: ScheduleDeletion, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: deletion.seq, agentID: agentID, phase: PersistencePhase.upsertSchedule, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        defer { advance(agentID: agentID, to: deletion.seq) }
        let identity = ScheduleRecord.identity(project: agent.project, scheduler: deletion.scheduler, name: deletion.name)
        guard let record = scheduleTable.records[identity] else { return .duplicate }
        guard record.agentID == agent.agentID else {
            return refuseSchedule(
                .permissionDenied, "schedule \(deletion.name) of \(deletion.scheduler) belongs to another agent", deletion.scheduler, deletion.name, agent, now)
        }
        if let removed = scheduleTable.remove(identity) { note(.scheduleRemoved(removed)) }
        return .applied
    }

    /// Applies a firing: sets the last run (the later of the two, so a resent or out-of-order
    /// firing never moves it back) and predicts the next.
    @usableFromInline
    mutating func apply(scheduleFired firing: ScheduleFiring, agentID: String, now: Int64) -> EventOutcome {
        let agent: Agent
        switch admit(seq: firing.seq, agentID: agentID, phase: PersistencePhase.upsertSchedule, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        defer { advance(agentID: agentID, to: firing.seq) }
        let identity = ScheduleRecord.identity(project: agent.project, scheduler: firing.scheduler, name: firing.name)
        guard var record = scheduleTable.records[identity] else {
            return refuseSchedule(
                .notFound, "schedule \(firing.name) of \(firing.scheduler) does not exist; report it before it fires", firing.scheduler, firing.name, agent, now
            )
        }
        guard firing.at > record.lastRunAt else { return .duplicate }
        record.lastRunAt = firing.at
        record.nextRunAt = record.predictedNextRun(now: now, in: scheduleTimeZone(forProject: record.project))
        scheduleTable.store(record)
        note(.schedule(record))
        return .applied
    }

    // MARK: Shared

    /// Creates or replaces one schedule from a (redacted) report of `agent`.
    private mutating func upsert(_ report: ReportedSchedule, agent: Agent, now: Int64) -> EventOutcome {
        if let problem = problem(in: report) {
            return refuseSchedule(.invalidArgument, problem, report.scheduler, report.name, agent, now)
        }
        let identity = ScheduleRecord.identity(project: agent.project, scheduler: report.scheduler, name: report.name)
        let existing = scheduleTable.records[identity]
        if let existing, existing.agentID == agent.agentID, existing.matches(report) { return .duplicate }
        var record = existing ?? ScheduleRecord(serial: scheduleTable.lastSerial + 1, project: agent.project, scheduler: report.scheduler, name: report.name)
        if existing == nil { record.createdAt = now }
        let oldProblem = existing?.problem ?? ""
        record.agentID = agent.agentID
        record.task = report.task
        record.type = report.type
        record.expression = report.expression
        record.dialect = report.dialect
        record.argsJSON = report.argsJSON
        record.kwargsJSON = report.kwargsJSON
        record.enabled = report.enabled
        record.metadataJSON = report.metadataJSON
        record.lastRunAt = max(record.lastRunAt, report.lastRunAt)
        record.updatedAt = now
        let error = record.compile()
        record.nextRunAt = record.predictedNextRun(now: now, in: scheduleTimeZone(forProject: record.project))
        scheduleTable.store(record)
        note(.schedule(record))
        // A type the brain does not predict is the scheduler's business, not a mistake; a bad
        // expression is, and the sink shows it once (not at every listing that repeats it).
        if let error, report.type != .unsupported, error.message != oldProblem {
            recordError(
                phase: PersistencePhase.upsertSchedule, project: agent.project, agentName: agent.name, errorType: Self.errorType(for: .invalidArgument),
                message: "schedule \(report.name) of \(report.scheduler): \(error.message)", stack: "agent \(agent.name) (\(agent.agentID)) event",
                payloadJSON: JSONText.object(["scheduler": report.scheduler, "name": report.name, "type": report.type.name, "expression": report.expression]),
                now: now
            )
        }
        return .applied
    }

    /// Why a report cannot be stored at all (names missing or too long, JSON that is not), or `nil`.
    private func problem(in report: ReportedSchedule) -> String? {
        let limits = Self.scheduleLimits
        for (field, value, limit) in [("scheduler", report.scheduler, limits.scheduler), ("name", report.name, limits.name)]
        where value.isEmpty || value.utf8.count > limit {
            return "schedule \(field) must be 1 to \(limit) bytes (it is \(value.utf8.count))"
        }
        for (field, value, limit) in [("task", report.task, limits.task), ("expression", report.expression, limits.expression)] where value.utf8.count > limit {
            return "schedule \(field) is \(value.utf8.count) bytes; the limit is \(limit)"
        }
        for (field, json) in [("args", report.argsJSON), ("kwargs", report.kwargsJSON), ("metadata", report.metadataJSON)] where !json.isEmpty {
            if let problem = JSONValidator.problem(in: json) { return "schedule \(field) is not valid JSON: \(problem)" }
        }
        return nil
    }

    private mutating func refuseSchedule(_ code: StatusCode, _ message: String, _ scheduler: String, _ name: String, _ agent: Agent, _ now: Int64)
        -> EventOutcome
    {
        reject(
            BrainError(code, message), phase: PersistencePhase.upsertSchedule, runID: "", agent: agent,
            payload: JSONText.object(["scheduler": scheduler, "name": name]), now: now
        )
    }

    /// Sets whether a schedule is enabled, as its agent confirmed (a command's result), and
    /// predicts its next run. Returns whether anything changed.
    @discardableResult
    mutating func setScheduleEnabled(project: String, scheduler: String, name: String, enabled: Bool, now: Int64) -> Bool {
        let identity = ScheduleRecord.identity(project: project, scheduler: scheduler, name: name)
        guard var record = scheduleTable.records[identity], record.enabled != enabled else { return false }
        record.enabled = enabled
        record.updatedAt = now
        record.nextRunAt = record.predictedNextRun(now: now, in: scheduleTimeZone(forProject: project))
        scheduleTable.store(record)
        note(.schedule(record))
        return true
    }
}

extension ScheduleRecord {
    /// Whether a report says nothing this record does not already hold.
    func matches(_ report: ReportedSchedule) -> Bool {
        scheduler == report.scheduler && name == report.name && task == report.task && type == report.type && expression == report.expression
            && dialect == report.dialect && argsJSON == report.argsJSON && kwargsJSON == report.kwargsJSON && enabled == report.enabled
            && metadataJSON == report.metadataJSON && report.lastRunAt <= lastRunAt
    }
}
