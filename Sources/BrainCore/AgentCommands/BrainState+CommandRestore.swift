import BrainProtocol

extension BrainState {
    /// Replaces the commands to agents (a snapshot's) and rebuilds their indexes.
    /// - Throws: ``BrainError`` `DATA_LOSS` when a key is out of place or an id repeats.
    /// `issued` is the count of commands ever issued (at least the records').
    package mutating func restoreAgentCommands(_ records: [AgentCommandRecord], issued: UInt64) throws(BrainError) {
        commandTable = try AgentCommandTable(restoring: records, issued: issued)
    }

    /// Replaces the schedules (a snapshot's), compiling their expressions again, and the
    /// next-run recomputes still pending when the snapshot was taken (their schedules found
    /// again by serial; a serial no schedule of the project has has nothing left to predict).
    /// - Throws: ``BrainError`` `DATA_LOSS` when a schedule, or a project's recompute, appears twice.
    package mutating func restoreSchedules(
        _ records: [ScheduleRecord], lastSerial: UInt64, recomputes: [ScheduleRecompute.Saved] = []
    ) throws(BrainError) {
        var table = try ScheduleTable(restoring: records, lastSerial: lastSerial)
        for saved in recomputes {
            guard table.recomputes[saved.project] == nil else {
                throw BrainError(.dataLoss, "the next-run recompute of project \(saved.project) appears twice")
            }
            let serials = Set(saved.serials)
            let pending = (table.byProject[saved.project] ?? []).filter { identity in
                table.records[identity].map { serials.contains($0.serial) } ?? false
            }
            if !pending.isEmpty { table.recomputes[saved.project] = ScheduleRecompute(project: saved.project, asOf: saved.asOf, pending: pending) }
        }
        scheduleTable = table
    }
}
