/// One page of ``BrainState/listCommands(_:)``: newest first.
package struct AgentCommandPage: Hashable, Sendable {
    package var commands: [AgentCommandRecord]
    /// The cursor of the next page; "" when no matching command follows.
    package var nextCursor: String

    package init(commands: [AgentCommandRecord], nextCursor: String) {
        self.commands = commands
        self.nextCursor = nextCursor
    }
}
