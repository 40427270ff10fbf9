import BrainProtocol

extension BrainState {
    /// Applies one event from an agent that said hello.
    ///
    /// An event at or below the agent's last seq was handled before and changes nothing.
    /// A refused event is recorded in the persistence-error sink and still advances the
    /// agent's seq, so resending it is harmless.
    @usableFromInline
    mutating func apply(_ event: AgentEvent, agentID: String, now: Int64) -> EventOutcome {
        // The server sends task events as `.taskEvent` commands, redacted; one that comes this
        // way (a client of BrainCore) takes the same path and is redacted there.
        if case .taskEvent(let reported) = event.kind, let report = TaskEventReport(reported, seq: event.seq) {
            return apply(taskEvent: report, agentID: agentID, now: now)
        }
        let agent: Agent
        switch admit(seq: event.seq, agentID: agentID, phase: PersistencePhase.handler, now: now) {
        case .admitted(let admitted): agent = admitted
        case .settled(let outcome): return outcome
        }
        let outcome: EventOutcome
        switch event.kind {
        case .runCreated(let created): outcome = createRun(created, agent: agent, seq: event.seq, now: now)
        case .runStatus(let change): outcome = changeStatus(change, agent: agent, now: now)
        case .step(let step): outcome = addStep(step, agent: agent, now: now)
        case .taskEvent:
            outcome = reject(
                BrainError(.invalidArgument, "task event \(event.seq) has no kind; send task_sent, started, succeeded, failed, retry, cancelled or expired"),
                phase: PersistencePhase.upsertTask, runID: "", agent: agent, payload: "{\"seq\":\(event.seq)}", now: now
            )
        case .scheduleUpsert, .scheduleDelete, .scheduleFired, .scheduleListing, .commandReceived, .commandResult:
            // The server applies these as their own commands (``agentEventCommand(_:agentID:)``,
            // redacted), never as raw events. Here only journals written before it did replay
            // them: they were refused then, so they are refused, and recorded, the same way.
            outcome = reject(
                BrainError(.unimplemented, "event \(event.seq) is a \(event.kind.name) event, which this brain does not handle yet; upgrade the brain"),
                phase: PersistencePhase.handler, runID: "", agent: agent, payload: "{\"seq\":\(event.seq)}", now: now
            )
        case .unknown:
            outcome = reject(
                BrainError(.unimplemented, "event \(event.seq) has a kind this brain does not know; upgrade the brain"),
                phase: PersistencePhase.handler, runID: "", agent: agent, payload: "{\"seq\":\(event.seq)}", now: now
            )
        }
        advance(agentID: agentID, to: event.seq)
        return outcome
    }

    /// What the agent-seq gate decided for an agent event.
    enum Admission {
        /// Apply it: from this agent, a seq it has not sent before.
        case admitted(Agent)
        /// Already answered: an unknown agent, seq 0 (refused into the sink under `phase`), or
        /// a seq at or below the agent's last (a duplicate).
        case settled(EventOutcome)
    }

    /// The gate every agent event passes, run or task: an unknown agent is refused, seq 0 is
    /// refused (and recorded), a seq at or below the agent's last was handled before. After
    /// an admitted event, ``advance(agentID:to:)`` moves the agent's seq, refused or not, so a
    /// resend is harmless. `advancing`: the seq is moved here instead, through the same
    /// look-up of the agent (one hash of its id, not two), for a caller whose handling of the
    /// event reads nothing of the agent's seq (a task event).
    mutating func admit(seq: UInt64, agentID: String, phase: String, now: Int64, advancing: Bool = false) -> Admission {
        guard let index = agents.index(forKey: agentID) else {
            return .settled(.rejected(BrainError(.failedPrecondition, "unknown agent id \(agentID); say hello first")))
        }
        let agent = agents.values[index]
        eventsHandled &+= 1
        guard seq != 0 else {
            return .settled(
                reject(
                    BrainError(
                        .invalidArgument,
                        "event seq 0 is not allowed; number an agent's events 1, 2, 3, ... (the welcome's last_seq + 1 after a reconnect)"),
                    phase: phase, runID: "", agent: agent, payload: "{\"seq\":0}", now: now
                ))
        }
        if seq <= agent.lastSeq { return .settled(.duplicate) }
        if advancing { agents.values[index].lastSeq = seq }
        return .admitted(agent)
    }

    /// Records `seq` as the agent's last, after ``admit(seq:agentID:phase:now:)`` admitted it.
    mutating func advance(agentID: String, to seq: UInt64) {
        // Through the index: `agents[agentID]?.lastSeq = ...` allocated in Dictionary's modify
        // accessor on every event (Benchmarks/Micro/README.md).
        if let index = agents.index(forKey: agentID) { agents.values[index].lastSeq = seq }
    }

    // MARK: Runs

    mutating func createRun(_ created: RunCreated, agent: Agent, seq: UInt64, now: Int64) -> EventOutcome {
        let payload = {
            JSONText.object([
                "run_id": created.runID, "goal": created.goal, "target_url": created.targetURL, "run_type": created.runType,
                "parent_run_id": created.parentRunID,
            ])
        }
        func refuse(_ code: StatusCode, _ message: String, _ runID: String = created.runID) -> EventOutcome {
            reject(BrainError(code, message), phase: PersistencePhase.upsertRun, runID: runID, agent: agent, payload: payload(), now: now)
        }
        var runID = created.runID.lowercased()
        if runID.isEmpty {
            runID = DeterministicID.make("run", agent.agentID, String(seq))
        } else if !UUIDText.isValid(runID) {
            return refuse(
                .invalidArgument,
                "run id \"\(created.runID)\" is not a UUID (like 123e4567-e89b-12d3-a456-426614174000); leave it empty to let the brain choose one")
        }
        guard let status = RunStateMachine.initialStatus(created.initialStatus) else {
            return refuse(.invalidArgument, "a run starts queued or running, not \(created.initialStatus.name)", runID)
        }
        if !created.targetURL.isEmpty, let problem = URLText.problem(in: created.targetURL) {
            return refuse(.invalidArgument, "target_url \"\(created.targetURL)\" is not an absolute URL: \(problem)", runID)
        }
        if created.runType.count > configuration.maxRunTypeLength {
            return refuse(.invalidArgument, "run_type is \(created.runType.count) characters; the limit is \(configuration.maxRunTypeLength)", runID)
        }
        for (json, field) in [(created.workflowJSON, "workflow"), (created.inputJSON, "input"), (created.metadataJSON, "metadata")] where !json.isEmpty {
            if let problem = JSONValidator.problem(in: json) {
                return refuse(.invalidArgument, "run \(field) is not valid JSON: \(problem)", runID)
            }
        }
        var parentKey: Int?
        if !created.parentRunID.isEmpty {
            guard let key = runKey(created.parentRunID), !runs[key].isDeleted else {
                return refuse(.notFound, "parent run \(created.parentRunID) does not exist; create the parent first", runID)
            }
            parentKey = key
        }
        if let existingKey = runKey(runID) {
            let existing = runs[existingKey]
            // Every field the agent sent must match for a resend to be a duplicate; the
            // initial status and created_at are not compared (the run may have moved on,
            // and a resend may carry a new agent clock).
            let same =
                existing.agentID == agent.agentID && existing.goal == created.goal && existing.targetURL == created.targetURL
                && existing.runType == created.runType && existing.inputJSON == created.inputJSON
                && existing.parentRunID == created.parentRunID.lowercased() && existing.workflowJSON == created.workflowJSON
                && existing.metadataJSON == created.metadataJSON && existing.initiatedBy == created.initiatedBy
                && existing.timeoutMs == created.timeoutMs
            return same ? .duplicate : refuse(.alreadyExists, "run \(runID) already exists with different content", runID)
        }
        let key = runs.count
        var run = Run(key: key, runID: runID, agent: agent, created: created, status: status, now: now)
        run.serial = nextRunSerial
        nextRunSerial += 1
        run.parentRunID = created.parentRunID.lowercased()
        runs.append(run)
        if let runKey = RunKey(runID) { runKeys[runKey] = key }
        openRunsByAgent[agent.agentID, default: []].insert(key)
        if created.timeoutMs > 0 {
            // Saturating: timeout_ms comes off the wire and may be absurdly large.
            let (nanos, overflow) = Int64(clamping: created.timeoutMs).multipliedReportingOverflow(by: 1_000_000)
            let (deadline, late) = now.addingReportingOverflow(overflow ? Int64.max : nanos)
            runDeadlines[key] = overflow || late ? Int64.max : deadline
        }
        if let parentKey { runs[parentKey].childRunIDs.append(runID) }
        note(.run(run.info))
        return .applied
    }

    mutating func changeStatus(_ change: RunStatusChanged, agent: Agent, now: Int64) -> EventOutcome {
        let phase = change.status.isTerminal ? PersistencePhase.updateRunTerminal : PersistencePhase.upsertRun
        let payload = {
            JSONText.object(["run_id": change.runID, "status": change.status.name, "error_type": change.errorType, "error_message": change.errorMessage])
        }
        func refuse(_ code: StatusCode, _ message: String) -> EventOutcome {
            reject(BrainError(code, message), phase: phase, runID: change.runID, agent: agent, payload: payload(), now: now)
        }
        guard let key = runKey(change.runID), !runs[key].isDeleted else {
            return refuse(.notFound, "run \(change.runID) does not exist; send run_created before its status")
        }
        let run = runs[key]
        guard run.agentID == agent.agentID else {
            return refuse(.permissionDenied, "run \(change.runID) belongs to agent \(run.agentName), not \(agent.name)")
        }
        if run.status == change.status, run.status.isTerminal, sameTerminalContent(run, change) { return .duplicate }
        guard let event = RunEvent(target: change.status), let next = RunStateMachine.next(run.status, on: event) else {
            return refuse(.failedPrecondition, RunStateMachine.refusal(run.status, to: change.status, runID: run.runID))
        }
        for (json, field) in [(change.resultJSON, "result"), (change.errorContextJSON, "error_context")] where !json.isEmpty {
            if let problem = JSONValidator.problem(in: json) { return refuse(.invalidArgument, "run \(field) is not valid JSON: \(problem)") }
        }
        if change.failedAtStep != 0, !run.stepIndex(seq: change.failedAtStep).found {
            return refuse(.invalidArgument, "failed_at_step \(change.failedAtStep) is not a step of run \(run.runID) (it holds \(run.steps.count) steps)")
        }
        runs[key].status = next
        runs[key].updatedAt = now
        switch next {
        case .completed:
            runs[key].resultJSON = change.resultJSON
        case .failed, .abandoned:
            runs[key].errorType = change.errorType
            runs[key].errorMessage = change.errorMessage
            runs[key].failedAtStep = change.failedAtStep
            runs[key].errorContextJSON = change.errorContextJSON
        default:
            break
        }
        if next.isTerminal { finish(key: key, now: now) }
        note(.run(runs[key].info))
        return .applied
    }

    private func sameTerminalContent(_ run: Run, _ change: RunStatusChanged) -> Bool {
        run.resultJSON == change.resultJSON && run.errorType == change.errorType && run.errorMessage == change.errorMessage
            && run.failedAtStep == change.failedAtStep && run.errorContextJSON == change.errorContextJSON
    }

    // MARK: Steps

    mutating func addStep(_ step: StepReported, agent: Agent, now: Int64) -> EventOutcome {
        let payload = {
            JSONText.object(["run_id": step.runID, "seq": String(step.seq), "step_name": step.stepName, "status": step.status.name])
        }
        func refuse(_ code: StatusCode, _ phase: String, _ message: String) -> EventOutcome {
            reject(BrainError(code, message), phase: phase, runID: step.runID, agent: agent, payload: payload(), now: now)
        }
        guard let key = runKey(step.runID), !runs[key].isDeleted else {
            return refuse(.notFound, PersistencePhase.persistStep, "run \(step.runID) does not exist; send run_created before its steps")
        }
        guard step.seq >= 1 else {
            return refuse(.invalidArgument, PersistencePhase.createStep, "step seq must be 1 or more (it is 1-based)")
        }
        let position = runs[key].stepIndex(seq: step.seq)
        if position.found {
            if runs[key].steps[position.index].sameContent(as: step) { return .duplicate }
            return refuse(.alreadyExists, PersistencePhase.createStep, "step \(step.seq) of run \(runs[key].runID) already exists with different content")
        }
        if runs[key].status.isTerminal {
            return refuse(
                .failedPrecondition, PersistencePhase.incrementStep, "run \(runs[key].runID) is \(runs[key].status.name); a finished run takes no more steps")
        }
        if runs[key].agentID != agent.agentID {
            return refuse(.permissionDenied, PersistencePhase.createStep, "run \(runs[key].runID) belongs to agent \(runs[key].agentName), not \(agent.name)")
        }
        if step.stepName.isEmpty || step.stepName.count > configuration.maxStepNameLength {
            return refuse(
                .invalidArgument, PersistencePhase.createStep,
                "step_name must be 1 to \(configuration.maxStepNameLength) characters (it is \(step.stepName.count))")
        }
        guard step.status != .unspecified else {
            return refuse(.invalidArgument, PersistencePhase.createStep, "step status must be ok, skip or error")
        }
        if !step.inputJSON.isEmpty, let problem = JSONValidator.problem(in: step.inputJSON) {
            return refuse(.invalidArgument, PersistencePhase.createStep, "step input is not valid JSON: \(problem)")
        }
        if !step.outputJSON.isEmpty, let problem = JSONValidator.problem(in: step.outputJSON) {
            return refuse(.invalidArgument, PersistencePhase.createStep, "step output is not valid JSON: \(problem)")
        }
        store(Step(step, receivedAt: now), inRun: key, at: position.index, now: now)
        return .applied
    }

    /// Keeps a new step in its run, in seq order (shared by the general and the fast path).
    mutating func store(_ stored: Step, inRun key: Int, at index: Int, now: Int64) {
        if index == runs[key].steps.count {
            runs[key].steps.append(stored)
        } else {
            runs[key].steps.insert(stored, at: index)
        }
        runs[key].updatedAt = now
        stepCount += 1
        // One bump per change, watched or not: note() bumps it itself.
        if collectChanges { note(.step(stored.info(runID: runs[key].runID))) } else { revision &+= 1 }
    }
}
