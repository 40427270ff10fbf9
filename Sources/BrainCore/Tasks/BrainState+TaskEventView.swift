import BrainProtocol

extension BrainState {
    /// Applies a published task event read in place from its frame, whose texts redaction
    /// leaves unchanged under the agent's project (``TaskEventReport/isUnchanged(_:by:)``:
    /// the caller checked, or had them checked): the task-ingestion hot path, as
    /// ``apply(step:eventSeq:agentID:now:)`` is for steps.
    ///
    /// The common case (a known agent's next seq, short texts in ASCII and within their
    /// limits) is merged here, a text becoming a string only when the task's record takes
    /// it; anything else goes through ``apply(taskEvent:agentID:now:)`` with an owning copy,
    /// so both paths share one set of rules and messages (and one merge,
    /// ``TaskRecord/absorb(_:agentID:now:first:names:)``).
    @usableFromInline
    mutating func apply(taskEvent view: TaskEventReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        guard let kind = TaskEventKind(view.kind), eventSeq != 0, isPlain(view), let index = agents.index(forKey: agentID) else {
            return applyCopy(of: view, eventSeq: eventSeq, agentID: agentID, now: now)
        }
        let (lastSeq, project) = Self.lastSeqAndProject(of: &agents.values[index])
        guard eventSeq > lastSeq else { return applyCopy(of: view, eventSeq: eventSeq, agentID: agentID, now: now) }
        eventsHandled &+= 1
        agents.values[index].lastSeq = eventSeq
        let engine = view.engine.isEmpty ? Self.defaultEngineBytes : view.engine
        let hash = TaskIDIndex.hash(bytes: view.taskID)
        let key = taskTable.key(project: project, engine: engine, taskID: view.taskID, hash: hash)
        let source = TaskEventViewSource(view: view, kind: kind, seq: eventSeq)
        return merge(source, into: key, hash: hash, agentID: agentID, project: project, now: now) {
            (TaskEventReportedView.string(view.taskID), view.engine.isEmpty ? TaskEventReport.defaultEngine : TaskEventReportedView.string(view.engine))
        }
    }

    /// A task event read in place from a journalled frame (``applyFrame(_:agentID:now:)``):
    /// checked for secrets under the agent's project as the live brain checked it, then
    /// merged in place when redaction leaves it unchanged, or redacted as a report when not.
    /// `nil` for an event without a kind (the decoder's path refuses it).
    @usableFromInline
    mutating func apply(taskEventFrame view: TaskEventReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome? {
        guard TaskEventKind(view.kind) != nil else { return nil }
        if TaskEventReport.isUnchanged(view, by: redactor(forAgent: agentID)) {
            return apply(taskEvent: view, eventSeq: eventSeq, agentID: agentID, now: now)
        }
        guard let report = TaskEventReport(view.reported, seq: eventSeq) else { return nil }
        return apply(taskEvent: report, agentID: agentID, now: now)
    }

    /// The event as a report, through the general path (which refuses, or counts a duplicate).
    private mutating func applyCopy(of view: TaskEventReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        guard var report = TaskEventReport(view.reported, seq: eventSeq) else {
            // No kind: refused by the gate every agent event passes.
            return apply(AgentEvent(seq: eventSeq, kind: .taskEvent(view.reported)), agentID: agentID, now: now)
        }
        // Unchanged by redaction, as the caller found.
        report.keepAsSent()
        return apply(taskEvent: report, agentID: agentID, now: now)
    }

    /// Whether the event's short texts are ASCII and within their limits, so that its bytes
    /// are the strings a report would hold and ``problem(in:)`` would find nothing.
    private func isPlain(_ view: TaskEventReportedView) -> Bool {
        let limits = taskSettings
        return !view.taskID.isEmpty && view.taskID.count <= limits.maxTaskIDBytes && view.engine.count <= limits.maxEngineBytes
            && view.name.count <= limits.maxNameBytes && view.queue.count <= limits.maxQueueBytes
            && view.groupID.count <= limits.maxQueueBytes && view.retriedAs.count <= limits.maxQueueBytes
            && view.excType.count <= limits.maxExcTypeBytes && TaskEventViewSource.isASCII(view.taskID)
            && TaskEventViewSource.isASCII(view.engine) && TaskEventViewSource.isASCII(view.name)
            && TaskEventViewSource.isASCII(view.queue) && TaskEventViewSource.isASCII(view.groupID)
            && TaskEventViewSource.isASCII(view.retriedAs) && TaskEventViewSource.isASCII(view.excType)
    }

    /// ``TaskEventReport/defaultEngine``'s bytes, for an event that names no engine.
    static var defaultEngineBytes: UnsafeRawBufferPointer {
        let engine = TaskEventReport.defaultEngineLiteral
        return UnsafeRawBufferPointer(start: engine.utf8Start, count: engine.utf8CodeUnitCount)
    }
}
