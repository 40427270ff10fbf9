import BrainProtocol

extension PersistencePhase {
    /// A task event the brain refused (its sink rows).
    package static let upsertTask = "upsert_task"
}

extension BrainState {
    /// All tasks, in order of their first event.
    package var tasks: ChunkedArray<TaskRecord> { taskTable.records }

    /// The command for a task event from `agentID`, its texts already redacted under the
    /// agent's project: build it with this, so that what the journal keeps (the command) holds
    /// no secret. (``apply(_:now:)`` redacts a report that was not, but the journal would then
    /// have been given the command as it was.)
    package func taskEventCommand(_ report: TaskEventReport, agentID: String) -> BrainCommand {
        .taskEvent(redactedReport(report, agentID: agentID), agentID: agentID)
    }

    /// `report` redacted under the project of `agentID`, or as it is when already redacted
    /// (``TaskEventReport/isRedacted``: set by ``TaskEventReport/redacted(by:)``, whose JSON
    /// texts are always JSON, and by the journal's reader only when they are, since the state
    /// embeds them in snapshots as JSON). Checked once per event, not again when applied.
    package func redactedReport(_ report: TaskEventReport, agentID: String) -> TaskEventReport {
        if report.isRedacted { return report }
        return report.redacted(by: redactor(forAgent: agentID))
    }

    /// The redactor of the project of `agentID` (the base policy's for an agent it does not know).
    package func redactor(forAgent agentID: String) -> Redactor {
        redactors.redactor(forProject: agents[agentID]?.project ?? Project.defaultName)
    }

    /// Applies a task event from an agent that said hello.
    ///
    /// It goes through the same agent-seq dedup as every agent event: a report at or below
    /// the agent's last seq was handled before and changes nothing (merge rule 0); a refused
    /// report is recorded in the sink and still advances the seq.
    @usableFromInline
    mutating func apply(taskEvent report: TaskEventReport, agentID: String, now: Int64) -> EventOutcome {
        // The common case in place: a known agent's next seq, already redacted. `admit` hands
        // back a copy of the whole Agent (a retain and a release of each of its ten strings
        // and arrays per event); the merge needs its project only.
        if report.isRedacted, report.seq != 0, let index = agents.index(forKey: agentID) {
            let (lastSeq, project) = Self.lastSeqAndProject(of: &agents.values[index])
            if report.seq > lastSeq {
                eventsHandled &+= 1
                agents.values[index].lastSeq = report.seq
                return merge(report, agentID: agentID, project: project, now: now)
            }
        }
        // Anything else goes through the gate every agent event passes, which words the refusals.
        let agent: Agent
        // The seq moves on admission (the merge reads nothing of it), refused or not.
        switch admit(seq: report.seq, agentID: agentID, phase: PersistencePhase.upsertTask, now: now, advancing: true) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        // Redacted already on every live and replayed path; the copy is only for one that is not.
        let redacted = report.isRedacted ? report : redactedReport(report, agentID: agentID)
        return merge(redacted, agentID: agent.agentID, project: agent.project, now: now)
    }

    /// Reads through the in-place (modify) accessor: the getter of `Dictionary.Values`
    /// copies the whole Agent.
    static func lastSeqAndProject(of agent: inout Agent) -> (UInt64, String) { (agent.lastSeq, agent.project) }

    private mutating func merge(_ report: TaskEventReport, agentID: String, project: String, now: Int64) -> EventOutcome {
        if let problem = problem(in: report) {
            let payload = JSONText.object(["task_id": report.taskID, "engine": report.engine, "kind": report.kind.name, "seq": String(report.seq)])
            guard let agent = agents[agentID] else { return .rejected(BrainError(.invalidArgument, problem)) }
            return reject(BrainError(.invalidArgument, problem), phase: PersistencePhase.upsertTask, runID: "", agent: agent, payload: payload, now: now)
        }
        let hash = TaskIDIndex.hash(report.taskID)
        let key = taskTable.key(project: project, engine: report.engine, taskID: report.taskID, hash: hash)
        return merge(report, into: key, hash: hash, agentID: agentID, project: project, now: now) { (report.taskID, report.engine) }
    }

    /// Merges an event into the task at `key`, or into a new task of `project` when `key` is
    /// `nil`, its id and engine given by `identity` (asked only then); `hash` is the task
    /// id's ``TaskIDIndex/hash(_:)``.
    mutating func merge(
        _ report: some TaskEventSource, into key: Int?, hash: UInt64, agentID: String, project: String, now: Int64,
        identity: () -> (taskID: String, engine: String)
    ) -> EventOutcome {
        if let key {
            taskTable.absorb(report, at: key, agentID: agentID, now: now, first: false)
            noteTask(key: key, now: now)
        } else {
            let (taskID, engine) = identity()
            // Appended empty, then merged in place as any task is. A Celery task has about
            // three events (sent, started, a terminal one): room for them now saves the
            // history's growth by one and two.
            let key = taskTable.appendNew(taskID: taskID, project: project, engine: engine, createdAt: now, eventCapacity: 3, hash: hash)
            taskTable.absorb(report, at: key, agentID: agentID, now: now, first: true)
            noteTask(key: key, now: now)
        }
        return .applied
    }

    /// Why a report cannot be applied (ids and names too long or missing), or `nil`.
    private func problem(in report: TaskEventReport) -> String? {
        let limits = taskSettings
        if report.taskID.isEmpty || report.taskID.utf8.count > limits.maxTaskIDBytes {
            return "task_id must be 1 to \(limits.maxTaskIDBytes) bytes (it is \(report.taskID.utf8.count))"
        }
        if report.engine.isEmpty || report.engine.utf8.count > limits.maxEngineBytes {
            return "engine must be 1 to \(limits.maxEngineBytes) bytes, like celery (it is \(report.engine.utf8.count))"
        }
        // Checked one by one, not through an array of the fields: this runs for every task event.
        func tooLong(_ field: String, _ value: String, _ limit: Int) -> String? {
            value.utf8.count > limit ? "\(field) is \(value.utf8.count) bytes; the limit is \(limit)" : nil
        }
        return tooLong("name", report.name, limits.maxNameBytes) ?? tooLong("queue", report.queue, limits.maxQueueBytes)
            ?? tooLong("group_id", report.groupID, limits.maxQueueBytes) ?? tooLong("retried_as", report.retriedAs, limits.maxQueueBytes)
            ?? tooLong("exc_type", report.excType, limits.maxExcTypeBytes)
    }

    /// Notes the change of the task at `key` for watchers (built only when someone watches:
    /// its info is a copy of the record), and bumps the revision either way.
    mutating func noteTask(key: Int, now: Int64) {
        if collectChanges { note(.task(taskTable.records[key].info(now: now, stuckAfterNs: taskSettings.stuckAfterNs))) } else { revision &+= 1 }
    }
}
