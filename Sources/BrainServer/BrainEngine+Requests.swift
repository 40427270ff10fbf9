import BrainCore
import BrainFraming
import BrainProtocol
import BrainStore
import Logging
import NIOCore

extension BrainEngine {
    /// Dispatches one request; replies are queued on the connection and written at the end of the batch.
    func handle(_ request: BrainRequest, frame: UnsafeRawBufferPointer, from context: ConnectionContext) {
        let callID = request.callID
        let now = WallClock.now()
        switch request.method {
        case .hello(let hello):
            self.hello(hello, callID: callID, from: context, now: now)
        case .heartbeat:
            context.append(.ok(callID, .heartbeat(receivedAt: now)))
        case .publish(let event):
            switch event.kind {
            case .runCreated, .runStatus, .step, .unknown: publish(event, callID: callID, frame: frame, from: context, now: now)
            default: publishTaskOrLater(event, callID: callID, frame: frame, from: context, now: now)
            }
        case .getStatus:
            context.append(.ok(callID, .statusReply(statusReply(now: now))))
        case .listAgents(let project):
            context.append(.ok(callID, .agents(reading { $0.listAgents(project: project) })))
        case .createAgent(let name, let project):
            let token = SecretKey.newToken()
            let tokenHash = secret.hash(token: token)
            let outcome = execute(.createAgent(name: name, project: project, tokenHash: tokenHash), now: now)
            guard case .agent(let result) = outcome else { return }
            reply(context, callID, result.map { .createdAgent($0.info, token: token) }, after: outcome)
        case .listRuns(let query):
            reply(context, callID, reading { $0.listRuns(query) }.map { .runs($0) })
        case .getRun(let query):
            switch reading({ $0.getRunSelection(query) }) {
            case .success(let selection):
                var writer = RunDetailWriter(callID: callID, run: selection.run.info, childRunIDs: selection.run.childRunIDs)
                for step in selection.steps { writer.append(step.wireStep) }
                writer.writeFrame(into: &context.output)
            case .failure(let error):
                context.append(.failure(callID, error))
            }
        case .listSteps(let query):
            reply(context, callID, reading { $0.listSteps(query) }.map { .steps($0) })
        case .cancelRun(let runID, let reason):
            let outcome = execute(.cancelRun(runID: runID, reason: reason), now: now)
            guard case .run(let result) = outcome else { return }
            reply(context, callID, result.map { .runInfo($0) }, after: outcome)
        case .deleteRun(let runID):
            let outcome = execute(.deleteRun(runID: runID), now: now)
            guard case .run(let result) = outcome else { return }
            reply(context, callID, result.map { .runInfo($0) }, after: outcome)
        case .listPersistenceErrors(let query):
            reply(context, callID, reading { $0.listErrors(query) }.map { .persistenceErrors($0) })
        case .watch(let query):
            startWatch(query, callID: callID, from: context)
        case .cancelCall(let target):
            let cancelled = cancelWatch(target, on: context)
            context.append(.ok(callID, .cancelCall(cancelled: cancelled)))
        case .getStats:
            context.append(.ok(callID, .stats(statsReply())))
        case .snapshot:
            snapshot { result in
                switch result {
                case .success(let reply): context.append(.ok(callID, .snapshot(reply)))
                case .failure(let error): context.append(.failure(callID, error))
                }
                context.flush()
            }
        case .listProjects: listProjects(callID: callID, from: context)
        case .getProject(let name): getProject(name: name, callID: callID, from: context)
        case .createProject(let name, let settings): createProject(name: name, settings: settings, callID: callID, from: context, now: now)
        case .updateProject(let name, let settings): updateProject(name: name, settings: settings, callID: callID, from: context, now: now)
        case .listTasks(let query): listTasks(query, callID: callID, from: context, now: now)
        case .getTask(let query): getTask(query, callID: callID, from: context, now: now)
        case .getTaskStats(let query): getTaskStats(query, callID: callID, from: context)
        case .retryTask(let query): taskCommand(.retryTask, query, callID: callID, from: context, now: now)
        case .cancelTask(let query): taskCommand(.cancelTask, query, callID: callID, from: context, now: now)
        case .setScheduleEnabled(let query): setScheduleEnabled(query, callID: callID, from: context, now: now)
        case .getCommand(let commandID): getCommand(commandID, callID: callID, from: context)
        case .listCommands(let query): listCommands(query, callID: callID, from: context)
        case .listSchedules(let query): listSchedules(query, callID: callID, from: context)
        case .getSchedule(let query): getSchedule(query, callID: callID, from: context, now: now)
        case .unknown:
            context.append(
                .failure(callID, BrainError(.unimplemented, "unknown or missing method; this brain speaks brain.v1 as of version \(BrainVersion.string)")))
        }
    }

    /// Queues a call's reply: at once, or, after a command that changed the state, once the
    /// journal holds the change (``reply(_:to:after:)``).
    private func reply(
        _ context: ConnectionContext, _ callID: UInt64, _ result: Result<BrainResponse.Result, BrainError>, after outcome: CommandOutcome = .unchanged
    ) {
        switch result {
        case .success(let value): reply(.ok(callID, value), to: context, after: outcome)
        case .failure(let error): context.append(.failure(callID, error))
        }
    }

    private func hello(_ hello: Hello, callID: UInt64, from context: ConnectionContext, now: Int64) {
        let tokenHash = secret.hash(token: hello.token)
        let outcome = execute(.hello(hello, tokenHash: tokenHash, connection: context.agentID), now: now)
        guard case .hello(let result) = outcome else { return }
        switch result {
        case .success(let welcomed):
            let agent = welcomed.agent
            let registered = welcomed.registered
            context.stateMachine.welcomed(agentID: agent.agentID)
            context.projectRulesRevision = .max  // its project's rules are looked up again
            logger.info("agent \(agent.name) (\(agent.project)) connected\(registered ? ", registered" : "")")
            let welcome = Welcome(
                agentID: agent.agentID, heartbeatIntervalMs: state.configuration.heartbeatIntervalMs,
                heartbeatTimeoutMs: state.configuration.heartbeatTimeoutMs, lastSeq: agent.lastSeq, registered: registered,
                protocolVersion: hello.protocolVersion, project: agent.project
            )
            // Held until the journal has the agent (a registration, a reconnection): as any reply to a change.
            reply(.ok(callID, .welcome(welcome)), to: context, after: outcome)
            // After the welcome, so the agent knows who it is before its first command.
            deliverPendingCommands(to: agent.agentID, on: context, now: now)
        case .failure(let error):
            logger.info("hello from \(hello.agentName) refused: \(error)")
            context.append(.failure(callID, error))
        }
    }

    func publish(_ event: AgentEvent, callID: UInt64, frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64) {
        guard let agentID = context.agentID else {
            recordServerError(
                BrainCommand.ErrorRow(
                    phase: PersistencePhase.handler, errorType: "ProtocolError",
                    message: "event \(event.seq) published before hello", stack: "connection \(context.id)"
                ))
            context.append(
                BrainResponse(
                    callID: callID, error: BrainError(.failedPrecondition, "say hello before publishing events"),
                    result: .rejected(seq: event.seq)
                ))
            return
        }
        if case .step(let step) = event.kind, redactsSteps(context, agentID: agentID) {
            publishRedacted(step, seq: event.seq, callID: callID, agentID: agentID, from: context, now: now)
            return
        }
        if recorder != nil {
            StreamRecorder.append(frame: frame, to: &recordBuffer)
        }
        guard case .event(let outcome) = execute(.event(event, agentID: agentID), now: now) else { return }
        finishPublish(outcome, seq: event.seq, agentID: agentID, callID: callID, frame: frame, from: context, now: now)
    }

    /// The hot path: a step read in place from its frame.
    func publishStep(
        _ view: StepReportedView, callID: UInt64, eventSeq: UInt64, frame: UnsafeRawBufferPointer, from context: ConnectionContext, now: Int64
    ) {
        guard let agentID = context.agentID else {
            publish(AgentEvent(seq: eventSeq, kind: .step(view.report)), callID: callID, frame: frame, from: context, now: now)
            return
        }
        // One compare of a cached flag: steps of projects without redact_steps stay on this path.
        if redactsSteps(context, agentID: agentID) {
            publishRedacted(view.report, seq: eventSeq, callID: callID, agentID: agentID, from: context, now: now)
            return
        }
        if recorder != nil {
            StreamRecorder.append(frame: frame, to: &recordBuffer)
        }
        // The `.step` case of `apply`, not `execute`: a step is journalled from its frame by
        // finishPublish, so execute would add nothing but an out-of-line call in which the
        // whole command switch runs again for every step.
        let outcome = state.applyStep(view, eventSeq: eventSeq, agentID: agentID, now: now)
        finishPublish(outcome, seq: eventSeq, agentID: agentID, callID: callID, frame: frame, from: context, now: now)
    }

    /// Journals a handled event (from its frame; `nil`: ``execute(_:now:)`` journalled its
    /// command), answers a refusal, and notes the ack to send.
    func finishPublish(
        _ outcome: EventOutcome, seq: UInt64, agentID: String, callID: UInt64, frame: UnsafeRawBufferPointer?, from context: ConnectionContext,
        now: Int64
    ) {
        if outcome != .duplicate, let frame {
            // Refusals are journaled too: replaying them rebuilds the same sink rows.
            journalBuffer.appendEvent(agentID: agentID, request: frame, now: now)
        }
        if case .rejected(let error) = outcome {
            context.append(BrainResponse(callID: callID, error: error, result: .rejected(seq: seq)))
        }
        if case .applied = outcome, seq != 0 {
            context.pendingAck = seq  // applied means seq is now the agent's last: no lookup
        } else if let lastSeq = reading({ $0.lastSeq(agentID: agentID) }) {
            context.pendingAck = lastSeq
        }
    }

    func statusReply(now: Int64) -> StatusReply {
        var reply = StatusReply()
        reply.version = BrainVersion.string
        reply.startedAt = startedAt
        reply.uptimeMs = UInt64(max(0, now - startedAt) / 1_000_000)
        reply.socketPath = configuration.socketPath
        reply.dataDir = configuration.dataDirectory
        reply.agents = reading { $0.agentCounts }
        reply.lastSnapshotAt = snapshotScheduler.lastSnapshotAt
        reply.runs = reading { $0.runCounts }
        reply.steps = state.stepCount
        reply.persistenceFault = persistenceFault
        reply.persistenceErrors = UInt64(reading { $0.liveErrorCount })
        reply.fsyncPolicy = configuration.fsyncPolicy.description
        reply.journalBytes = UInt64(journalBytes + journalBuffer.count)
        reply.lastRetentionSweep = lastRetentionSweep?.info
        return reply
    }

    func statsReply() -> StatsReply {
        var reply = StatsReply()
        reply.runs = reading { $0.runCounts }
        reply.steps = state.stepCount
        reply.eventsApplied = state.eventsHandled
        reply.eventsPerSecond = ingestMeter.eventsPerSecond
        reply.persistenceErrors = UInt64(reading { $0.liveErrorCount })
        reply.connections = UInt32(connections.count)
        return reply
    }
}
