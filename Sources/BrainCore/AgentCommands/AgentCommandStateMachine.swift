/// The life of a command to an agent: a pure value, each event giving the next value and what
/// the event did (``Transition``).
///
/// The rules (proto/README.md, "Commands to agents"):
///
/// 1. **Delivery** moves a `pending` command to `delivered`; delivering it again (after the
///    agent reconnected) changes nothing.
/// 2. **Receipt** moves a `pending` or `delivered` command to `acknowledged` (a receipt can
///    overtake the brain's own record of delivery). A second receipt, or one for a command that
///    is already finished, changes nothing: dedup is on the command id, and the command is
///    state, so it holds across restarts of either side.
/// 3. **The first result counts.** A result moves any open command to `succeeded` or
///    `failed`; a result for a command already succeeded or failed changes nothing.
/// 4. **The deadline** moves an open command to `timedOut`; a finished command stays as it is.
/// 5. **A result after the deadline is kept, marked late**: the command stays `timedOut`,
///    ``late`` is set and ``lateOK`` keeps the outcome. A second late result changes nothing.
package struct AgentCommandStateMachine: Hashable, Sendable {
    /// What happens to a command.
    package enum Event: Hashable, Sendable {
        /// The brain wrote it to the agent's connection.
        case delivered
        /// The agent said it has it.
        case received
        /// The agent's result.
        case result(ok: Bool)
        /// Its deadline passed with no result.
        case deadlinePassed
    }

    /// What an event did.
    package enum Transition: String, Hashable, Sendable {
        /// The state moved.
        case moved
        /// A result after the deadline: kept, marked late; the state stays `timedOut`.
        case markedLate
        /// Nothing changed (a repeat, or an event that comes too late to matter).
        case unchanged
    }

    /// The command's state.
    package var state: AgentCommandState
    /// A result arrived after the deadline.
    package var late: Bool
    /// That late result's outcome.
    package var lateOK: Bool

    package init(state: AgentCommandState = .pending, late: Bool = false, lateOK: Bool = false) {
        self.state = state
        self.late = late
        self.lateOK = lateOK
    }

    /// The value after `event`, and what the event did (`self` when ``Transition/unchanged``).
    package func on(_ event: Event) -> (next: AgentCommandStateMachine, transition: Transition) {
        var next = self
        switch (event, state) {
        case (.delivered, .pending):
            next.state = .delivered
        case (.received, .pending), (.received, .delivered):
            next.state = .acknowledged
        case (.result(let ok), let current) where !current.isTerminal:
            next.state = ok ? .succeeded : .failed
        case (.result(let ok), .timedOut) where !late:
            next.late = true
            next.lateOK = ok
            return (next, .markedLate)
        case (.deadlinePassed, let current) where !current.isTerminal:
            next.state = .timedOut
        default:
            return (self, .unchanged)
        }
        return (next, .moved)
    }
}
