import BrainProtocol

/// Every change to a ``BrainState`` is one of these, applied by
/// ``BrainState/apply(_:now:)``: the live brain and journal replay call that one function,
/// so what the brain did before a crash and what it rebuilds after are the same by
/// construction.
///
/// Durable commands are journalled (``CommandLog`` encodes them) before their effect is
/// acknowledged; the liveness commands (``signOfLife(agentID:)``, ``disconnected(agentID:)``,
/// ``restarted``) are not, because after a restart every agent starts `unknown` anyway.
/// Not `Sendable`: a step read in place points into its frame, valid only while the frame is.
package enum BrainCommand {
    /// An agent's hello: registers it (trust on first use) or checks its token. `connection`
    /// is the agent the connection already said hello as, if any (not journalled).
    case hello(Hello, tokenHash: String, connection: String?)
    /// A hello as the journal keeps it: its `Request` frame without the token (see
    /// ``Hello/journalFrame``), and the token's HMAC.
    case helloFrame(UnsafeRawBufferPointer, tokenHash: String)
    /// An agent event, decoded.
    case event(AgentEvent, agentID: String)
    /// The fast lane: a published step read in place from its frame.
    case step(StepReportedView, eventSeq: UInt64, agentID: String)
    /// An agent event as the journal keeps it: the `Request` frame it arrived in. Applied as
    /// ``step(_:eventSeq:agentID:)`` or ``event(_:agentID:)``, whichever the frame holds.
    case eventFrame(UnsafeRawBufferPointer, agentID: String)
    /// `brainctl agent create`.
    case createAgent(name: String, project: String, tokenHash: String)
    /// `CancelRun`: abandons the run and its unfinished descendants.
    case cancelRun(runID: String, reason: String)
    /// `DeleteRun`: a soft delete.
    case deleteRun(runID: String)
    /// Agents silent past the heartbeat timeout go offline; runs past their deadline are
    /// abandoned. Computed by ``BrainState/dueTimeouts(now:)`` and journalled as found, so
    /// replay needs no clock.
    case timeouts(Timeouts)
    /// A persistence error the server found itself (not an agent event's refusal).
    case recordError(ErrorRow)
    /// Retention: sink rows older than the configured retention go.
    case pruneErrors
    /// A task event from an agent, decoded. Build it with
    /// ``BrainState/taskEventCommand(_:agentID:)``, which redacts the report under the agent's
    /// project first, so the journal keeps no secret; applied through the same agent-seq
    /// dedup as ``event(_:agentID:)`` (``TaskStateMachine`` has the merge rules). Indirect:
    /// a report is larger than any other command, and an enum is as large as its largest
    /// case, so inline it would have grown every command the step path builds.
    indirect case taskEvent(TaskEventReport, agentID: String)
    /// Started tasks the brain calls lost: their agents stayed offline past the grace period.
    /// Found by ``BrainState/dueTaskLiveness(now:)`` and journalled as found (with the reasons),
    /// so replay needs no clock. A command of its own rather than part of ``timeouts(_:)``:
    /// the lost decision runs on its own grace period (an agent goes offline at one tick, its
    /// tasks are lost minutes later, when no agent may time out), and the timeouts record
    /// keeps the format it has in journals already written.
    case taskLiveness([LostTask])
    /// A new project with its settings.
    case createProject(name: String, settings: ProjectSettings)
    /// Replaces a project's settings.
    case updateProject(name: String, settings: ProjectSettings)
    /// A client asks an agent to retry or cancel a task, or to enable or disable a schedule
    /// (``AgentCommandRequest``; the deadline is absolute, the id given or made from the
    /// command's serial and `now`). Indirect: a request is larger than most commands.
    indirect case issueAgentCommand(AgentCommandRequest)
    /// The server wrote the command to its agent's connection.
    case commandDelivered(commandID: String)
    /// An agent's receipt of a command: an agent event (agent-seq dedup, then dedup on the
    /// command id).
    case commandReceived(CommandReceipt, agentID: String)
    /// An agent's result for a command: an agent event. Build it with
    /// ``BrainState/commandResultCommand(_:agentID:)``, which redacts the message first.
    indirect case commandResult(CommandResultReport, agentID: String)
    /// Open commands past their deadline, found by ``BrainState/dueCommandTimeouts(now:)`` and
    /// journalled as found.
    case commandTimeouts([String])
    /// A schedule as its scheduler holds it: an agent event with its seq. Build it with
    /// ``BrainState/scheduleReportCommand(_:seq:agentID:)``, which redacts args, kwargs and
    /// metadata first.
    indirect case scheduleUpsert(ReportedSchedule, seq: UInt64, agentID: String)
    /// A scheduler dropped a schedule: an agent event.
    case scheduleDelete(ScheduleDeletion, agentID: String)
    /// A schedule fired (sets its last run, predicts the next): an agent event.
    indirect case scheduleFired(ScheduleFiring, agentID: String)
    /// Every schedule of a scheduler: an agent event. Build it with
    /// ``BrainState/scheduleListingCommand(_:agentID:)``.
    indirect case scheduleListing(ReportedScheduleListing, agentID: String)
    /// Retention: what ``BrainState/dueRetention(now:limit:)`` found, journalled as found.
    case retentionSweep(RetentionSweep)
    /// One batch of next-run predictions after a time-zone change: what
    /// ``BrainState/dueScheduleRecompute(limit:)`` found, journalled as found.
    case recomputeNextRuns(ScheduleRecomputeBatch)
    /// Any frame from an agent's connection.
    case signOfLife(agentID: String)
    /// An agent's connection closed.
    case disconnected(agentID: String)
    /// The brain started from its data: every agent is `unknown` until it says hello.
    case restarted

    /// Whether the command is journalled when it changed something (see the type's notes).
    @inlinable
    package var isJournalled: Bool {
        switch self {
        case .signOfLife, .disconnected, .restarted: false
        default: true
        }
    }

    /// A persistence-error row recorded by the server itself.
    package struct ErrorRow: Hashable, Sendable {
        package var phase, runID, project, agentName, errorType, message, stack, payloadJSON: String

        package init(
            phase: String, runID: String = "", project: String = "", agentName: String = "", errorType: String,
            message: String, stack: String = "", payloadJSON: String = ""
        ) {
            self.phase = phase
            self.runID = runID
            self.project = project
            self.agentName = agentName
            self.errorType = errorType
            self.message = message
            self.stack = stack
            self.payloadJSON = payloadJSON
        }
    }
}

/// What applying a ``BrainCommand`` did.
package enum CommandOutcome: Sendable {
    /// An agent event: applied, a duplicate, or refused (and recorded in the sink).
    case event(EventOutcome)
    /// A hello: the agent and whether it was registered just now, or why it was refused.
    case hello(Result<HelloResult, BrainError>)
    /// `createAgent`.
    case agent(Result<Agent, BrainError>)
    /// `cancelRun`, `deleteRun`.
    case run(Result<RunInfo, BrainError>)
    /// `createProject`, `updateProject`.
    case project(Result<Project, BrainError>)
    /// `issueAgentCommand`, `commandDelivered`: the command, or why it was refused.
    case agentCommand(Result<AgentCommandRecord, BrainError>)
    /// Nothing to change (a command delivered again, a recompute batch with nothing left to
    /// predict): not journalled.
    case unchanged
    /// Everything else: it changed what it had to (possibly nothing).
    case done

    /// Whether the state changed in a way the journal must keep: refusals of agent events
    /// (task events included) count (replaying them rebuilds their sink rows); duplicates and
    /// refused requests (a project that exists, bad settings) do not.
    @inlinable
    package var changedState: Bool {
        switch self {
        case .event(let outcome): outcome != .duplicate
        case .hello(let result): (try? result.get()) != nil
        case .agent(let result): (try? result.get()) != nil
        case .run(let result): (try? result.get()) != nil
        case .project(let result): (try? result.get()) != nil
        case .agentCommand(let result): (try? result.get()) != nil
        case .unchanged: false
        case .done: true
        }
    }
}

/// A hello that was let in.
package struct HelloResult: Hashable, Sendable {
    package var agent: Agent
    /// True when this hello registered the agent (trust on first use).
    package var registered: Bool
}
