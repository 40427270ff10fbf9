/// An agent's result for a command (`CommandResult` on the wire), decoded: what
/// ``BrainCommand/commandResult(_:agentID:)`` carries.
///
/// The message is the agent's text until the brain redacts it
/// (``BrainState/commandResultCommand(_:agentID:)``); the journal keeps only the redacted one.
package struct CommandResultReport: Hashable, Sendable {
    /// The agent's event seq, numbered with its other events: the agent-seq dedup applies.
    package var seq: UInt64
    package var commandID: String
    /// Whether the command worked.
    package var ok: Bool
    /// What the agent says about it (an error, a confirmation).
    package var message: String
    /// Retry: the id of the task that re-runs the original.
    package var newTaskID: String
    /// Whether ``message`` is already the brain's redaction.
    package var isRedacted = false

    package init(seq: UInt64, commandID: String, ok: Bool, message: String = "", newTaskID: String = "") {
        self.seq = seq
        self.commandID = commandID
        self.ok = ok
        self.message = message
        self.newTaskID = newTaskID
    }
}
