import BrainProtocol

extension BrainState {
    /// Every schedule, in no particular order.
    package var schedules: [ScheduleRecord] { Array(scheduleTable.records.values) }

    /// `ListSchedules`: soonest next run first (schedules with none last, then by serial),
    /// filtered, one page.
    ///
    /// A cursor names the last schedule of the page by its next run and serial, so a schedule
    /// removed meanwhile does not shift the pages after it.
    ///
    /// While a time-zone change's recompute is pending (``ScheduleRecompute``), each schedule of
    /// the page shows its next run in the new zone (``currentNextRun(of:)``), but the order, the
    /// cursor and `dueBefore` use the stored next runs, which for schedules not predicted yet
    /// are the old zone's: computing every pending one here would cost the very stall the
    /// batches avoid. The recompute ends within a few loop turns (50 for 100,000 schedules).
    package func listSchedules(_ query: ScheduleQuery) -> Result<SchedulePage, BrainError> {
        let limit = PageLimits.clamp(query.limit)
        var after: (Int64, UInt64)?
        if !query.cursor.isEmpty {
            let parts = query.cursor.dropFirst().split(separator: "_")
            guard query.cursor.hasPrefix("s"), parts.count == 2, let next = Int64(parts[0]), let serial = UInt64(parts[1]) else {
                return .failure(BrainError(.invalidArgument, "cursor \"\(query.cursor)\" is not one this brain gave out; start without a cursor"))
            }
            after = (next, serial)
        }
        func order(_ record: ScheduleRecord) -> (Int64, UInt64) { (record.nextRunAt == 0 ? Int64.max : record.nextRunAt, record.serial) }
        let candidates = query.project.isEmpty ? Array(scheduleTable.records.keys) : Array(scheduleTable.byProject[query.project] ?? [])
        var matching: [ScheduleRecord] = []
        for identity in candidates {
            guard let record = scheduleTable.records[identity] else { continue }
            if !query.name.isEmpty, record.name != query.name { continue }
            if !query.scheduler.isEmpty, record.scheduler != query.scheduler { continue }
            if !query.agent.isEmpty, record.agentID != query.agent, agents[record.agentID]?.name != query.agent { continue }
            if let enabled = query.enabled, record.enabled != enabled { continue }
            if query.dueBefore != 0, record.nextRunAt == 0 || record.nextRunAt > query.dueBefore { continue }
            if let after, order(record) <= after { continue }
            matching.append(record)
        }
        matching.sort { order($0) < order($1) }
        let page = Array(matching.prefix(limit))
        let next = matching.count > limit ? page.last.map { "s\(order($0).0)_\($0.serial)" } ?? "" : ""
        return .success(SchedulePage(schedules: page.map { current($0) }, nextCursor: next))
    }

    /// `GetSchedule`: one schedule by its identity (`project` "" is the default project), its
    /// next run in the project's current zone even while a recompute is pending.
    package func schedule(project: String, scheduler: String, name: String) -> Result<ScheduleRecord, BrainError> {
        let project = project.isEmpty ? Project.defaultName : project
        guard let record = scheduleTable.records[ScheduleRecord.identity(project: project, scheduler: scheduler, name: name)] else {
            return .failure(BrainError(.notFound, "schedule \(name) of scheduler \(scheduler) does not exist in project \(project)"))
        }
        return .success(current(record))
    }

    /// `schedule show`: the next `count` runs of `record` after `now` (0 asks for 5; at most
    /// 100), in its project's time zone; none when it is disabled or has a problem.
    package func nextRuns(of record: ScheduleRecord, count: Int, now: Int64) -> [Int64] {
        let count = count == 0 ? 5 : min(max(count, 0), 100)
        return record.nextRuns(after: now, in: scheduleTimeZone(forProject: record.project), count: count)
    }
}
