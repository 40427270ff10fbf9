import BrainProtocol

/// Something that changed in the state, reported to watchers.
package enum BrainChange: Hashable, Sendable {
    case run(RunInfo)
    case step(StepInfo)
    case agent(AgentInfo)
    /// A task was first heard of or changed (an event, the lost decision, a retry's `retried_as`).
    case task(TaskInfo)
    /// A command to an agent was issued or moved on.
    case command(AgentCommandRecord)
    /// A schedule was reported, fired, enabled or disabled, or its next run moved.
    case schedule(ScheduleRecord)
    /// A schedule was deleted (or left out of a complete listing).
    case scheduleRemoved(ScheduleRecord)
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
