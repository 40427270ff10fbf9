internal import CBrainWire

extension AgentEvent {
    init(_ c: Brain__V1__AgentEvent) {
        let kind: Kind
        switch c.event_case {
        case BRAIN__V1__AGENT_EVENT__EVENT_RUN_CREATED:
            kind = c.run_created.map { .runCreated(RunCreated($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_RUN_STATUS:
            kind = c.run_status.map { .runStatus(RunStatusChanged($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_STEP:
            kind = c.step.map { .step(StepReported($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_TASK_EVENT:
            kind = c.task_event.map { .taskEvent(TaskEventReported($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_UPSERT:
            kind = c.schedule_upsert.map { .scheduleUpsert(ScheduleReport($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_DELETE:
            kind = c.schedule_delete.map { .scheduleDelete(ScheduleDeleted($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_FIRED:
            kind = c.schedule_fired.map { .scheduleFired(ScheduleFired($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_LISTING:
            kind = c.schedule_listing.map { .scheduleListing(ScheduleListing($0.pointee)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RECEIVED:
            kind = c.command_received.map { .commandReceived(commandID: swiftString($0.pointee.command_id)) } ?? .unknown
        case BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT:
            kind = c.command_result.map { .commandResult(CommandResult($0.pointee)) } ?? .unknown
        default:
            kind = .unknown
        }
        self.init(seq: c.seq, kind: kind)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__AgentEvent> {
        let m = arena.message(brain__v1__agent_event__init)
        m.pointee.seq = seq
        switch kind {
        case .runCreated(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_CREATED
            m.pointee.run_created = value.c(arena)
        case .runStatus(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_RUN_STATUS
            m.pointee.run_status = value.c(arena)
        case .step(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_STEP
            m.pointee.step = value.c(arena)
        case .taskEvent(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_TASK_EVENT
            m.pointee.task_event = value.c(arena)
        case .scheduleUpsert(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_UPSERT
            m.pointee.schedule_upsert = value.c(arena)
        case .scheduleDelete(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_DELETE
            m.pointee.schedule_delete = value.c(arena)
        case .scheduleFired(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_FIRED
            m.pointee.schedule_fired = value.c(arena)
        case .scheduleListing(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_SCHEDULE_LISTING
            m.pointee.schedule_listing = value.c(arena)
        case .commandReceived(let commandID):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RECEIVED
            m.pointee.command_received = CCommandMessages.received(commandID, arena)
        case .commandResult(let value):
            m.pointee.event_case = BRAIN__V1__AGENT_EVENT__EVENT_COMMAND_RESULT
            m.pointee.command_result = value.c(arena)
        case .unknown:
            break
        }
        return m
    }
}
