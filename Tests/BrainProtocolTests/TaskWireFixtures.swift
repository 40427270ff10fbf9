import BrainProtocol

/// Values of the project, task, command and schedule messages: every field set (`full`), none
/// set (`empty`), and texts of every kind and size (`large`: a quarter megabyte of multi-byte text).
enum TaskWireFixtures {
    static let unicode = WireFixtures.unicode
    static let time = WireFixtures.time
    /// 250 KB of text with 1- to 4-byte characters (more than protobuf-c's small-buffer paths,
    /// small enough that a debug build compares it quickly).
    static let large = String(repeating: "a€🧠ü", count: 25_000)

    static var settings: WireProjectSettings {
        WireProjectSettings(
            retention: WireRetentionSettings(runsNs: 1, tasksNs: Int64.max, taskEventsNs: -5, sinkRowsNs: 86_400_000_000_000),
            extraKeyPatterns: ["*_pin", "", "clé_\(unicode)"], allowedKeys: ["token_count"], timeZone: "Europe/Riga", redactSteps: true
        )
    }

    static var project: ProjectInfo {
        ProjectInfo(projectID: "5f0c-\(unicode)", name: "projet-é", settings: settings, createdAt: time, updatedAt: Int64.max)
    }

    static func taskEventReported(_ text: String) -> TaskEventReported {
        var event = TaskEventReported(taskID: "task-\(text)", engine: "rq", kind: .retry, ts: Int64.min)
        event.attempt = UInt32.max
        event.name = "app.tasks.send_\(text)"
        event.queue = "q-\(text)"
        event.groupID = "g-\(text)"
        event.retriedAs = "t2-\(text)"
        event.argsJSON = "[\"\(text)\"]"
        event.kwargsJSON = "{\"password\":\"\(text)\"}"
        event.excType = "ValueError"
        event.excMessage = "bad \(text)"
        event.traceback = "Traceback:\n  \(text)"
        event.payloadJSON = "{\"hostname\":\"w1\"}"
        return event
    }

    static var error: TaskErrorInfo { TaskErrorInfo(excType: "psycopg2.OperationalError", excMessage: "no ✗", tracebackRedacted: "tb \(unicode)") }

    static func taskInfo(_ text: String) -> TaskInfo {
        var task = TaskInfo()
        task.taskID = "t-\(text)"
        task.project = "p-\(text)"
        task.engine = "celery"
        task.name = "n-\(text)"
        task.queue = "q"
        task.state = .lost
        task.argsJSON = "[1]"
        task.kwargsJSON = "{\"k\":\"\(text)\"}"
        task.error = error
        task.retriedAs = "r"
        task.groupID = "g"
        task.attempt = 3
        task.enqueuedAt = time
        task.startedAt = time + 1
        task.finishedAt = time + 2
        task.createdAt = time + 3
        task.updatedAt = Int64.max
        task.agentID = "a-\(text)"
        task.stateReason = "agent w1 went offline"
        task.stuck = true
        task.eventCount = UInt32.max
        return task
    }

    static var taskEventInfo: TaskEventInfo {
        var event = TaskEventInfo()
        event.kind = .expired
        event.attempt = 2
        event.ts = -time
        event.createdAt = time
        event.agentID = "a"
        event.agentSeq = UInt64.max
        event.error = error
        event.payloadJSON = "{\"x\":\"\(unicode)\"}"
        event.rule = "overrides_lost"
        return event
    }

    static var listTasks: ListTasksQuery {
        var query = ListTasksQuery()
        query.project = "p-\(unicode)"
        query.states = [.pending, .lost, .retried, .pending]
        query.engine = "celery"
        query.name = "n"
        query.queue = "q"
        query.agent = "w1"
        query.createdSince = -1
        query.createdUntil = Int64.max
        query.search = "zoë"
        query.cursor = "t42"
        query.limit = UInt32.max
        query.stuckOnly = true
        return query
    }

    static var nameStats: WireTaskNameStats {
        var stats = WireTaskNameStats()
        stats.name = "n-\(unicode)"
        for (index, state) in WireTaskState.allCases.enumerated() { stats.counts[state] = UInt64(index) << 40 }
        stats.runtimeSamples = 9
        stats.runtimeP50Ns = 1_500_000_000
        stats.runtimeP99Ns = Int64.max
        stats.failureRate = 0.125
        return stats
    }

    static var agentCommand: AgentCommand {
        var command = AgentCommand(commandID: "c-\(unicode)", kind: .disableSchedule)
        command.taskID = "t"
        command.engine = "celery"
        command.taskName = "n"
        command.scheduler = "celery-beat"
        command.scheduleName = "nightly"
        command.deadline = Int64.max
        return command
    }

    static var commandInfo: CommandInfo {
        var command = CommandInfo()
        command.commandID = "c"
        command.kind = .retryTask
        command.state = .timedOut
        command.project = "p"
        command.agentID = "a"
        command.taskID = "t"
        command.engine = "celery"
        command.scheduler = "s"
        command.scheduleName = "sn"
        command.createdAt = 1
        command.deadline = 2
        command.deliveredAt = 3
        command.receivedAt = 4
        command.finishedAt = 5
        command.resultMessage = "retried \(unicode)"
        command.newTaskID = "t2"
        command.late = true
        command.lateOK = true
        return command
    }

    static func scheduleReport(_ text: String) -> ScheduleReport {
        var report = ScheduleReport(scheduler: "celery-beat", name: "s-\(text)")
        report.task = "app.tasks.nightly"
        report.type = .cron
        report.expression = "0 3 * * 1-5"
        report.dialect = .celery
        report.argsJSON = "[\"\(text)\"]"
        report.kwargsJSON = "{}"
        report.enabled = true
        report.metadataJSON = "{\"m\":1}"
        report.lastRunAt = time
        return report
    }

    static var scheduleInfo: ScheduleInfo {
        var info = ScheduleInfo()
        info.project = "p"
        info.agentID = "a"
        info.scheduler = "celery-beat"
        info.name = "nightly-\(unicode)"
        info.task = "t"
        info.type = .unsupported
        info.expression = "solar"
        info.dialect = .celery
        info.argsJSON = "[]"
        info.kwargsJSON = "{\"a\":1}"
        info.enabled = true
        info.metadataJSON = "{}"
        info.lastRunAt = 1
        info.nextRunAt = 2
        info.createdAt = 3
        info.updatedAt = 4
        info.problem = "solar schedules cannot be predicted"
        return info
    }

    static var listCommands: ListCommandsQuery {
        var query = ListCommandsQuery()
        query.project = "p"
        query.agent = "w"
        query.states = [.pending, .timedOut, .acknowledged]
        query.cursor = "c9"
        query.limit = 7
        return query
    }

    static var listSchedules: ListSchedulesQuery {
        var query = ListSchedulesQuery()
        query.project = "p"
        query.agent = "a"
        query.enabledFilter = 2
        query.dueBefore = time
        query.cursor = "s1"
        query.limit = 1_000
        query.scheduler = "celery-beat"
        query.name = "nightly"
        return query
    }
}
