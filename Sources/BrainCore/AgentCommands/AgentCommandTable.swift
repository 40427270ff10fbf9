import BrainProtocol

/// Every command to an agent the brain holds, and the indexes over them (a command's key is
/// its position).
package struct AgentCommandTable: Sendable {
    /// The commands, in the order they were issued.
    package internal(set) var records: [AgentCommandRecord] = []
    /// Command key by command id.
    var keysByID: [String: Int] = [:]
    /// Deadlines of open commands (not terminal) by key: ``BrainState/dueCommandTimeouts(now:)``
    /// looks here, not at every command.
    var openDeadlines: [Int: Int64] = [:]
    /// Keys of open commands by the agent that is to carry them out (what to deliver at hello).
    var openByAgent: [String: Set<Int>] = [:]
    /// Commands ever issued: the brain makes ids from it (keys are positions, which retention
    /// renumbers, so they could repeat; this never does).
    package internal(set) var issued: UInt64 = 0

    package init() {}

    /// The key of the command with this id.
    func key(_ commandID: String) -> Int? { keysByID[commandID] }

    /// Appends a new command (its key must be the next position).
    mutating func append(_ record: AgentCommandRecord) {
        issued += 1
        keysByID[record.commandID] = record.key
        records.append(record)
        if !record.state.isTerminal {
            openDeadlines[record.key] = record.deadline
            openByAgent[record.agentID, default: []].insert(record.key)
        }
    }

    /// Replaces a command, keeping the open indexes right when it becomes terminal.
    mutating func update(_ record: AgentCommandRecord) {
        records[record.key] = record
        guard record.state.isTerminal else { return }
        openDeadlines[record.key] = nil
        openByAgent[record.agentID]?.remove(record.key)
        if openByAgent[record.agentID]?.isEmpty == true { openByAgent[record.agentID] = nil }
    }

    /// Rebuilds the table from its records (a snapshot).
    /// - Throws: ``BrainError`` `DATA_LOSS` when keys are out of place or an id repeats.
    init(restoring records: [AgentCommandRecord], issued: UInt64) throws(BrainError) {
        for (index, record) in records.enumerated() {
            guard record.key == index else {
                throw BrainError(.dataLoss, "command \(record.commandID) has key \(record.key) at position \(index)")
            }
            guard keysByID[record.commandID] == nil else { throw BrainError(.dataLoss, "command \(record.commandID) appears twice") }
            append(record)
        }
        self.issued = max(self.issued, issued)
    }
}
