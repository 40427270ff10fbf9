import BrainProtocol

extension BrainState {
    /// The command for a schedule or command event of `agentID` (upsert, delete, fired,
    /// listing, command received, command result), anything an agent wrote already redacted;
    /// `nil` for other events. The server journals the command, never the event's frame.
    package func agentEventCommand(_ event: AgentEvent, agentID: String) -> BrainCommand? {
        switch event.kind {
        case .scheduleUpsert(let report):
            return scheduleReportCommand(ReportedSchedule(report), seq: event.seq, agentID: agentID)
        case .scheduleListing(let listing):
            return scheduleListingCommand(ReportedScheduleListing(listing, seq: event.seq), agentID: agentID)
        case .scheduleDelete(let deleted):
            return .scheduleDelete(ScheduleDeletion(seq: event.seq, scheduler: deleted.scheduler, name: deleted.name), agentID: agentID)
        case .scheduleFired(let fired):
            return .scheduleFired(
                ScheduleFiring(seq: event.seq, scheduler: fired.scheduler, name: fired.name, at: fired.at, taskID: fired.taskID), agentID: agentID)
        case .commandReceived(let commandID):
            return .commandReceived(CommandReceipt(seq: event.seq, commandID: commandID), agentID: agentID)
        case .commandResult(let result):
            let report = CommandResultReport(seq: event.seq, commandID: result.commandID, ok: result.ok, message: result.message, newTaskID: result.newTaskID)
            return commandResultCommand(report, agentID: agentID)
        case .runCreated, .runStatus, .step, .taskEvent, .unknown:
            return nil
        }
    }
}
