import BrainCore
import BrainProtocol
import BrainStore

/// Tasks on the server: published task events, the task queries and the lost decision.
extension BrainEngine {
    // MARK: Agent events

    /// A published event that is not a run's: a task event, or one the brain does not handle yet.
    func publishTaskOrLater(_ event: AgentEvent, callID: UInt64, frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64) {
        guard context.agentID != nil else {
            // Refused there as any event before hello, without journalling the frame.
            publish(event, callID: callID, frame: frame, from: context, now: now)
            return
        }
        if case .taskEvent(let reported) = event.kind {
            // Decoded by protobuf-c (the frame holds something the fast lane leaves to it): the
            // frame is never journalled as it came.
            var report = TaskEventReport()
            report.fields = reported
            publishTaskEvent(&report, eventSeq: event.seq, callID: callID, from: context, now: now)
        } else if publishAgentEventCommand(event, callID: callID, from: context, now: now) {
            return
        } else {
            publishRefused(event, callID: callID, from: context, now: now)
        }
    }

    /// Publishes the task event `frame` holds when ``TaskEventFrameParser`` reads it and the
    /// connection's agent said hello; returns whether it did (otherwise the frame is left to
    /// protobuf-c, which also words the refusal of an event before hello).
    ///
    /// When redaction changes none of its texts (most events: `checked` is the identity of the
    /// redactor under which ``TaskCheckWorker`` found so, or the check is made here on the
    /// frame's bytes),
    /// the event is merged as read, without a report of strings
    /// (``BrainCore/BrainState/applyTaskEvent(_:eventSeq:agentID:now:)``), and the journal
    /// keeps the frame as it came, as it does a step's: replay reads and checks it the same
    /// way. Otherwise the event is redacted as a report, and the journal keeps the redacted
    /// command, never the frame, which holds what the agent sent, secrets included.
    @inline(__always)
    func publishTaskEvent(frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64, unchangedUnder checked: ObjectIdentifier?) -> Bool {
        guard let agentID = context.agentID, let (ids, view) = TaskEventFrameParser.parse(frame) else { return false }
        if !context.publishesTaskEvents { context.publishesTaskEvents = true }
        guard TaskEventKind(view.kind) != nil else {
            publishRefused(AgentEvent(seq: ids.eventSeq, kind: .taskEvent(view.reported)), callID: ids.callID, from: context, now: now)
            return true
        }
        // The worker's answer counts under the project's redactor only; the identities are
        // compared without retaining the redactor, which the worker's thread also uses.
        refreshProjectRules(context, agentID: agentID)
        if checked == nil || checked != context.redactorID {
            guard TaskEventReport.isUnchanged(view, by: taskRedactor(context, agentID: agentID), verdicts: &keyVerdicts) else {
                var report = TaskEventReport()
                report.fields = view.reported
                publishTaskEvent(&report, eventSeq: ids.eventSeq, callID: ids.callID, from: context, now: now, inFull: true)
                return true
            }
        }
        if recorder != nil { StreamRecorder.append(frame: frame, to: &recordBuffer) }
        let outcome = state.applyTaskEvent(view, eventSeq: ids.eventSeq, agentID: agentID, now: now)
        finishPublish(outcome, seq: ids.eventSeq, agentID: agentID, callID: ids.callID, frame: frame, from: context, now: now)
        return true
    }

    /// A task event from an agent that said hello, as a report, redacted under the agent's
    /// project before anything is journalled: one protobuf-c decoded, or one read in place
    /// whose texts redaction changes (`inFull`: the check on its bytes found so, and it is
    /// not made again). `report` holds the event as read (``TaskEventReport/fields``, not yet
    /// adopted); it is redacted in place. The journal keeps the redacted command.
    func publishTaskEvent(
        _ report: inout TaskEventReport, eventSeq: UInt64, callID: UInt64, from context: ConnectionContext, now: Int64, inFull: Bool = false
    ) {
        guard let agentID = context.agentID else { return }
        if !context.publishesTaskEvents { context.publishesTaskEvents = true }
        guard report.adoptFields(seq: eventSeq) else {
            publishRefused(AgentEvent(seq: eventSeq, kind: .taskEvent(report.fields)), callID: callID, from: context, now: now)
            return
        }
        let redactor = taskRedactor(context, agentID: agentID)
        if inFull { report = report.redactedTextByText(by: redactor) } else { _ = report.redact(by: redactor) }
        let command = BrainCommand.taskEvent(report, agentID: agentID)
        if recorder != nil {
            // `--record` keeps the redacted event: a recording is a file on disk.
            let event = AgentEvent(seq: eventSeq, kind: .taskEvent(TaskEventReported(report)))
            WireCodec.encode(BrainRequest(callID: callID, method: .publish(event))).withUnsafeBytes {
                StreamRecorder.append(frame: $0, to: &recordBuffer)
            }
        }
        guard case .event(let outcome) = execute(command, now: now) else { return }
        finishPublish(outcome, seq: eventSeq, agentID: agentID, callID: callID, frame: nil, from: context, now: now)
    }

    /// Starts ``TaskCheckWorker`` on a read of `context` when it pays: a large read of a
    /// connection that publishes task events, from an agent that said hello. Returns the
    /// redactor it checks under (the project's now), or `nil` when it was not started.
    func startTaskCheck(of bytes: UnsafeRawBufferPointer, for context: ConnectionContext) -> Redactor? {
        guard let worker = taskCheckWorker, bytes.count >= configuration.taskCheckMinReadBytes, context.publishesTaskEvents,
            let agentID = context.agentID
        else { return nil }
        let redactor = taskRedactor(context, agentID: agentID)
        worker.start(bytes, redactor: redactor)
        return redactor
    }

    /// An event BrainCore refuses (a task event without a kind, a kind this brain does not
    /// know), journalled as a frame of what the refusal depends on only:
    /// the kind and the seq, not the args, kwargs or messages it carried.
    private func publishRefused(_ event: AgentEvent, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard let agentID = context.agentID else { return }
        let kept = AgentEvent(seq: event.seq, kind: event.kind.identityOnly)
        let bytes = WireCodec.encode(BrainRequest(callID: callID, method: .publish(kept)))
        if recorder != nil { bytes.withUnsafeBytes { StreamRecorder.append(frame: $0, to: &recordBuffer) } }
        guard case .event(let outcome) = execute(.event(kept, agentID: agentID), now: now) else { return }
        bytes.withUnsafeBytes { finishPublish(outcome, seq: event.seq, agentID: agentID, callID: callID, frame: $0, from: context, now: now) }
    }

    // MARK: Queries

    /// `ListTasks`.
    func listTasks(_ query: ListTasksQuery, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard var domain = TaskQuery(query) else {
            let names = WireTaskState.allCases.filter { $0 != .unspecified }.map(\.name).joined(separator: ", ")
            context.append(.failure(callID, BrainError(.invalidArgument, "states holds TASK_STATE_UNSPECIFIED; ask for any of \(names)")))
            return
        }
        let stuckAfter = state.taskSettings.stuckAfterNs
        // Stuck: started since before now minus the threshold (never 0, which means "any").
        if query.stuckOnly { domain.startedBefore = max(1, now - stuckAfter) }
        switch reading({ $0.listTasks(domain) }) {
        case .success(let page):
            let tasks = page.tasks.map { $0.info(now: now, stuckAfterNs: stuckAfter) }
            context.append(.ok(callID, .tasks(TaskList(tasks: tasks, nextCursor: page.nextCursor))))
        case .failure(let error):
            context.append(.failure(callID, error))
        }
    }

    /// `GetTask`.
    func getTask(_ query: GetTaskQuery, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard !query.taskID.isEmpty else {
            context.append(.failure(callID, BrainError(.invalidArgument, "task_id is empty; give the id of a task (brainctl tasks lists them)")))
            return
        }
        switch reading({ $0.task(id: query.taskID, project: query.project, engine: query.engine) }) {
        case .success(let task): context.append(.ok(callID, .task(task.detail(now: now, stuckAfterNs: state.taskSettings.stuckAfterNs))))
        case .failure(let error): context.append(.failure(callID, error))
        }
    }

    /// `GetTaskStats`.
    func getTaskStats(_ query: GetTaskStatsQuery, callID: UInt64, from context: ConnectionContext) {
        context.append(.ok(callID, .taskStats(reading { $0.taskStats(TaskStatsQuery(query)) }.map(\.wire))))
    }

    // MARK: Time

    /// Started tasks whose agent stayed offline past the grace period become `lost` (tick).
    func markLostTasks(now: Int64) {
        let lost = reading { $0.dueTaskLiveness(now: now) }
        if !lost.isEmpty { execute(.taskLiveness(lost), now: now) }
    }
}

extension AgentEvent.Kind {
    /// The event with only what names it (ids, names, the kind): what a refused event's
    /// journal record keeps, so replay refuses it the same way and no payload reaches disk.
    var identityOnly: AgentEvent.Kind {
        switch self {
        case .taskEvent(let reported):
            .taskEvent(TaskEventReported(taskID: reported.taskID, engine: reported.engine, kind: reported.kind, ts: reported.ts))
        case .scheduleUpsert(let report): .scheduleUpsert(ScheduleReport(scheduler: report.scheduler, name: report.name))
        case .scheduleListing(let listing): .scheduleListing(ScheduleListing(scheduler: listing.scheduler, complete: listing.complete))
        case .commandResult(let result): .commandResult(CommandResult(commandID: result.commandID, ok: result.ok))
        case .runCreated, .runStatus, .step, .scheduleDelete, .scheduleFired, .commandReceived, .unknown: self
        }
    }
}
