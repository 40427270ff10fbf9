import BrainProtocol

/// Something that changed in the state, reported to watchers.
package enum BrainChange: Hashable, Sendable {
    case run(RunInfo)
    case step(StepInfo)
    case agent(AgentInfo)
}

/// How an agent event was handled.
package enum EventOutcome: Hashable, Sendable {
    /// Applied: state changed.
    case applied
    /// Already held (an old seq, or the same step again): nothing changed.
    case duplicate
    /// Refused with a reason; recorded in the persistence-error sink.
    case rejected(BrainError)
}
