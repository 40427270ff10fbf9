import Foundation

/// Next runs after a time-zone change, in batches (``ScheduleRecompute``): the change marks
/// the project's schedules pending, the server applies batches found by
/// ``BrainState/dueScheduleRecompute(limit:)`` until none is left, and reads meanwhile compute
/// a pending schedule's next run on the fly.
extension BrainState {
    /// Marks every schedule of `project` for a new prediction from `now` (its time zone changed
    /// at `now`), replacing any recompute still pending from an earlier change. No walk over
    /// the schedules: the pending set starts as a copy of the project's index, which shares its
    /// storage until either changes.
    mutating func beginScheduleRecompute(project: String, now: Int64) {
        guard let identities = scheduleTable.byProject[project], !identities.isEmpty else {
            scheduleTable.recomputes[project] = nil
            return
        }
        scheduleTable.recomputes[project] = ScheduleRecompute(project: project, asOf: now, pending: identities)
        revision &+= 1
    }

    /// Whether next runs are still to be predicted after a zone change (the server then applies
    /// batches until there are none).
    package var hasPendingScheduleRecompute: Bool { !scheduleTable.recomputes.isEmpty }

    /// The next batch of pending work: at most `limit` (at least 1) schedules of one project,
    /// the first by name; `nil` when nothing is pending. Which schedules is the live brain's
    /// choice (any order works: each is predicted from the change's instant); the command
    /// names them, so replay predicts the same ones.
    package func dueScheduleRecompute(limit: Int = ScheduleRecompute.defaultBatch) -> ScheduleRecomputeBatch? {
        guard let project = scheduleTable.recomputes.keys.min(), let work = scheduleTable.recomputes[project] else { return nil }
        return ScheduleRecomputeBatch(project: project, asOf: work.asOf, identities: Array(work.pending.prefix(max(limit, 1))))
    }

    /// Applies a batch: each named schedule still pending gets its next run predicted from the
    /// change's instant in the project's zone. Changes nothing (`unchanged`, not journalled)
    /// when the project has no pending recompute of that change or none of the schedules is
    /// pending any more.
    @usableFromInline
    mutating func applyScheduleRecompute(_ batch: ScheduleRecomputeBatch) -> CommandOutcome {
        // Taken out of the table while it shrinks: held once, its set is changed in place
        // instead of copied.
        guard var work = scheduleTable.recomputes.removeValue(forKey: batch.project) else { return .unchanged }
        guard work.asOf == batch.asOf else {
            scheduleTable.recomputes[batch.project] = work
            return .unchanged
        }
        let zone = scheduleTimeZone(forProject: batch.project)
        var predicted = 0
        for identity in batch.identities where work.pending.remove(identity) != nil {
            predicted += 1
            predictAgain(identity, now: work.asOf, in: zone)
        }
        if !work.pending.isEmpty { scheduleTable.recomputes[batch.project] = work }
        guard predicted > 0 else { return .unchanged }
        revision &+= 1
        return .done
    }

    /// Predicts the next run of every schedule of `project` again, at `now`, in the project's
    /// time zone, all at once, ending any recompute pending for it. The batches' reference
    /// (tests, benchmarks): commands never call it, as it would hold the loop for the whole
    /// project. Returns how many next runs moved.
    @discardableResult
    package mutating func recomputeNextRuns(project: String, now: Int64) -> Int {
        scheduleTable.recomputes[project] = nil
        guard let identities = scheduleTable.byProject[project] else { return 0 }
        let zone = scheduleTimeZone(forProject: project)
        var moved = 0
        for identity in identities where predictAgain(identity, now: now, in: zone) { moved += 1 }
        if moved > 0 { revision &+= 1 }
        return moved
    }

    /// Predicts one schedule's next run at `now` in `zone`, in place: one zone lookup for the
    /// caller's whole batch and no parsing (the expression is compiled). Returns whether it moved.
    @discardableResult
    private mutating func predictAgain(_ identity: String, now: Int64, in zone: TimeZone) -> Bool {
        guard let index = scheduleTable.records.index(forKey: identity) else { return false }
        let next = scheduleTable.records.values[index].predictedNextRun(now: now, in: zone)
        guard next != scheduleTable.records.values[index].nextRunAt else { return false }
        scheduleTable.records.values[index].nextRunAt = next
        if collectChanges { note(.schedule(scheduleTable.records.values[index])) }
        return true
    }

    // MARK: Reads

    /// A schedule's next run as the project's current zone gives it: the stored one, or, for a
    /// schedule still pending in a recompute, the one its batch will store, computed now (a few
    /// microseconds), so no read shows a next run of the old zone.
    package func currentNextRun(of record: ScheduleRecord) -> Int64 {
        guard !scheduleTable.recomputes.isEmpty, let work = scheduleTable.recomputes[record.project], work.pending.contains(record.identity) else {
            return record.nextRunAt
        }
        return record.predictedNextRun(now: work.asOf, in: scheduleTimeZone(forProject: record.project))
    }

    /// `record` with its ``currentNextRun(of:)``.
    func current(_ record: ScheduleRecord) -> ScheduleRecord {
        var current = record
        current.nextRunAt = currentNextRun(of: record)
        return current
    }

    /// How many schedules of `project` are still pending in a recompute (0: none).
    package func pendingScheduleRecompute(project: String) -> Int { scheduleTable.recomputes[project]?.pending.count ?? 0 }

    /// The pending recomputes as a snapshot keeps them, by project name.
    package var savedScheduleRecomputes: [ScheduleRecompute.Saved] {
        scheduleTable.recomputes.values.sorted { $0.project < $1.project }.map { work in
            ScheduleRecompute.Saved(
                project: work.project, asOf: work.asOf, serials: work.pending.compactMap { scheduleTable.records[$0]?.serial }.sorted())
        }
    }
}
