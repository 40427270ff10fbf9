internal import CBrainWire

extension WireTaskEventKind {
    init(_ c: Brain__V1__TaskEventKind) { self = WireTaskEventKind(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__TaskEventKind { Brain__V1__TaskEventKind(rawValue: numericCast(rawValue)) }
}

extension WireTaskState {
    init(_ c: Brain__V1__TaskState) { self = WireTaskState(rawValue: Int32(truncatingIfNeeded: c.rawValue)) ?? .unspecified }
    var c: Brain__V1__TaskState { Brain__V1__TaskState(rawValue: numericCast(rawValue)) }
}

extension TaskEventReported {
    init(_ c: Brain__V1__TaskEventReported) {
        self.init(taskID: swiftString(c.task_id), engine: swiftString(c.engine), kind: WireTaskEventKind(c.kind), ts: c.ts)
        attempt = c.attempt
        name = swiftString(c.name)
        queue = swiftString(c.queue)
        groupID = swiftString(c.group_id)
        retriedAs = swiftString(c.retried_as)
        argsJSON = swiftString(c.args_json)
        kwargsJSON = swiftString(c.kwargs_json)
        excType = swiftString(c.exc_type)
        excMessage = swiftString(c.exc_message)
        traceback = swiftString(c.traceback)
        payloadJSON = swiftString(c.payload_json)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskEventReported> {
        let m = arena.message(brain__v1__task_event_reported__init)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.engine, engine)
        m.pointee.kind = kind.c
        m.pointee.ts = ts
        m.pointee.attempt = attempt
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.queue, queue)
        arena.set(&m.pointee.group_id, groupID)
        arena.set(&m.pointee.retried_as, retriedAs)
        arena.set(&m.pointee.args_json, argsJSON)
        arena.set(&m.pointee.kwargs_json, kwargsJSON)
        arena.set(&m.pointee.exc_type, excType)
        arena.set(&m.pointee.exc_message, excMessage)
        arena.set(&m.pointee.traceback, traceback)
        arena.set(&m.pointee.payload_json, payloadJSON)
        return m
    }
}

extension TaskErrorInfo {
    init(_ c: Brain__V1__TaskErrorInfo) {
        self.init(excType: swiftString(c.exc_type), excMessage: swiftString(c.exc_msg), tracebackRedacted: swiftString(c.traceback_redacted))
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskErrorInfo> {
        let m = arena.message(brain__v1__task_error_info__init)
        arena.set(&m.pointee.exc_type, excType)
        arena.set(&m.pointee.exc_msg, excMessage)
        arena.set(&m.pointee.traceback_redacted, tracebackRedacted)
        return m
    }
}

extension TaskInfo {
    init(_ c: Brain__V1__TaskInfo) {
        self.init()
        taskID = swiftString(c.task_id)
        project = swiftString(c.project)
        engine = swiftString(c.engine)
        name = swiftString(c.name)
        queue = swiftString(c.queue)
        state = WireTaskState(c.state)
        argsJSON = swiftString(c.args_json)
        kwargsJSON = swiftString(c.kwargs_json)
        error = c.error.map { TaskErrorInfo($0.pointee) }
        retriedAs = swiftString(c.retried_as)
        groupID = swiftString(c.group_id)
        attempt = c.attempt
        enqueuedAt = c.enqueued_at
        startedAt = c.started_at
        finishedAt = c.finished_at
        createdAt = c.created_at
        updatedAt = c.updated_at
        agentID = swiftString(c.agent_id)
        stateReason = swiftString(c.state_reason)
        stuck = c.stuck != 0
        eventCount = c.event_count
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskInfo> {
        let m = arena.message(brain__v1__task_info__init)
        arena.set(&m.pointee.task_id, taskID)
        arena.set(&m.pointee.project, project)
        arena.set(&m.pointee.engine, engine)
        arena.set(&m.pointee.name, name)
        arena.set(&m.pointee.queue, queue)
        m.pointee.state = state.c
        arena.set(&m.pointee.args_json, argsJSON)
        arena.set(&m.pointee.kwargs_json, kwargsJSON)
        m.pointee.error = error?.c(arena)
        arena.set(&m.pointee.retried_as, retriedAs)
        arena.set(&m.pointee.group_id, groupID)
        m.pointee.attempt = attempt
        m.pointee.enqueued_at = enqueuedAt
        m.pointee.started_at = startedAt
        m.pointee.finished_at = finishedAt
        m.pointee.created_at = createdAt
        m.pointee.updated_at = updatedAt
        arena.set(&m.pointee.agent_id, agentID)
        arena.set(&m.pointee.state_reason, stateReason)
        m.pointee.stuck = stuck ? 1 : 0
        m.pointee.event_count = eventCount
        return m
    }
}

extension TaskEventInfo {
    init(_ c: Brain__V1__TaskEventInfo) {
        self.init()
        kind = WireTaskEventKind(c.kind)
        attempt = c.attempt
        ts = c.ts
        createdAt = c.created_at
        agentID = swiftString(c.agent_id)
        agentSeq = c.agent_seq
        error = c.error.map { TaskErrorInfo($0.pointee) }
        payloadJSON = swiftString(c.payload_json)
        rule = swiftString(c.rule)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__TaskEventInfo> {
        let m = arena.message(brain__v1__task_event_info__init)
        m.pointee.kind = kind.c
        m.pointee.attempt = attempt
        m.pointee.ts = ts
        m.pointee.created_at = createdAt
        arena.set(&m.pointee.agent_id, agentID)
        m.pointee.agent_seq = agentSeq
        m.pointee.error = error?.c(arena)
        arena.set(&m.pointee.payload_json, payloadJSON)
        arena.set(&m.pointee.rule, rule)
        return m
    }
}
