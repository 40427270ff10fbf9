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
    /// Next-run recomputes still pending after time-zone changes, by project.
    package internal(set) var recomputes: [String: ScheduleRecompute] = [:]

    package init() {}

    package var count: Int { records.count }

    /// Adds or replaces a schedule. Every caller has just predicted the record's next run in
    /// its project's current zone, so the schedule is no longer pending in a recompute (a
    /// batch must not overwrite that newer prediction).
    mutating func store(_ record: ScheduleRecord) {
        let identity = record.identity
        if records.updateValue(record, forKey: identity) == nil { byProject[record.project, default: []].insert(identity) }
        lastSerial = max(lastSerial, record.serial)
        settled(identity, project: record.project)
    }

    /// Removes a schedule; returns it.
    mutating func remove(_ identity: String) -> ScheduleRecord? {
        guard let record = records.removeValue(forKey: identity) else { return nil }
        byProject[record.project]?.remove(identity)
        if byProject[record.project]?.isEmpty == true { byProject[record.project] = nil }
        settled(identity, project: record.project)
        return record
    }

    /// Takes `identity` out of its project's pending recompute, ending the recompute when it
    /// was the last (cheap when there is none: one lookup in an empty dictionary).
    private mutating func settled(_ identity: String, project: String) {
        guard !recomputes.isEmpty, recomputes[project]?.pending.remove(identity) != nil else { return }
        if recomputes[project]?.pending.isEmpty == true { recomputes[project] = nil }
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
