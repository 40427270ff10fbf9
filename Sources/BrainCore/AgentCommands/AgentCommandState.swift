/// Where a command to an agent is (`CommandState` on the wire); ``AgentCommandStateMachine``
/// has the transitions.
///
/// `pending`, `delivered` and `acknowledged` are open: the brain still waits, until the
/// command's deadline. `succeeded`, `failed` and `timedOut` are terminal: every command ends
/// in one of them.
package enum AgentCommandState: String, CaseIterable, Hashable, Sendable, Codable {
    /// Waiting for its agent to be online.
    case pending
    /// Written to the agent's connection.
    case delivered
    /// The agent said it has it.
    case acknowledged
    /// The agent's result said it worked.
    case succeeded
    /// The agent's result said it did not.
    case failed
    /// No result before the deadline (a later result is kept, marked late).
    case timedOut = "timed_out"

    /// The state's name in journals, snapshots and messages.
    package var name: String { rawValue }

    /// Parses a name.
    package init?(name: String) { self.init(rawValue: name) }

    /// Whether the command is over.
    package var isTerminal: Bool {
        switch self {
        case .pending, .delivered, .acknowledged: false
        case .succeeded, .failed, .timedOut: true
        }
    }
}
