internal import CBrainWire

extension BrainResponse {
    init(_ c: Brain__V1__Response) {
        var error: BrainError?
        if let status = c.status, status.pointee.code.rawValue != 0 {
            error = BrainError(StatusCode(status.pointee.code), swiftString(status.pointee.message))
        }
        var result: Result?
        switch c.result_case {
        case BRAIN__V1__RESPONSE__RESULT_WELCOME:
            result = c.welcome.map { .welcome(Welcome($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_HEARTBEAT:
            result = .heartbeat(receivedAt: c.heartbeat?.pointee.received_at ?? 0)
        case BRAIN__V1__RESPONSE__RESULT_ACK:
            result = .ack(ackedSeq: c.ack?.pointee.acked_seq ?? 0)
        case BRAIN__V1__RESPONSE__RESULT_REJECTED:
            result = .rejected(seq: c.rejected?.pointee.seq ?? 0)
        case BRAIN__V1__RESPONSE__RESULT_STATUS_REPLY:
            result = c.status_reply.map { .statusReply(StatusReply($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_AGENTS:
            result = .agents(swiftMessages(c.agents?.pointee.n_agents ?? 0, c.agents?.pointee.agents, AgentInfo.init))
        case BRAIN__V1__RESPONSE__RESULT_CREATED_AGENT:
            result = c.created_agent.map {
                .createdAgent($0.pointee.agent.map { AgentInfo($0.pointee) } ?? AgentInfo(), token: swiftString($0.pointee.token))
            }
        case BRAIN__V1__RESPONSE__RESULT_RUNS:
            result = c.runs.map { .runs(RunList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_RUN:
            result = c.run.map { .run(RunDetail($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_STEPS:
            result = c.steps.map { .steps(StepList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_RUN_INFO:
            result = c.run_info.map { .runInfo(RunInfo($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_PERSISTENCE_ERRORS:
            result = c.persistence_errors.map { .persistenceErrors(PersistenceErrorList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_WATCH_EVENT:
            result = c.watch_event.flatMap { WatchEvent($0.pointee) }.map { .watchEvent($0) }
        case BRAIN__V1__RESPONSE__RESULT_CANCEL_CALL:
            result = .cancelCall(cancelled: (c.cancel_call?.pointee.cancelled ?? 0) != 0)
        case BRAIN__V1__RESPONSE__RESULT_STATS:
            result = c.stats.map { .stats(StatsReply($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_SNAPSHOT:
            result = c.snapshot.map { .snapshot(SnapshotReply($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_AGENT_COMMAND:
            result = c.agent_command.map { .agentCommand(AgentCommand($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_PROJECTS:
            result = .projects(swiftMessages(c.projects?.pointee.n_projects ?? 0, c.projects?.pointee.projects, ProjectInfo.init))
        case BRAIN__V1__RESPONSE__RESULT_PROJECT_INFO:
            result = c.project_info.map { .projectInfo(ProjectInfo($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_TASKS:
            result = c.tasks.map { .tasks(TaskList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_TASK:
            result = c.task.map { .task(TaskDetail($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_TASK_STATS:
            result = .taskStats(swiftMessages(c.task_stats?.pointee.n_names ?? 0, c.task_stats?.pointee.names, WireTaskNameStats.init))
        case BRAIN__V1__RESPONSE__RESULT_COMMAND_INFO:
            result = c.command_info.map { .commandInfo(CommandInfo($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_COMMANDS:
            result = c.commands.map { .commands(CommandList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_SCHEDULES:
            result = c.schedules.map { .schedules(ScheduleList($0.pointee)) }
        case BRAIN__V1__RESPONSE__RESULT_SCHEDULE:
            result = c.schedule.map { .schedule(ScheduleDetail($0.pointee)) }
        default:
            result = nil
        }
        self.init(callID: c.call_id, error: error, endOfStream: c.end_of_stream != 0, result: result)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__Response> {
        let m = arena.message(brain__v1__response__init)
        m.pointee.call_id = callID
        m.pointee.end_of_stream = endOfStream ? 1 : 0
        if let error {
            let status = arena.message(brain__v1__status__init)
            status.pointee.code = error.code.c
            arena.set(&status.pointee.message, error.message)
            m.pointee.status = status
        }
        guard let result else { return m }
        switch result {
        case .welcome(let welcome):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_WELCOME
            m.pointee.welcome = welcome.c(arena)
        case .heartbeat(let receivedAt):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_HEARTBEAT
            let reply = arena.message(brain__v1__heartbeat_reply__init)
            reply.pointee.received_at = receivedAt
            m.pointee.heartbeat = reply
        case .ack(let ackedSeq):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_ACK
            let ack = arena.message(brain__v1__ack__init)
            ack.pointee.acked_seq = ackedSeq
            m.pointee.ack = ack
        case .rejected(let seq):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_REJECTED
            let rejected = arena.message(brain__v1__event_rejected__init)
            rejected.pointee.seq = seq
            m.pointee.rejected = rejected
        case .statusReply(let reply):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_STATUS_REPLY
            m.pointee.status_reply = reply.c(arena)
        case .agents(let agents):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_AGENTS
            let list = arena.message(brain__v1__agent_list__init)
            (list.pointee.n_agents, list.pointee.agents) = arena.messages(agents) { $0.c($1) }
            m.pointee.agents = list
        case .createdAgent(let agent, let token):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_CREATED_AGENT
            let created = arena.message(brain__v1__created_agent__init)
            created.pointee.agent = agent.c(arena)
            arena.set(&created.pointee.token, token)
            m.pointee.created_agent = created
        case .runs(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_RUNS
            m.pointee.runs = list.c(arena)
        case .run(let detail):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_RUN
            m.pointee.run = detail.c(arena)
        case .steps(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_STEPS
            m.pointee.steps = list.c(arena)
        case .runInfo(let run):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_RUN_INFO
            m.pointee.run_info = run.c(arena)
        case .persistenceErrors(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_PERSISTENCE_ERRORS
            m.pointee.persistence_errors = list.c(arena)
        case .watchEvent(let event):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_WATCH_EVENT
            m.pointee.watch_event = event.c(arena)
        case .cancelCall(let cancelled):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_CANCEL_CALL
            let reply = arena.message(brain__v1__cancel_call_reply__init)
            reply.pointee.cancelled = cancelled ? 1 : 0
            m.pointee.cancel_call = reply
        case .stats(let stats):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_STATS
            m.pointee.stats = stats.c(arena)
        case .snapshot(let reply):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_SNAPSHOT
            m.pointee.snapshot = reply.c(arena)
        case .agentCommand(let command):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_AGENT_COMMAND
            m.pointee.agent_command = command.c(arena)
        case .projects(let projects):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_PROJECTS
            m.pointee.projects = CProjectRequests.list(projects, arena)
        case .projectInfo(let project):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_PROJECT_INFO
            m.pointee.project_info = project.c(arena)
        case .tasks(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_TASKS
            m.pointee.tasks = list.c(arena)
        case .task(let detail):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_TASK
            m.pointee.task = detail.c(arena)
        case .taskStats(let names):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_TASK_STATS
            m.pointee.task_stats = CTaskStats.reply(names, arena)
        case .commandInfo(let command):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_COMMAND_INFO
            m.pointee.command_info = command.c(arena)
        case .commands(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_COMMANDS
            m.pointee.commands = list.c(arena)
        case .schedules(let list):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_SCHEDULES
            m.pointee.schedules = list.c(arena)
        case .schedule(let detail):
            m.pointee.result_case = BRAIN__V1__RESPONSE__RESULT_SCHEDULE
            m.pointee.schedule = detail.c(arena)
        }
        return m
    }
}
