/// Which merge rule decided an event (``TaskStateMachine``), named in the event's history.
package enum TaskMergeRule: String, CaseIterable, Hashable, Sendable, Codable {
    /// The task's first event: it starts in the event's state.
    case created
    /// The event is of a later attempt than the task's: the task re-runs and precedence
    /// starts over.
    case newAttempt = "new_attempt"
    /// The event is of an earlier attempt: history only.
    case olderAttempt = "older_attempt"
    /// A retry: it sets `retried` whatever the state, as RETRY does in Celery.
    case retryBypass = "retry_bypass"
    /// Any event after a retry of the same (or an unnamed) attempt applies, as in Celery.
    case afterRetry = "after_retry"
    /// The event's state comes later in the lifecycle (pending < started < terminal).
    case precedence
    /// The event's state comes earlier in the lifecycle than the task's: it arrived late.
    case happenedBefore = "happened_before"
    /// The task is already in the event's state: history (and empty fields) only.
    case sameState = "same_state"
    /// A real terminal event replaces the brain's `lost`.
    case overridesLost = "overrides_lost"
    /// Two terminal states of one attempt: the later by the agent's clock wins.
    case laterTerminal = "later_terminal"
    /// Two terminal states of one attempt: this one is not the later, so it is kept as history.
    case earlierTerminal = "earlier_terminal"

    /// Whether the rule moves the task to the event's state.
    package var changesState: Bool {
        switch self {
        case .created, .newAttempt, .retryBypass, .afterRetry, .precedence, .overridesLost, .laterTerminal: true
        case .olderAttempt, .happenedBefore, .sameState, .earlierTerminal: false
        }
    }
}
