import BrainProtocol

extension BrainState {
    /// Replaces the tasks (a snapshot's) and rebuilds their indexes.
    /// - Throws: ``BrainError`` `DATA_LOSS` when a key is out of place or a task appears twice.
    package mutating func restoreTasks(_ records: some Sequence<TaskRecord>) throws(BrainError) {
        taskTable = try TaskTable(restoring: records)
    }
}
