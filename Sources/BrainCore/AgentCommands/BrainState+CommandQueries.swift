import BrainProtocol

extension BrainState {
    /// Every command to an agent, in the order they were issued.
    package var agentCommands: [AgentCommandRecord] { commandTable.records }

    /// `GetCommand`.
    package func command(id commandID: String) -> Result<AgentCommandRecord, BrainError> {
        guard let key = commandTable.key(commandID) else { return .failure(BrainError(.notFound, "command \(commandID) does not exist")) }
        return .success(commandTable.records[key])
    }

    /// `ListCommands`: newest first, filtered, one page (cursors as ``listTasks(_:)``'s).
    package func listCommands(_ query: AgentCommandQuery) -> Result<AgentCommandPage, BrainError> {
        let limit = PageLimits.clamp(query.limit)
        let records = commandTable.records
        var start = records.count - 1
        if !query.cursor.isEmpty {
            guard query.cursor.hasPrefix("c"), let key = Int(query.cursor.dropFirst()), key >= 0, key <= records.count else {
                return .failure(BrainError(.invalidArgument, "cursor \"\(query.cursor)\" is not one this brain gave out; start without a cursor"))
            }
            start = key - 1
        }
        let states = Set(query.states)
        func matches(_ command: AgentCommandRecord) -> Bool {
            if !query.project.isEmpty, command.project != query.project { return false }
            if !states.isEmpty, !states.contains(command.state) { return false }
            if !query.agent.isEmpty, command.agentID != query.agent, agents[command.agentID]?.name != query.agent { return false }
            return true
        }
        var page: [AgentCommandRecord] = []
        var key = start
        while key >= 0, page.count < limit {
            if matches(records[key]) { page.append(records[key]) }
            key -= 1
        }
        var next = key
        while next >= 0, !matches(records[next]) { next -= 1 }
        return .success(AgentCommandPage(commands: page, nextCursor: next >= 0 ? "c\(next + 1)" : ""))
    }

    /// What to send `agentID` when it says hello: its commands not yet delivered, or delivered
    /// and not acknowledged (the connection may have dropped them), whose deadline has not
    /// passed at `now`; oldest first.
    package func pendingCommands(for agentID: String, now: Int64) -> [AgentCommandRecord] {
        (commandTable.openByAgent[agentID] ?? []).sorted().map { commandTable.records[$0] }.filter { command in
            (command.state == .pending || command.state == .delivered) && command.deadline > now
        }
    }
}
