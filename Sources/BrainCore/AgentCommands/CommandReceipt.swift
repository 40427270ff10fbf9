/// An agent's receipt of a command (`CommandReceived` on the wire), decoded: what
/// ``BrainCommand/commandReceived(_:agentID:)`` carries.
package struct CommandReceipt: Hashable, Sendable {
    /// The agent's event seq, numbered with its other events: the agent-seq dedup applies.
    package var seq: UInt64
    package var commandID: String

    package init(seq: UInt64, commandID: String) {
        self.seq = seq
        self.commandID = commandID
    }
}
