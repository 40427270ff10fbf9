import BrainProtocol

extension BrainState {
    /// Applies a published step read in place from its frame: the ingestion hot path.
    ///
    /// The common case (a new step of an open run of this agent, valid fields) is applied
    /// here without making Swift strings; anything else (a duplicate, a refusal) goes
    /// through ``apply(_:agentID:now:)`` with an owning copy, so both paths share one set
    /// of rules and messages.
    @usableFromInline
    mutating func apply(step view: StepReportedView, eventSeq: UInt64, agentID: String, now: Int64) -> EventOutcome {
        // One hash lookup, and no copy of the Agent, for the seq check and its update.
        guard let agentIndex = agents.index(forKey: agentID) else {
            return apply(AgentEvent(seq: eventSeq, kind: .step(view.report)), agentID: agentID, now: now)
        }
        let lastSeq = Self.lastSeq(of: &agents.values[agentIndex])
        // Seq 0 is refused by the general path, which words the refusal.
        guard eventSeq != 0 else { return apply(AgentEvent(seq: eventSeq, kind: .step(view.report)), agentID: agentID, now: now) }
        if eventSeq <= lastSeq {
            eventsHandled &+= 1
            return .duplicate
        }
        let key: Int
        if let recent = recentStepRun.key(for: view.runID) {
            key = recent
        } else if let runKey = RunKey(bytes: view.runID), let found = runKeys[runKey] {
            key = found
            recentStepRun.remember(view.runID, key: found)
        } else {
            return apply(AgentEvent(seq: eventSeq, kind: .step(view.report)), agentID: agentID, now: now)
        }
        guard isFastPathStep(view, key: key, agentID: agentID) else {
            return apply(AgentEvent(seq: eventSeq, kind: .step(view.report)), agentID: agentID, now: now)
        }
        let position = runs[key].stepIndex(seq: view.seq)
        if position.found {
            return apply(AgentEvent(seq: eventSeq, kind: .step(view.report)), agentID: agentID, now: now)
        }
        eventsHandled &+= 1
        store(Step(view, receivedAt: now), inRun: key, at: position.index, now: now)
        agents.values[agentIndex].lastSeq = eventSeq
        return .applied
    }

    /// Reads through the in-place (modify) accessor: the getter of `Dictionary.Values`
    /// copies the whole Agent, retaining each of its strings, on every event.
    private static func lastSeq(of agent: inout Agent) -> UInt64 { agent.lastSeq }

    /// Whether a step passes every check without a closer look (else the slow path decides).
    private func isFastPathStep(_ view: StepReportedView, key: Int, agentID: String) -> Bool {
        // Field by field: copying the whole Run would retain every one of its strings.
        guard runs[key].deletedAt == 0, !runs[key].status.isTerminal, runs[key].agentID == agentID, view.seq >= 1,
            view.status != .unspecified, !view.stepName.isEmpty,
            view.stepName.count <= configuration.maxStepNameLength  // bytes <= limit implies characters <= limit
        else { return false }
        if !view.inputJSON.isEmpty, JSONValidator.problem(in: view.inputJSON) != nil { return false }
        if !view.outputJSON.isEmpty, JSONValidator.problem(in: view.outputJSON) != nil { return false }
        return true
    }
}
