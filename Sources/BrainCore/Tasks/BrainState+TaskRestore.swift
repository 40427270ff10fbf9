import BrainProtocol

extension BrainState {
    /// Replaces the tasks (a snapshot's) and rebuilds their indexes; new tasks are numbered
    /// from `nextSerial` on (``TaskTable/nextSerial``, 0 for a snapshot without it).
    /// - Throws: ``BrainError`` `DATA_LOSS` when a key or serial is out of place or a task
    ///   appears twice.
    package mutating func restoreTasks(_ records: some Sequence<TaskRecord>, nextSerial: Int = 0) throws(BrainError) {
        taskTable = try TaskTable(restoring: records, nextSerial: nextSerial)
    }
}
