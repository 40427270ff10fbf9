public import BrainProtocol

extension AgentSession {
    /// Tells the brain the agent has command `commandID` (`command_received`); returns the
    /// event's seq. The brain sends a command again after every hello until it is
    /// acknowledged, so an agent acknowledges each command it gets, and carries out a
    /// command id only once.
    @discardableResult
    public func acknowledgeCommand(_ commandID: String) throws(BrainError) -> UInt64 {
        try publish(.commandReceived(commandID: commandID))
    }

    /// Reports what came of command `commandID` (`command_result`); returns the event's seq.
    /// Only the first result counts; one after the command's deadline is kept, marked late.
    /// - Parameters:
    ///   - ok: whether the command worked.
    ///   - message: an error or a confirmation; the brain redacts it before keeping it.
    ///   - newTaskID: for a retry, the id of the task that re-runs the original.
    @discardableResult
    public func reportCommandResult(_ commandID: String, ok: Bool, message: String = "", newTaskID: String = "") throws(BrainError) -> UInt64 {
        try publish(.commandResult(CommandResult(commandID: commandID, ok: ok, message: message, newTaskID: newTaskID)))
    }
}
