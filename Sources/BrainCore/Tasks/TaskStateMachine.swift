/// The merge of a task's events, which may arrive out of order: a pure value, each event
/// giving the next value and the rule that decided (``TaskMergeRule``).
///
/// The rules, in the order they are tried (proto/README.md, "Task events: merge rules"):
///
/// 0. **A resent event changes nothing.** An event at or below its agent's last seq is a
///    duplicate before it reaches the merge (the agent-seq dedup every agent event goes
///    through), so it is neither merged nor added to the history.
/// 1. **A later attempt restarts precedence** (``TaskMergeRule/newAttempt``). An event whose
///    attempt is higher than the task's sets the event's state and the new attempt, whatever
///    the state was: a re-run under the same id (Celery's retry, `apply_async(task_id=…)`,
///    RQ's requeue) does not freeze in `failed` (z4j's did: research §1.2).
/// 2. **An earlier attempt is history** (``TaskMergeRule/olderAttempt``): a late event of an
///    attempt already superseded does not move the task. An event with attempt 0 (not known)
///    belongs to the task's current attempt.
/// 3. **Retry bypasses precedence** (``TaskMergeRule/retryBypass``), as RETRY does in
///    `celery.events.state`: a retry event sets `retried` whatever the state.
/// 4. **After a retry, anything applies** (``TaskMergeRule/afterRetry``), the other
///    direction of Celery's bypass: the next attempt's events, when they do not carry its
///    number, move a `retried` task on.
/// 5. **A terminal state beats a non-terminal one; within the non-terminal tier, `started`
///    beats `pending`** (``TaskMergeRule/precedence`` and ``TaskMergeRule/happenedBefore``):
///    a state that logically happens before the task's is history, whatever the timestamps
///    say (a worker's `started` often arrives after its `succeeded`; the client's and the
///    worker's clocks differ).
/// 6. **Within the terminal tier:** a real terminal event replaces `lost`
///    (``TaskMergeRule/overridesLost``: `lost` is the brain's guess, the agent's report is
///    news); of two different terminal states of one attempt, the later by the agent's clock
///    wins, and on a tie the first to arrive stays (``TaskMergeRule/laterTerminal``,
///    ``TaskMergeRule/earlierTerminal``).
/// 7. **The same state again** is history, and fills fields still empty
///    (``TaskMergeRule/sameState``).
///
/// `lost` is never reported: the brain sets it on a `started` task only (``losing()``).
package struct TaskStateMachine: Hashable, Sendable {
    /// The task's state.
    package var state: TaskState
    /// The task's current attempt, from 1.
    package var attempt: UInt32
    /// The agent-clock timestamp of the event that set ``state`` (rule 6's tie-break).
    package var stateTs: Int64

    package init(state: TaskState, attempt: UInt32, stateTs: Int64) {
        self.state = state
        self.attempt = attempt
        self.stateTs = stateTs
    }

    /// A task's first event: the task starts in the event's state, at the event's attempt
    /// (1 when not given).
    package static func start(_ kind: TaskEventKind, attempt: UInt32, ts: Int64) -> TaskStateMachine {
        TaskStateMachine(state: kind.target, attempt: max(1, attempt), stateTs: ts)
    }

    /// The state after an event of `kind` for `attempt` (0: the current one) at agent time
    /// `ts`, and the rule that decided. When the rule does not change the state, the value
    /// returned is `self`.
    package func merging(_ kind: TaskEventKind, attempt reported: UInt32, ts: Int64) -> (next: TaskStateMachine, rule: TaskMergeRule) {
        let target = kind.target
        let attempt = reported == 0 ? self.attempt : reported
        let moved = TaskStateMachine(state: target, attempt: attempt, stateTs: ts)
        if attempt > self.attempt { return (moved, .newAttempt) }
        if attempt < self.attempt { return (self, .olderAttempt) }
        if target == .retried { return state == .retried ? (self, .sameState) : (moved, .retryBypass) }
        if state == .retried { return (moved, .afterRetry) }
        if target.rank > state.rank { return (moved, .precedence) }
        if target.rank < state.rank { return (self, .happenedBefore) }
        if target == state { return (self, .sameState) }
        if state == .lost { return (moved, .overridesLost) }
        return ts > stateTs ? (moved, .laterTerminal) : (self, .earlierTerminal)
    }

    /// The state after the brain decides the task is lost, or `nil` when it is not `started`
    /// (only a running task can be lost: a pending one was never picked up, a finished one is done).
    package func losing() -> TaskStateMachine? {
        guard state == .started else { return nil }
        var next = self
        next.state = .lost
        return next
    }
}
