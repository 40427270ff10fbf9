import BrainProtocol

extension BrainState {
    /// Replaces the commands to agents (a snapshot's) and rebuilds their indexes.
    /// - Throws: ``BrainError`` `DATA_LOSS` when a key is out of place or an id repeats.
    /// `issued` is the count of commands ever issued (at least the records').
    package mutating func restoreAgentCommands(_ records: [AgentCommandRecord], issued: UInt64) throws(BrainError) {
        commandTable = try AgentCommandTable(restoring: records, issued: issued)
    }

    /// Replaces the schedules (a snapshot's), compiling their expressions again.
    /// - Throws: ``BrainError`` `DATA_LOSS` when a schedule appears twice.
    package mutating func restoreSchedules(_ records: [ScheduleRecord], lastSerial: UInt64) throws(BrainError) {
        scheduleTable = try ScheduleTable(restoring: records, lastSerial: lastSerial)
    }
}
