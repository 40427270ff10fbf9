internal import CBrainWire

extension ListRunsQuery {
    init(_ c: Brain__V1__ListRunsRequest) {
        self.init()
        if let statuses = c.statuses, c.n_statuses > 0 {
            self.statuses = (0..<c.n_statuses).map { RunStatus(statuses[$0]) }
        }
        agent = swiftString(c.agent)
        project = swiftString(c.project)
        parentRunID = swiftString(c.parent_run_id)
        runType = swiftString(c.run_type)
        createdSince = c.created_since
        createdUntil = c.created_until
        includeDeleted = c.include_deleted != 0
        limit = c.limit
        cursor = swiftString(c.cursor)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListRunsRequest> {
        let m = arena.message(brain__v1__list_runs_request__init)
        if !statuses.isEmpty {
            let array: UnsafeMutablePointer<Brain__V1__RunStatus> = arena.array(statuses.count)
            for (index, status) in statuses.enumerated() { array[index] = status.c }
            m.pointee.n_statuses = statuses.count
            m.pointee.statuses = array
        }
        arena.set(&m.pointee.agent, agent)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.parent_run_id, parentRunID)
        arena.set(&m.pointee.run_type, runType)
        m.pointee.created_since = createdSince
        m.pointee.created_until = createdUntil
        m.pointee.include_deleted = includeDeleted ? 1 : 0
        m.pointee.limit = limit
        arena.set(&m.pointee.cursor, cursor)
        return m
    }
}

extension RunList {
    init(_ c: Brain__V1__RunList) {
        self.init(runs: swiftMessages(c.n_runs, c.runs, RunInfo.init), nextCursor: swiftString(c.next_cursor))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunList> {
        let m = arena.message(brain__v1__run_list__init)
        (m.pointee.n_runs, m.pointee.runs) = arena.messages(runs) { $0.c($1) }
        arena.set(&m.pointee.next_cursor, nextCursor)
        return m
    }
}

extension GetRunQuery {
    init(_ c: Brain__V1__GetRunRequest) {
        self.init(
            runID: swiftString(c.run_id), fromSeq: c.from_seq, toSeq: c.to_seq, includeDeleted: c.include_deleted != 0
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetRunRequest> {
        let m = arena.message(brain__v1__get_run_request__init)
        arena.set(&m.pointee.run_id, runID)
        m.pointee.from_seq = fromSeq
        m.pointee.to_seq = toSeq
        m.pointee.include_deleted = includeDeleted ? 1 : 0
        return m
    }
}

extension RunDetail {
    init(_ c: Brain__V1__RunDetail) {
        self.init(
            run: c.run.map { RunInfo($0.pointee) } ?? RunInfo(),
            childRunIDs: swiftStrings(c.n_child_run_ids, c.child_run_ids),
            steps: swiftMessages(c.n_steps, c.steps, StepInfo.init)
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunDetail> {
        let m = arena.message(brain__v1__run_detail__init)
        m.pointee.run = run.c(arena)
        (m.pointee.n_child_run_ids, m.pointee.child_run_ids) = arena.strings(childRunIDs)
        (m.pointee.n_steps, m.pointee.steps) = arena.messages(steps) { $0.c($1) }
        return m
    }
}

extension ListStepsQuery {
    init(_ c: Brain__V1__ListStepsRequest) {
        self.init(runID: swiftString(c.run_id), fromSeq: c.from_seq, limit: c.limit)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListStepsRequest> {
        let m = arena.message(brain__v1__list_steps_request__init)
        arena.set(&m.pointee.run_id, runID)
        m.pointee.from_seq = fromSeq
        m.pointee.limit = limit
        return m
    }
}

extension StepList {
    init(_ c: Brain__V1__StepList) {
        self.init(steps: swiftMessages(c.n_steps, c.steps, StepInfo.init), nextSeq: c.next_seq)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__StepList> {
        let m = arena.message(brain__v1__step_list__init)
        (m.pointee.n_steps, m.pointee.steps) = arena.messages(steps) { $0.c($1) }
        m.pointee.next_seq = nextSeq
        return m
    }
}

extension PersistenceErrorInfo {
    init(_ c: Brain__V1__PersistenceErrorInfo) {
        self.init()
        errorID = swiftString(c.error_id)
        runID = swiftString(c.run_id)
        phase = swiftString(c.phase)
        project = swiftString(c.project)
        errorType = swiftString(c.error_type)
        errorMessage = swiftString(c.error_message)
        stack = swiftString(c.stack)
        payloadJSON = swiftString(c.payload_json)
        createdAt = c.created_at
        deletedAt = c.deleted_at
        agentName = swiftString(c.agent_name)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__PersistenceErrorInfo> {
        let m = arena.message(brain__v1__persistence_error_info__init)
        arena.set(&m.pointee.error_id, errorID)
        arena.set(&m.pointee.run_id, runID)
        arena.set(&m.pointee.phase, phase)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.error_type, errorType)
        arena.set(&m.pointee.error_message, errorMessage)
        arena.set(&m.pointee.stack, stack)
        arena.set(&m.pointee.payload_json, payloadJSON)
        m.pointee.created_at = createdAt
        m.pointee.deleted_at = deletedAt
        arena.set(&m.pointee.agent_name, agentName)
        return m
    }
}

extension ListPersistenceErrorsQuery {
    init(_ c: Brain__V1__ListPersistenceErrorsRequest) {
        self.init(
            runID: swiftString(c.run_id), phase: swiftString(c.phase), since: c.since, limit: c.limit,
            cursor: swiftString(c.cursor)
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListPersistenceErrorsRequest> {
        let m = arena.message(brain__v1__list_persistence_errors_request__init)
        arena.set(&m.pointee.run_id, runID)
        arena.set(&m.pointee.phase, phase)
        m.pointee.since = since
        m.pointee.limit = limit
        arena.set(&m.pointee.cursor, cursor)
        return m
    }
}

extension PersistenceErrorList {
    init(_ c: Brain__V1__PersistenceErrorList) {
        self.init(
            errors: swiftMessages(c.n_errors, c.errors, PersistenceErrorInfo.init), nextCursor: swiftString(c.next_cursor)
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__PersistenceErrorList> {
        let m = arena.message(brain__v1__persistence_error_list__init)
        (m.pointee.n_errors, m.pointee.errors) = arena.messages(errors) { $0.c($1) }
        arena.set(&m.pointee.next_cursor, nextCursor)
        return m
    }
}

extension WatchQuery {
    init(_ c: Brain__V1__WatchRequest) {
        self.init(
            runID: swiftString(c.run_id), project: swiftString(c.project), agents: c.agents != 0, tasks: c.tasks != 0, schedules: c.schedules != 0,
            commands: c.commands != 0, runsOff: c.runs_off != 0
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__WatchRequest> {
        let m = arena.message(brain__v1__watch_request__init)
        arena.set(&m.pointee.run_id, runID)
        arena.set(&m.pointee.project, project)
        m.pointee.agents = agents ? 1 : 0
        m.pointee.tasks = tasks ? 1 : 0
        m.pointee.schedules = schedules ? 1 : 0
        m.pointee.commands = commands ? 1 : 0
        m.pointee.runs_off = runsOff ? 1 : 0
        return m
    }
}

extension WatchEvent {
    init?(_ c: Brain__V1__WatchEvent) {
        switch c.change_case {
        case BRAIN__V1__WATCH_EVENT__CHANGE_RUN:
            guard let run = c.run else { return nil }
            self = .run(RunInfo(run.pointee))
        case BRAIN__V1__WATCH_EVENT__CHANGE_STEP:
            guard let step = c.step else { return nil }
            self = .step(StepInfo(step.pointee))
        case BRAIN__V1__WATCH_EVENT__CHANGE_AGENT:
            guard let agent = c.agent else { return nil }
            self = .agent(AgentInfo(agent.pointee))
        case BRAIN__V1__WATCH_EVENT__CHANGE_TASK:
            guard let task = c.task else { return nil }
            self = .task(TaskInfo(task.pointee))
        case BRAIN__V1__WATCH_EVENT__CHANGE_SCHEDULE:
            guard let schedule = c.schedule else { return nil }
            self = .schedule(ScheduleInfo(schedule.pointee))
        case BRAIN__V1__WATCH_EVENT__CHANGE_COMMAND:
            guard let command = c.command else { return nil }
            self = .command(CommandInfo(command.pointee))
        default:
            return nil
        }
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__WatchEvent> {
        let m = arena.message(brain__v1__watch_event__init)
        switch self {
        case .run(let run):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_RUN
            m.pointee.run = run.c(arena)
        case .step(let step):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_STEP
            m.pointee.step = step.c(arena)
        case .agent(let agent):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_AGENT
            m.pointee.agent = agent.c(arena)
        case .task(let task):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_TASK
            m.pointee.task = task.c(arena)
        case .schedule(let schedule):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_SCHEDULE
            m.pointee.schedule = schedule.c(arena)
        case .command(let command):
            m.pointee.change_case = BRAIN__V1__WATCH_EVENT__CHANGE_COMMAND
            m.pointee.command = command.c(arena)
        }
        return m
    }
}

extension StatusReply {
    init(_ c: Brain__V1__StatusReply) {
        self.init()
        version = swiftString(c.version)
        startedAt = c.started_at
        uptimeMs = c.uptime_ms
        socketPath = swiftString(c.socket_path)
        dataDir = swiftString(c.data_dir)
        agents = c.agents.map { AgentCounts($0.pointee) } ?? AgentCounts()
        lastSnapshotAt = c.last_snapshot_at
        runs = c.runs.map { RunCounts($0.pointee) } ?? RunCounts()
        steps = c.steps
        journalBytes = c.journal_bytes
        persistenceFault = swiftString(c.persistence_fault)
        persistenceErrors = c.persistence_errors
        fsyncPolicy = swiftString(c.fsync_policy)
        lastRetentionSweep = c.last_retention_sweep.map { RetentionSweepInfo($0.pointee) }
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__StatusReply> {
        let m = arena.message(brain__v1__status_reply__init)
        arena.set(&m.pointee.version, version)
        m.pointee.started_at = startedAt
        m.pointee.uptime_ms = uptimeMs
        arena.set(&m.pointee.socket_path, socketPath)
        arena.set(&m.pointee.data_dir, dataDir)
        m.pointee.agents = agents.c(arena)
        m.pointee.last_snapshot_at = lastSnapshotAt
        m.pointee.runs = runs.c(arena)
        m.pointee.steps = steps
        m.pointee.journal_bytes = journalBytes
        arena.set(&m.pointee.persistence_fault, persistenceFault)
        m.pointee.persistence_errors = persistenceErrors
        arena.set(&m.pointee.fsync_policy, fsyncPolicy)
        m.pointee.last_retention_sweep = lastRetentionSweep?.c(arena)
        return m
    }
}

extension RetentionSweepInfo {
    init(_ c: Brain__V1__RetentionSweepInfo) {
        self.init()
        at = c.at
        runs = c.runs
        tasks = c.tasks
        taskEventTrims = c.task_event_trims
        sinkRows = c.sink_rows
        commands = c.commands
        truncated = c.truncated != 0
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RetentionSweepInfo> {
        let m = arena.message(brain__v1__retention_sweep_info__init)
        m.pointee.at = at
        m.pointee.runs = runs
        m.pointee.tasks = tasks
        m.pointee.task_event_trims = taskEventTrims
        m.pointee.sink_rows = sinkRows
        m.pointee.commands = commands
        m.pointee.truncated = truncated ? 1 : 0
        return m
    }
}

extension StatsReply {
    init(_ c: Brain__V1__StatsReply) {
        self.init()
        runs = c.runs.map { RunCounts($0.pointee) } ?? RunCounts()
        steps = c.steps
        eventsApplied = c.events_applied
        eventsPerSecond = c.events_per_second
        persistenceErrors = c.persistence_errors
        connections = c.connections
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__StatsReply> {
        let m = arena.message(brain__v1__stats_reply__init)
        m.pointee.runs = runs.c(arena)
        m.pointee.steps = steps
        m.pointee.events_applied = eventsApplied
        m.pointee.events_per_second = eventsPerSecond
        m.pointee.persistence_errors = persistenceErrors
        m.pointee.connections = connections
        return m
    }
}

extension SnapshotReply {
    init(_ c: Brain__V1__SnapshotReply) {
        self.init(writtenAt: c.written_at, bytes: c.bytes, path: swiftString(c.path))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__SnapshotReply> {
        let m = arena.message(brain__v1__snapshot_reply__init)
        m.pointee.written_at = writtenAt
        m.pointee.bytes = bytes
        arena.set(&m.pointee.path, path)
        return m
    }
}
