import BrainProtocol

extension BrainState {
    /// Applies one command: the only way the state changes.
    ///
    /// The live brain calls it for every request that changes something and journals the
    /// command when ``CommandOutcome/changedState`` says so; replay calls it with the
    /// journalled commands, in order, and with the times they were applied at.
    /// - Parameter now: the brain's clock when the command was received (journalled with it).
    ///
    /// Inlinable so that a caller applying a command it has just built can call the case's
    /// method directly, without materializing the command. The step hot path does not rely
    /// on it: once tasks, schedules and commands grew the switch, the optimizer stopped
    /// inlining it (even with `@inline(__always)`), so the server applies steps through
    /// ``applyStep(_:eventSeq:agentID:now:)``, this function's `.step` case.
    @inlinable
    package mutating func apply(_ command: BrainCommand, now: Int64) -> CommandOutcome {
        switch command {
        case .step(let view, let eventSeq, let agentID):
            return .event(apply(step: view, eventSeq: eventSeq, agentID: agentID, now: now))
        case .event(let event, let agentID):
            return .event(apply(event, agentID: agentID, now: now))
        case .eventFrame(let frame, let agentID):
            return .event(applyFrame(frame, agentID: agentID, now: now))
        case .hello(let hello, let tokenHash, let connection):
            return .hello(self.hello(hello, tokenHash: tokenHash, connection: connection, now: now))
        case .helloFrame(let frame, let tokenHash):
            guard let request = try? WireCodec.decodeRequest(frame), case .hello(let hello) = request.method else {
                return .hello(.failure(BrainError(.invalidArgument, "a journalled hello that holds no hello")))
            }
            return .hello(self.hello(hello, tokenHash: tokenHash, now: now))
        case .createAgent(let name, let project, let tokenHash):
            return .agent(createAgent(name: name, project: project, tokenHash: tokenHash, now: now))
        case .cancelRun(let runID, let reason):
            return .run(cancelRun(runID: runID, reason: reason, now: now))
        case .deleteRun(let runID):
            return .run(deleteRun(runID: runID, now: now))
        case .timeouts(let timeouts):
            applyTimeouts(timeouts, now: now)
        case .taskEvent(let report, let agentID):
            return .event(apply(taskEvent: report, agentID: agentID, now: now))
        case .taskLiveness(let lost):
            applyTaskLiveness(lost, now: now)
        case .createProject(let name, let settings):
            return .project(createProject(name: name, settings: settings, now: now))
        case .updateProject(let name, let settings):
            return .project(updateProject(name: name, settings: settings, now: now))
        case .issueAgentCommand(let request):
            return .agentCommand(issue(request, now: now))
        case .commandDelivered(let commandID):
            return commandDelivered(commandID, now: now)
        case .commandReceived(let receipt, let agentID):
            return .event(apply(commandReceived: receipt, agentID: agentID, now: now))
        case .commandResult(let report, let agentID):
            return .event(apply(commandResult: report, agentID: agentID, now: now))
        case .commandTimeouts(let commandIDs):
            applyCommandTimeouts(commandIDs, now: now)
        case .scheduleUpsert(let report, let seq, let agentID):
            return .event(apply(scheduleUpsert: report, seq: seq, agentID: agentID, now: now))
        case .scheduleDelete(let deletion, let agentID):
            return .event(apply(scheduleDelete: deletion, agentID: agentID, now: now))
        case .scheduleFired(let firing, let agentID):
            return .event(apply(scheduleFired: firing, agentID: agentID, now: now))
        case .scheduleListing(let listing, let agentID):
            return .event(apply(scheduleListing: listing, agentID: agentID, now: now))
        case .retentionSweep(let sweep):
            applyRetention(sweep, now: now)
        case .recomputeNextRuns(let batch):
            return applyScheduleRecompute(batch)
        case .recordError(let row):
            recordError(
                phase: row.phase, runID: row.runID, project: row.project, agentName: row.agentName, errorType: row.errorType,
                message: row.message, stack: row.stack, payloadJSON: row.payloadJSON, now: now
            )
        case .pruneErrors:
            pruneErrors(now: now)
        case .signOfLife(let agentID):
            signOfLife(agentID: agentID, now: now)
        case .disconnected(let agentID):
            disconnected(agentID: agentID, now: now)
        case .restarted:
            markAllUnknown(now: now)
        }
        return .done
    }

    /// An agent event from the `Request` frame it arrived in: a step or a task event is read
    /// in place, as the live brain read it; anything else is decoded. A frame that holds no
    /// publish (a damaged or foreign record) changes nothing.
    @usableFromInline
    mutating func applyFrame(_ frame: UnsafeRawBufferPointer, agentID: String, now: Int64) -> EventOutcome {
        if let parsed = StepFrameParser.parse(frame) {
            return apply(step: parsed.step, eventSeq: parsed.eventSeq, agentID: agentID, now: now)
        }
        if let (ids, view) = TaskEventFrameParser.parse(frame),
            let outcome = apply(taskEventFrame: view, eventSeq: ids.eventSeq, agentID: agentID, now: now)
        {
            return outcome
        }
        guard let request = try? WireCodec.decodeRequest(frame), case .publish(let event) = request.method else {
            return .duplicate
        }
        return apply(event, agentID: agentID, now: now)
    }
}

extension Hello {
    /// The hello as the journal keeps it (``BrainCommand/helloFrame(_:tokenHash:)``): its
    /// `Request` frame with the token removed, which never reaches the disk.
    package var journalFrame: [UInt8] {
        var withoutToken = self
        withoutToken.token = ""
        return WireCodec.encode(BrainRequest(callID: 0, method: .hello(withoutToken)))
    }
}

extension BrainState {
    /// ``apply(_:now:)`` of `.step(view, eventSeq:, agentID:)`, for the ingest hot path: the
    /// same method the command's case calls, without the whole command switch around it (out
    /// of line, measured at ~70 ns a step in Benchmarks/Micro, and seen on every step in a
    /// profile of the release brain). Not a second way to change the state: it is the step
    /// case of the one `apply`, and replay applies journalled steps through `apply`.
    @inlinable
    package mutating func applyStep(_ view: StepReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        apply(step: view, eventSeq: eventSeq, agentID: agentID, now: now)
    }

    /// ``apply(_:now:)`` of `.taskEvent(report, agentID:)`, for the ingest hot path, as
    /// ``applyStep(_:eventSeq:agentID:now:)`` is for steps: the case is `indirect`, so making
    /// the command boxed a copy of the report (a heap allocation, a retain of each of its
    /// thirteen texts, and their release after), ~6% of the event loop's time in a
    /// task-ingest profile. Here the report is only borrowed. The same method the command's
    /// case calls; replay applies journalled task events through `apply`.
    @inlinable
    package mutating func applyTaskEvent(_ report: TaskEventReport, agentID: String, now: Int64) -> EventOutcome {
        apply(taskEvent: report, agentID: agentID, now: now)
    }

    /// ``apply(_:now:)`` of `.eventFrame(frame, agentID:)` for a task event the server read in
    /// place (``TaskEventFrameParser/parse(_:)``) and found unchanged by redaction under the
    /// agent's project, as ``applyTaskEvent(_:agentID:now:)`` is for a decoded one: the
    /// journal keeps the frame, and replay reads it with the same parser, checks it the same
    /// way and calls the same method (``applyFrame(_:agentID:now:)``).
    @inlinable
    package mutating func applyTaskEvent(_ view: TaskEventReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        apply(taskEvent: view, eventSeq: eventSeq, agentID: agentID, now: now)
    }
}
