internal import CBrainWire

extension WireCommandKind {
    init(_ c: Brain__V1__CommandKind) { self = WireCommandKind(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__CommandKind { Brain__V1__CommandKind(rawValue: numericCast(rawValue)) }
}

extension WireCommandState {
    init(_ c: Brain__V1__CommandState) { self = WireCommandState(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__CommandState { Brain__V1__CommandState(rawValue: numericCast(rawValue)) }
}

extension AgentCommand {
    init(_ c: Brain__V1__AgentCommand) {
        self.init(commandID: swiftString(c.command_id), kind: WireCommandKind(c.kind))
        taskID = swiftString(c.task_id)
        engine = swiftString(c.engine)
        taskName = swiftString(c.task_name)
        scheduler = swiftString(c.scheduler)
        scheduleName = swiftString(c.schedule_name)
        deadline = c.deadline
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__AgentCommand> {
        let m = arena.message(brain__v1__agent_command__init)
        arena.set(&m.pointee.command_id, commandID)
        m.pointee.kind = kind.c
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.engine, engine)
        arena.set(&m.pointee.task_name, taskName)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.schedule_name, scheduleName)
        m.pointee.deadline = deadline
        return m
    }
}

extension CommandResult {
    init(_ c: Brain__V1__CommandResult) {
        self.init(commandID: swiftString(c.command_id), ok: c.ok != 0, message: swiftString(c.message), newTaskID: swiftString(c.new_task_id))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CommandResult> {
        let m = arena.message(brain__v1__command_result__init)
        arena.set(&m.pointee.command_id, commandID)
        m.pointee.ok = ok ? 1 : 0
        arena.set(&m.pointee.message, message)
        arena.set(&m.pointee.new_task_id, newTaskID)
        return m
    }
}

extension CommandInfo {
    init(_ c: Brain__V1__CommandInfo) {
        self.init()
        commandID = swiftString(c.command_id)
        kind = WireCommandKind(c.kind)
        state = WireCommandState(c.state)
        project = swiftString(c.project)
        agentID = swiftString(c.agent_id)
        taskID = swiftString(c.task_id)
        engine = swiftString(c.engine)
        scheduler = swiftString(c.scheduler)
        scheduleName = swiftString(c.schedule_name)
        createdAt = c.created_at
        deadline = c.deadline
        deliveredAt = c.delivered_at
        receivedAt = c.received_at
        finishedAt = c.finished_at
        resultMessage = swiftString(c.result_message)
        newTaskID = swiftString(c.new_task_id)
        late = c.late != 0
        lateOK = c.late_ok != 0
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CommandInfo> {
        let m = arena.message(brain__v1__command_info__init)
        arena.set(&m.pointee.command_id, commandID)
        m.pointee.kind = kind.c
        m.pointee.state = state.c
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.agent_id, agentID)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.engine, engine)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.schedule_name, scheduleName)
        m.pointee.created_at = createdAt
        m.pointee.deadline = deadline
        m.pointee.delivered_at = deliveredAt
        m.pointee.received_at = receivedAt
        m.pointee.finished_at = finishedAt
        arena.set(&m.pointee.result_message, resultMessage)
        arena.set(&m.pointee.new_task_id, newTaskID)
        m.pointee.late = late ? 1 : 0
        m.pointee.late_ok = lateOK ? 1 : 0
        return m
    }
}

extension TaskCommandQuery {
    init(_ c: Brain__V1__RetryTaskRequest) {
        self.init(taskID: swiftString(c.task_id), project: swiftString(c.project), engine: swiftString(c.engine), deadlineMs: c.deadline_ms)
    }

    init(_ c: Brain__V1__CancelTaskRequest) {
        self.init(taskID: swiftString(c.task_id), project: swiftString(c.project), engine: swiftString(c.engine), deadlineMs: c.deadline_ms)
    }

    func retry(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RetryTaskRequest> {
        let m = arena.message(brain__v1__retry_task_request__init)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.engine, engine)
        m.pointee.deadline_ms = deadlineMs
        return m
    }

    func cancel(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CancelTaskRequest> {
        let m = arena.message(brain__v1__cancel_task_request__init)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.engine, engine)
        m.pointee.deadline_ms = deadlineMs
        return m
    }
}

extension SetScheduleEnabledQuery {
    init(_ c: Brain__V1__SetScheduleEnabledRequest) {
        self.init(
            project: swiftString(c.project), scheduler: swiftString(c.scheduler), name: swiftString(c.name), enabled: c.enabled != 0,
            deadlineMs: c.deadline_ms
        )
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__SetScheduleEnabledRequest> {
        let m = arena.message(brain__v1__set_schedule_enabled_request__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.scheduler, scheduler)
        arena.set(&m.pointee.name, name)
        m.pointee.enabled = enabled ? 1 : 0
        m.pointee.deadline_ms = deadlineMs
        return m
    }
}

extension ListCommandsQuery {
    init(_ c: Brain__V1__ListCommandsRequest) {
        self.init()
        project = swiftString(c.project)
        agent = swiftString(c.agent)
        if let states = c.states, c.n_states > 0 {
            self.states = (0..<c.n_states).map { WireCommandState(states[$0]) }
        }
        cursor = swiftString(c.cursor)
        limit = c.limit
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__ListCommandsRequest> {
        let m = arena.message(brain__v1__list_commands_request__init)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.agent, agent)
        if !states.isEmpty {
            let array: UnsafeMutablePointer<Brain__V1__CommandState> = arena.array(states.count)
            for (index, state) in states.enumerated() { array[index] = state.c }
            m.pointee.n_states = states.count
            m.pointee.states = array
        }
        arena.set(&m.pointee.cursor, cursor)
        m.pointee.limit = limit
        return m
    }
}

extension CommandList {
    init(_ c: Brain__V1__CommandList) {
        self.init(commands: swiftMessages(c.n_commands, c.commands, CommandInfo.init), nextCursor: swiftString(c.next_cursor))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CommandList> {
        let m = arena.message(brain__v1__command_list__init)
        (m.pointee.n_commands, m.pointee.commands) = arena.messages(commands) { $0.c($1) }
        arena.set(&m.pointee.next_cursor, nextCursor)
        return m
    }
}

/// The command messages with no Swift type of their own.
enum CCommandMessages {
    static func received(_ commandID: String, _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__CommandReceived> {
        let m = arena.message(brain__v1__command_received__init)
        arena.set(&m.pointee.command_id, commandID)
        return m
    }

    static func get(_ commandID: String, _ arena: CArena) -> UnsafeMutablePointer<Brain__V1__GetCommandRequest> {
        let m = arena.message(brain__v1__get_command_request__init)
        arena.set(&m.pointee.command_id, commandID)
        return m
    }
}
