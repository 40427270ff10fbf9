import BrainCore
import BrainProtocol
import BrainStore

/// A project's redaction on the server: `redact_steps` (the steps of a project that turns it
/// on are redacted before anything is journalled, and journalled as the frame of the
/// redacted step; the others keep the hot path, which journals the agent's frame as it came)
/// and the project's redactor for task events, both cached per connection.
extension BrainEngine {
    /// Whether steps from `context`'s agent are redacted (its project's `redact_steps`): the
    /// connection's cached answer (``refreshProjectRules(_:agentID:)``), so the step hot path
    /// pays two compares, not a lookup.
    @inline(__always)
    func redactsSteps(_ context: ConnectionContext, agentID: String) -> Bool {
        refreshProjectRules(context, agentID: agentID)
        return context.redactsSteps
    }

    /// The redactor of the project of the agent `context` speaks for (task events): the
    /// connection's cached one (``refreshProjectRules(_:agentID:)``).
    func taskRedactor(_ context: ConnectionContext, agentID: String) -> Redactor {
        refreshProjectRules(context, agentID: agentID)
        return context.redactor ?? reading { $0.redactor(forAgent: agentID) }
    }

    /// Looks the connection's project rules (``ConnectionContext/redactsSteps``,
    /// ``ConnectionContext/redactor``) up again when projects' settings changed
    /// (``BrainCore/BrainState/projectSettingsRevision``) or the connection said hello since.
    @inline(__always)
    func refreshProjectRules(_ context: ConnectionContext, agentID: String) {
        let revision = state.projectSettingsRevision
        guard context.projectRulesRevision != revision else { return }
        // In place (``reading(_:)``): a plain call copies the whole BrainState.
        context.redactsSteps = reading { $0.redactsSteps(agentID: agentID) }
        context.redactor = reading { $0.redactor(forAgent: agentID) }
        context.projectRulesRevision = revision
    }

    /// A step of a project with `redact_steps`: redacted by the project's redactor, then
    /// applied, journalled and recorded (`--record`) as the frame of the redacted step,
    /// never the agent's frame, so no secret reaches disk (replay applies that frame).
    func publishRedacted(_ step: StepReported, seq: UInt64, callID: UInt64, agentID: String, from context: ConnectionContext, now: Int64) {
        let event = AgentEvent(seq: seq, kind: .step(reading { $0.redactedStep(step, agentID: agentID) }))
        let bytes = WireCodec.encode(BrainRequest(callID: callID, method: .publish(event)))
        if recorder != nil { bytes.withUnsafeBytes { StreamRecorder.append(frame: $0, to: &recordBuffer) } }
        guard case .event(let outcome) = execute(.event(event, agentID: agentID), now: now) else { return }
        bytes.withUnsafeBytes { finishPublish(outcome, seq: seq, agentID: agentID, callID: callID, frame: $0, from: context, now: now) }
    }
}
