import BrainProtocol

/// Every schedule the brain holds, by identity, and the index by project (a time-zone change
/// recomputes one project's schedules without a walk over all of them).
package struct ScheduleTable: Sendable {
    /// Schedules by ``ScheduleRecord/identity``.
    package internal(set) var records: [String: ScheduleRecord] = [:]
    /// Identities by project.
    var byProject: [String: Set<String>] = [:]
    /// The last serial given out (``ScheduleRecord/serial``).
    package internal(set) var lastSerial: UInt64 = 0

    package init() {}

    package var count: Int { records.count }

    /// Adds or replaces a schedule.
    mutating func store(_ record: ScheduleRecord) {
        let identity = record.identity
        if records.updateValue(record, forKey: identity) == nil { byProject[record.project, default: []].insert(identity) }
        lastSerial = max(lastSerial, record.serial)
    }

    /// Removes a schedule; returns it.
    mutating func remove(_ identity: String) -> ScheduleRecord? {
        guard let record = records.removeValue(forKey: identity) else { return nil }
        byProject[record.project]?.remove(identity)
        if byProject[record.project]?.isEmpty == true { byProject[record.project] = nil }
        return record
    }

    /// Rebuilds the table from its records (a snapshot), compiling each expression.
    /// - Throws: ``BrainError`` `DATA_LOSS` when a schedule appears twice.
    init(restoring list: [ScheduleRecord], lastSerial: UInt64) throws(BrainError) {
        for var record in list {
            guard records[record.identity] == nil else {
                throw BrainError(.dataLoss, "schedule \(record.name) of scheduler \(record.scheduler) in project \(record.project) appears twice")
            }
            // The problem is restored as written (a brain whose parser changed since says so at
            // the schedule's next report), the timing is derived again.
            let problem = record.problem
            record.compile()
            record.problem = problem
            store(record)
        }
        self.lastSerial = max(self.lastSerial, lastSerial)
    }
}
