internal import CBrainWire

extension BrainRequest {
    init(_ c: Brain__V1__Request) {
        let method: Method
        switch c.method_case {
        case BRAIN__V1__REQUEST__METHOD_HELLO:
            method = c.hello.map { .hello(Hello($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_HEARTBEAT:
            method = .heartbeat(sentAt: c.heartbeat?.pointee.sent_at ?? 0)
        case BRAIN__V1__REQUEST__METHOD_PUBLISH:
            method = c.publish.map { .publish(AgentEvent($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_STATUS:
            method = .getStatus
        case BRAIN__V1__REQUEST__METHOD_LIST_AGENTS:
            method = .listAgents(project: swiftString(c.list_agents?.pointee.project))
        case BRAIN__V1__REQUEST__METHOD_CREATE_AGENT:
            method = .createAgent(
                name: swiftString(c.create_agent?.pointee.name), project: swiftString(c.create_agent?.pointee.project)
            )
        case BRAIN__V1__REQUEST__METHOD_LIST_RUNS:
            method = c.list_runs.map { .listRuns(ListRunsQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_RUN:
            method = c.get_run.map { .getRun(GetRunQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_LIST_STEPS:
            method = c.list_steps.map { .listSteps(ListStepsQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_CANCEL_RUN:
            method = .cancelRun(
                runID: swiftString(c.cancel_run?.pointee.run_id), reason: swiftString(c.cancel_run?.pointee.reason)
            )
        case BRAIN__V1__REQUEST__METHOD_DELETE_RUN:
            method = .deleteRun(runID: swiftString(c.delete_run?.pointee.run_id))
        case BRAIN__V1__REQUEST__METHOD_LIST_PERSISTENCE_ERRORS:
            method =
                c.list_persistence_errors.map { .listPersistenceErrors(ListPersistenceErrorsQuery($0.pointee)) }
                ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_WATCH:
            method = c.watch.map { .watch(WatchQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_CANCEL_CALL:
            method = .cancelCall(targetCallID: c.cancel_call?.pointee.target_call_id ?? 0)
        case BRAIN__V1__REQUEST__METHOD_GET_STATS:
            method = .getStats
        case BRAIN__V1__REQUEST__METHOD_SNAPSHOT:
            method = .snapshot
        case BRAIN__V1__REQUEST__METHOD_LIST_PROJECTS:
            method = .listProjects
        case BRAIN__V1__REQUEST__METHOD_GET_PROJECT:
            method = .getProject(name: swiftString(c.get_project?.pointee.name))
        case BRAIN__V1__REQUEST__METHOD_CREATE_PROJECT:
            method = .createProject(
                name: swiftString(c.create_project?.pointee.name), settings: c.create_project?.pointee.settings.map { WireProjectSettings($0.pointee) })
        case BRAIN__V1__REQUEST__METHOD_UPDATE_PROJECT:
            method = .updateProject(
                name: swiftString(c.update_project?.pointee.name), settings: c.update_project?.pointee.settings.map { WireProjectSettings($0.pointee) })
        case BRAIN__V1__REQUEST__METHOD_LIST_TASKS:
            method = c.list_tasks.map { .listTasks(ListTasksQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_TASK:
            method = c.get_task.map { .getTask(GetTaskQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_TASK_STATS:
            method = c.get_task_stats.map { .getTaskStats(GetTaskStatsQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_RETRY_TASK:
            method = c.retry_task.map { .retryTask(TaskCommandQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_CANCEL_TASK:
            method = c.cancel_task.map { .cancelTask(TaskCommandQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_SET_SCHEDULE_ENABLED:
            method = c.set_schedule_enabled.map { .setScheduleEnabled(SetScheduleEnabledQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_COMMAND:
            method = .getCommand(commandID: swiftString(c.get_command?.pointee.command_id))
        case BRAIN__V1__REQUEST__METHOD_LIST_COMMANDS:
            method = c.list_commands.map { .listCommands(ListCommandsQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_LIST_SCHEDULES:
            method = c.list_schedules.map { .listSchedules(ListSchedulesQuery($0.pointee)) } ?? .unknown
        case BRAIN__V1__REQUEST__METHOD_GET_SCHEDULE:
            method = c.get_schedule.map { .getSchedule(GetScheduleQuery($0.pointee)) } ?? .unknown
        default:
            method = .unknown
        }
        self.init(callID: c.call_id, method: method)
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__Request> {
        let m = arena.message(brain__v1__request__init)
        m.pointee.call_id = callID
        switch method {
        case .hello(let hello):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_HELLO
            m.pointee.hello = hello.c(arena)
        case .heartbeat(let sentAt):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_HEARTBEAT
            let heartbeat = arena.message(brain__v1__heartbeat_request__init)
            heartbeat.pointee.sent_at = sentAt
            m.pointee.heartbeat = heartbeat
        case .publish(let event):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_PUBLISH
            m.pointee.publish = event.c(arena)
        case .getStatus:
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_STATUS
            m.pointee.get_status = arena.message(brain__v1__get_status_request__init)
        case .listAgents(let project):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_AGENTS
            let list = arena.message(brain__v1__list_agents_request__init)
            arena.set(&list.pointee.project, project)
            m.pointee.list_agents = list
        case .createAgent(let name, let project):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_CREATE_AGENT
            let create = arena.message(brain__v1__create_agent_request__init)
            arena.set(&create.pointee.name, name)
            arena.set(&create.pointee.project, project)
            m.pointee.create_agent = create
        case .listRuns(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_RUNS
            m.pointee.list_runs = query.c(arena)
        case .getRun(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_RUN
            m.pointee.get_run = query.c(arena)
        case .listSteps(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_STEPS
            m.pointee.list_steps = query.c(arena)
        case .cancelRun(let runID, let reason):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_CANCEL_RUN
            let cancel = arena.message(brain__v1__cancel_run_request__init)
            arena.set(&cancel.pointee.run_id, runID)
            arena.set(&cancel.pointee.reason, reason)
            m.pointee.cancel_run = cancel
        case .deleteRun(let runID):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_DELETE_RUN
            let delete = arena.message(brain__v1__delete_run_request__init)
            arena.set(&delete.pointee.run_id, runID)
            m.pointee.delete_run = delete
        case .listPersistenceErrors(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_PERSISTENCE_ERRORS
            m.pointee.list_persistence_errors = query.c(arena)
        case .watch(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_WATCH
            m.pointee.watch = query.c(arena)
        case .cancelCall(let target):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_CANCEL_CALL
            let cancel = arena.message(brain__v1__cancel_call_request__init)
            cancel.pointee.target_call_id = target
            m.pointee.cancel_call = cancel
        case .getStats:
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_STATS
            m.pointee.get_stats = arena.message(brain__v1__get_stats_request__init)
        case .snapshot:
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_SNAPSHOT
            m.pointee.snapshot = arena.message(brain__v1__snapshot_request__init)
        case .listProjects:
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_PROJECTS
            m.pointee.list_projects = CProjectRequests.list(arena)
        case .getProject(let name):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_PROJECT
            m.pointee.get_project = CProjectRequests.get(name, arena)
        case .createProject(let name, let settings):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_CREATE_PROJECT
            m.pointee.create_project = CProjectRequests.create(name, settings, arena)
        case .updateProject(let name, let settings):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_UPDATE_PROJECT
            m.pointee.update_project = CProjectRequests.update(name, settings, arena)
        case .listTasks(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_TASKS
            m.pointee.list_tasks = query.c(arena)
        case .getTask(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_TASK
            m.pointee.get_task = query.c(arena)
        case .getTaskStats(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_TASK_STATS
            m.pointee.get_task_stats = query.c(arena)
        case .retryTask(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_RETRY_TASK
            m.pointee.retry_task = query.retry(arena)
        case .cancelTask(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_CANCEL_TASK
            m.pointee.cancel_task = query.cancel(arena)
        case .setScheduleEnabled(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_SET_SCHEDULE_ENABLED
            m.pointee.set_schedule_enabled = query.c(arena)
        case .getCommand(let commandID):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_COMMAND
            m.pointee.get_command = CCommandMessages.get(commandID, arena)
        case .listCommands(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_COMMANDS
            m.pointee.list_commands = query.c(arena)
        case .listSchedules(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_LIST_SCHEDULES
            m.pointee.list_schedules = query.c(arena)
        case .getSchedule(let query):
            m.pointee.method_case = BRAIN__V1__REQUEST__METHOD_GET_SCHEDULE
            m.pointee.get_schedule = query.c(arena)
        case .unknown:
            break
        }
        return m
    }
}
