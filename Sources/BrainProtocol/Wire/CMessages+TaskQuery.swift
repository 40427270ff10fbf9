internal import CBrainWire

extension ListTasksQuery {
    init(_ c: Brain__V1__ListTasksRequest) {
        self.init()
        project = swiftString(c.project)
        if let states = c.states, c.n_states > 0 {
            self.states = (0..<c.n_states).map { WireTaskState(states[$0]) }
        }
        engine = swiftString(c.engine)
        name = swiftString(c.name)
        queue = swiftString(c.queue)
        agent = swiftString(c.agent)
        createdSince = c.created_since
        createdUntil = c.created_until
        search = swiftString(c.search)
        cursor = swiftString(c.cursor)
        limit = c.limit
        stuckOnly = c.stuck_only != 0
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListTasksRequest> {
        let m = arena.message(brain__v1__list_tasks_request__init)
        arena.set(&m.pointee.project, project)
        if !states.isEmpty {
            let array: UnsafeMutablePointer<Brain__V1__TaskState> = arena.array(states.count)
            for (index, state) in states.enumerated() { array[index] = state.c }
            m.pointee.n_states = states.count
            m.pointee.states = array
        }
        arena.set(&m.pointee.engine, engine)
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.queue, queue)
        arena.set(&m.pointee.agent, agent)
        m.pointee.created_since = createdSince
        m.pointee.created_until = createdUntil
        arena.set(&m.pointee.search, search)
        arena.set(&m.pointee.cursor, cursor)
        m.pointee.limit = limit
        m.pointee.stuck_only = stuckOnly ? 1 : 0
        return m
    }
}

extension TaskList {
    init(_ c: Brain__V1__TaskList) {
        self.init(tasks: swiftMessages(c.n_tasks, c.tasks, TaskInfo.init), nextCursor: swiftString(c.next_cursor))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskList> {
        let m = arena.message(brain__v1__task_list__init)
        (m.pointee.n_tasks, m.pointee.tasks) = arena.messages(tasks) { $0.c($1) }
        arena.set(&m.pointee.next_cursor, nextCursor)
        return m
    }
}

extension GetTaskQuery {
    init(_ c: Brain__V1__GetTaskRequest) {
        self.init(taskID: swiftString(c.task_id), project: swiftString(c.project), engine: swiftString(c.engine))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetTaskRequest> {
        let m = arena.message(brain__v1__get_task_request__init)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.engine, engine)
        return m
    }
}

extension TaskDetail {
    init(_ c: Brain__V1__TaskDetail) {
        self.init(task: c.task.map { TaskInfo($0.pointee) } ?? TaskInfo(), events: swiftMessages(c.n_events, c.events, TaskEventInfo.init))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskDetail> {
        let m = arena.message(brain__v1__task_detail__init)
        m.pointee.task = task.c(arena)
        (m.pointee.n_events, m.pointee.events) = arena.messages(events) { $0.c($1) }
        return m
    }
}

extension GetTaskStatsQuery {
    init(_ c: Brain__V1__GetTaskStatsRequest) {
        self.init(
            project: swiftString(c.project), engine: swiftString(c.engine), name: swiftString(c.name), createdSince: c.created_since,
            createdUntil: c.created_until
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetTaskStatsRequest> {
        let m = arena.message(brain__v1__get_task_stats_request__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.engine, engine)
        arena.set(&m.pointee.name, name)
        m.pointee.created_since = createdSince
        m.pointee.created_until = createdUntil
        return m
    }
}

extension WireTaskStateCounts {
    init(_ c: Brain__V1__TaskStateCounts) {
        self.init()
        pending = c.pending
        started = c.started
        succeeded = c.succeeded
        failed = c.failed
        cancelled = c.cancelled
        retried = c.retried
        lost = c.lost
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskStateCounts> {
        let m = arena.message(brain__v1__task_state_counts__init)
        m.pointee.pending = pending
        m.pointee.started = started
        m.pointee.succeeded = succeeded
        m.pointee.failed = failed
        m.pointee.cancelled = cancelled
        m.pointee.retried = retried
        m.pointee.lost = lost
        return m
    }
}

extension WireTaskNameStats {
    init(_ c: Brain__V1__TaskNameStats) {
        self.init()
        name = swiftString(c.name)
        counts = c.counts.map { WireTaskStateCounts($0.pointee) } ?? WireTaskStateCounts()
        runtimeSamples = c.runtime_samples
        runtimeP50Ns = c.runtime_p50_ns
        runtimeP99Ns = c.runtime_p99_ns
        failureRate = c.has_failure_rate != 0 ? c.failure_rate : nil
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskNameStats> {
        let m = arena.message(brain__v1__task_name_stats__init)
        arena.set(&m.pointee.name, name)
        m.pointee.counts = counts.c(arena)
        m.pointee.runtime_samples = runtimeSamples
        m.pointee.runtime_p50_ns = runtimeP50Ns
        m.pointee.runtime_p99_ns = runtimeP99Ns
        m.pointee.failure_rate = failureRate ?? 0
        m.pointee.has_failure_rate = failureRate == nil ? 0 : 1
        return m
    }
}

/// `TaskStatsReply`, which has no Swift type of its own (the result is its list).
enum CTaskStats {
    static func reply(_ names: [WireTaskNameStats], _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskStatsReply> {
        let m = arena.message(brain__v1__task_stats_reply__init)
        (m.pointee.n_names, m.pointee.names) = arena.messages(names) { $0.c($1) }
        return m
    }
}
