internal import CBrainWire

extension WireScheduleType {
    init(_ c: Brain__V1__ScheduleType) { self = WireScheduleType(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__ScheduleType { Brain__V1__ScheduleType(rawValue: numericCast(rawValue)) }
}

extension WireCronDialect {
    // An unknown dialect (a newer peer) reads as Vixie, the proto's zero value.
    init(_ c: Brain__V1__CronDialect) { self = WireCronDialect(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .vixie }
    var c: Brain__V1__CronDialect { Brain__V1__CronDialect(rawValue: numericCast(rawValue)) }
}

extension ScheduleReport {
    init(_ c: Brain__V1__ScheduleReport) {
        self.init(scheduler: swiftString(c.scheduler), name: swiftString(c.name))
        task = swiftString(c.task)
        type = WireScheduleType(c.type)
        expression = swiftString(c.expression)
        dialect = WireCronDialect(c.dialect)
        argsJSON = swiftString(c.args_json)
        kwargsJSON = swiftString(c.kwargs_json)
        enabled = c.enabled != 0
        metadataJSON = swiftString(c.metadata_json)
        lastRunAt = c.last_run_at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleReport> {
        let m = arena.message(brain__v1__schedule_report__init)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.task, task)
        m.pointee.type = type.c
        arena.set(&m.pointee.expression, expression)
        m.pointee.dialect = dialect.c
        arena.set(&m.pointee.args_json, argsJSON)
        arena.set(&m.pointee.kwargs_json, kwargsJSON)
        m.pointee.enabled = enabled ? 1 : 0
        arena.set(&m.pointee.metadata_json, metadataJSON)
        m.pointee.last_run_at = lastRunAt
        return m
    }
}

extension ScheduleDeleted {
    init(_ c: Brain__V1__ScheduleDeleted) {
        self.init(scheduler: swiftString(c.scheduler), name: swiftString(c.name))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleDeleted> {
        let m = arena.message(brain__v1__schedule_deleted__init)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        return m
    }
}

extension ScheduleFired {
    init(_ c: Brain__V1__ScheduleFired) {
        self.init(scheduler: swiftString(c.scheduler), name: swiftString(c.name), at: c.at, taskID: swiftString(c.task_id))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleFired> {
        let m = arena.message(brain__v1__schedule_fired__init)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        m.pointee.at = at
        arena.set(&m.pointee.task_id, taskID)
        return m
    }
}

extension ScheduleListing {
    init(_ c: Brain__V1__ScheduleListing) {
        self.init(
            scheduler: swiftString(c.scheduler), schedules: swiftMessages(c.n_schedules, c.schedules, ScheduleReport.init),
            complete: c.complete != 0
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleListing> {
        let m = arena.message(brain__v1__schedule_listing__init)
        arena.set(&m.pointee.scheduler, scheduler)
        (m.pointee.n_schedules, m.pointee.schedules) = arena.messages(schedules) { $0.c($1) }
        m.pointee.complete = complete ? 1 : 0
        return m
    }
}

extension ScheduleInfo {
    init(_ c: Brain__V1__ScheduleInfo) {
        self.init()
        project = swiftString(c.project)
        agentID = swiftString(c.agent_id)
        scheduler = swiftString(c.scheduler)
        name = swiftString(c.name)
        task = swiftString(c.task)
        type = WireScheduleType(c.type)
        expression = swiftString(c.expression)
        dialect = WireCronDialect(c.dialect)
        argsJSON = swiftString(c.args_json)
        kwargsJSON = swiftString(c.kwargs_json)
        enabled = c.enabled != 0
        metadataJSON = swiftString(c.metadata_json)
        lastRunAt = c.last_run_at
        nextRunAt = c.next_run_at
        createdAt = c.created_at
        updatedAt = c.updated_at
        problem = swiftString(c.problem)
        removed = c.removed != 0
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleInfo> {
        let m = arena.message(brain__v1__schedule_info__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.agent_id, agentID)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.task, task)
        m.pointee.type = type.c
        arena.set(&m.pointee.expression, expression)
        m.pointee.dialect = dialect.c
        arena.set(&m.pointee.args_json, argsJSON)
        arena.set(&m.pointee.kwargs_json, kwargsJSON)
        m.pointee.enabled = enabled ? 1 : 0
        arena.set(&m.pointee.metadata_json, metadataJSON)
        m.pointee.last_run_at = lastRunAt
        m.pointee.next_run_at = nextRunAt
        m.pointee.created_at = createdAt
        m.pointee.updated_at = updatedAt
        arena.set(&m.pointee.problem, problem)
        m.pointee.removed = removed ? 1 : 0
        return m
    }
}

extension ListSchedulesQuery {
    init(_ c: Brain__V1__ListSchedulesRequest) {
        self.init()
        project = swiftString(c.project)
        agent = swiftString(c.agent)
        enabledFilter = c.enabled_filter
        dueBefore = c.due_before
        cursor = swiftString(c.cursor)
        limit = c.limit
        scheduler = swiftString(c.scheduler)
        name = swiftString(c.name)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListSchedulesRequest> {
        let m = arena.message(brain__v1__list_schedules_request__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.agent, agent)
        m.pointee.enabled_filter = enabledFilter
        m.pointee.due_before = dueBefore
        arena.set(&m.pointee.cursor, cursor)
        m.pointee.limit = limit
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        return m
    }
}

extension ScheduleList {
    init(_ c: Brain__V1__ScheduleList) {
        self.init(schedules: swiftMessages(c.n_schedules, c.schedules, ScheduleInfo.init), nextCursor: swiftString(c.next_cursor))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleList> {
        let m = arena.message(brain__v1__schedule_list__init)
        (m.pointee.n_schedules, m.pointee.schedules) = arena.messages(schedules) { $0.c($1) }
        arena.set(&m.pointee.next_cursor, nextCursor)
        return m
    }
}

extension GetScheduleQuery {
    init(_ c: Brain__V1__GetScheduleRequest) {
        self.init(project: swiftString(c.project), scheduler: swiftString(c.scheduler), name: swiftString(c.name), nextRuns: c.next_runs)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetScheduleRequest> {
        let m = arena.message(brain__v1__get_schedule_request__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        m.pointee.next_runs = nextRuns
        return m
    }
}

extension ScheduleDetail {
    init(_ c: Brain__V1__ScheduleDetail) {
        var runs: [Int64] = []
        if let nextRuns = c.next_runs, c.n_next_runs > 0 { runs = (0..<c.n_next_runs).map { nextRuns[$0] } }
        self.init(schedule: c.schedule.map { ScheduleInfo($0.pointee) } ?? ScheduleInfo(), nextRuns: runs)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ScheduleDetail> {
        let m = arena.message(brain__v1__schedule_detail__init)
        m.pointee.schedule = schedule.c(arena)
        if !nextRuns.isEmpty {
            let array: UnsafeMutablePointer<Int64> = arena.array(nextRuns.count)
            for (index, time) in nextRuns.enumerated() { array[index] = time }
            m.pointee.n_next_runs = nextRuns.count
            m.pointee.next_runs = array
        }
        return m
    }
}
