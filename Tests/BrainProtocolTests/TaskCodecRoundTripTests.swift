import BrainFraming
import BrainProtocol
import NIOCore
import Testing

/// The project, task, command and schedule messages (brain.proto's additions for seed 002)
/// survive `WireCodec`: every request method, agent event, result and watch event, each with
/// every field set, with none set, and with unicode and large texts.
@Suite("Task, project, command and schedule codec round trips")
struct TaskCodecRoundTripTests {
    typealias F = TaskWireFixtures

    /// Texts of the parameterized cases (the large one has a test of its own: a parameter is
    /// printed with its test, and 250 KB of it is noise).
    static let texts = ["", WireFixtures.unicode]

    static var agentEvents: [AgentEvent.Kind] {
        texts.flatMap { text -> [AgentEvent.Kind] in
            [
                .taskEvent(F.taskEventReported(text)),
                .scheduleUpsert(F.scheduleReport(text)),
                .scheduleDelete(ScheduleDeleted(scheduler: "celery-beat", name: "s-\(text)")),
                .scheduleFired(ScheduleFired(scheduler: "b", name: text, at: Int64.min, taskID: "t-\(text)")),
                .scheduleListing(ScheduleListing(scheduler: text, schedules: [F.scheduleReport(text), ScheduleReport()], complete: true)),
                .commandReceived(commandID: "c-\(text)"),
                .commandResult(CommandResult(commandID: "c", ok: true, message: text, newTaskID: "t2")),
            ]
        } + [
            .taskEvent(TaskEventReported()), .scheduleUpsert(ScheduleReport()), .scheduleDelete(ScheduleDeleted()), .scheduleFired(ScheduleFired()),
            .scheduleListing(ScheduleListing()), .commandReceived(commandID: ""), .commandResult(CommandResult()),
        ]
    }

    static var requests: [BrainRequest.Method] {
        var methods: [BrainRequest.Method] = agentEvents.enumerated().map { .publish(AgentEvent(seq: UInt64($0.offset + 1), kind: $0.element)) }
        methods += [
            .listProjects,
            .getProject(name: "projet-é"),
            .getProject(name: ""),
            .createProject(name: "p", settings: F.settings),
            .createProject(name: "p", settings: nil),
            .updateProject(name: "p", settings: F.settings),
            .updateProject(name: "p", settings: nil),
            .updateProject(name: "p", settings: WireProjectSettings(retention: WireRetentionSettings())),
            .listTasks(F.listTasks),
            .listTasks(ListTasksQuery()),
            .getTask(GetTaskQuery(taskID: "t-\(WireFixtures.unicode)", project: "p", engine: "rq")),
            .getTask(GetTaskQuery(taskID: "")),
            .getTaskStats(GetTaskStatsQuery(project: "p", engine: "celery", name: "n", createdSince: Int64.min, createdUntil: Int64.max)),
            .getTaskStats(GetTaskStatsQuery()),
            .retryTask(TaskCommandQuery(taskID: "t", project: "p", engine: "celery", deadlineMs: UInt64.max)),
            .retryTask(TaskCommandQuery(taskID: "")),
            .cancelTask(TaskCommandQuery(taskID: "t-\(WireFixtures.unicode)", deadlineMs: 5)),
            .cancelTask(TaskCommandQuery(taskID: "")),
            .setScheduleEnabled(SetScheduleEnabledQuery(project: "p", scheduler: "s", name: "n", enabled: true, deadlineMs: 1)),
            .setScheduleEnabled(SetScheduleEnabledQuery()),
            .getCommand(commandID: "c-\(WireFixtures.unicode)"),
            .getCommand(commandID: ""),
            .listCommands(F.listCommands),
            .listCommands(ListCommandsQuery()),
            .listSchedules(F.listSchedules),
            .listSchedules(ListSchedulesQuery()),
            .getSchedule(GetScheduleQuery(project: "p", scheduler: "s", name: "n", nextRuns: 100)),
            .getSchedule(GetScheduleQuery()),
            .watch(WatchQuery(project: "p", agents: true, tasks: true, schedules: true, commands: true, runsOff: true)),
            .watch(WatchQuery(tasks: true)),
        ]
        return methods
    }

    static var results: [BrainResponse.Result] {
        [
            .agentCommand(F.agentCommand),
            .agentCommand(AgentCommand()),
            .projects([F.project, ProjectInfo()]),
            .projects([]),
            .projectInfo(F.project),
            .projectInfo(ProjectInfo()),
            .tasks(TaskList(tasks: [F.taskInfo(WireFixtures.unicode), F.taskInfo(""), TaskInfo()], nextCursor: "t9")),
            .tasks(TaskList()),
            .task(TaskDetail(task: F.taskInfo("x"), events: [F.taskEventInfo, TaskEventInfo(), F.taskEventInfo])),
            .task(TaskDetail()),
            .taskStats([F.nameStats, WireTaskNameStats()]),
            .taskStats([]),
            .commandInfo(F.commandInfo),
            .commandInfo(CommandInfo()),
            .commands(CommandList(commands: [F.commandInfo, CommandInfo()], nextCursor: "c2")),
            .commands(CommandList()),
            .schedules(ScheduleList(schedules: [F.scheduleInfo, ScheduleInfo()], nextCursor: "s2")),
            .schedules(ScheduleList()),
            .schedule(ScheduleDetail(schedule: F.scheduleInfo, nextRuns: [Int64.min, 0, 1, WireFixtures.time, Int64.max])),
            .schedule(ScheduleDetail()),
            .watchEvent(.task(F.taskInfo(WireFixtures.unicode))),
            .watchEvent(.task(TaskInfo())),
            .watchEvent(.schedule(F.scheduleInfo)),
            .watchEvent(.schedule(ScheduleInfo())),
            .watchEvent(.schedule(Self.removedSchedule)),
            .watchEvent(.command(F.commandInfo)),
            .watchEvent(.command(CommandInfo())),
        ]
    }

    @Test("every new agent event and method survives encode then decode", arguments: requests)
    func requestRoundTrip(_ method: BrainRequest.Method) throws {
        let request = BrainRequest(callID: 77, method: method)
        var buffer = ByteBuffer()
        WireCodec.writeFrame(request, into: &buffer)
        _ = buffer.readInteger(endianness: .big, as: UInt32.self)
        #expect(try WireCodec.decodeRequest(buffer) == request)
    }

    @Test("every new result and watch event survives encode then decode", arguments: results)
    func responseRoundTrip(_ result: BrainResponse.Result) throws {
        let response = BrainResponse.ok(UInt64.max, result)
        let bytes = WireCodec.encode(response)
        #expect(try bytes.withUnsafeBytes { try WireCodec.decodeResponse($0) } == response)
    }

    @Test("250 KB of multi-byte text survives in every new text field")
    func largeTextsRoundTrip() throws {
        let text = F.large
        var methods: [BrainRequest.Method] = [
            .createProject(name: text, settings: WireProjectSettings(extraKeyPatterns: [text], allowedKeys: [text], timeZone: text)),
            .getTask(GetTaskQuery(taskID: text, project: text, engine: text)),
        ]
        var list = ListTasksQuery()
        list.search = text
        methods.append(.listTasks(list))
        for kind in [
            AgentEvent.Kind.taskEvent(F.taskEventReported(text)), .scheduleUpsert(F.scheduleReport(text)),
            .scheduleListing(ScheduleListing(scheduler: text, schedules: [F.scheduleReport(text)], complete: true)),
            .commandResult(CommandResult(commandID: text, ok: true, message: text, newTaskID: text)),
        ] {
            methods.append(.publish(AgentEvent(seq: 1, kind: kind)))
        }
        for method in methods {
            let request = BrainRequest(callID: 1, method: method)
            let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: WireCodec.encode(request)))
            #expect(decoded == request, "a request with large texts changed on the wire")
        }
        var detail = TaskDetail(task: F.taskInfo(text), events: [F.taskEventInfo])
        detail.events[0].payloadJSON = "\"" + text + "\""
        for result in [
            BrainResponse.Result.task(detail), .projects([ProjectInfo(name: text, settings: WireProjectSettings(timeZone: text))]),
            .tasks(TaskList(tasks: [F.taskInfo(text)], nextCursor: text)),
        ] {
            let response = BrainResponse.ok(2, result)
            let decoded = try WireCodec.decodeResponse(ByteBuffer(bytes: WireCodec.encode(response)))
            #expect(decoded == response, "a response with large texts changed on the wire")
        }
    }

    @Test("every task state, event kind, command kind and state, schedule type and dialect survives the wire")
    func everyEnumValueRoundTrips() throws {
        for kind in WireTaskEventKind.allCases {
            let request = BrainRequest(callID: 1, method: .publish(AgentEvent(seq: 1, kind: .taskEvent(TaskEventReported(taskID: "t", kind: kind)))))
            #expect(try WireCodec.decodeRequest(ByteBuffer(bytes: WireCodec.encode(request))) == request)
        }
        var query = ListTasksQuery()
        query.states = WireTaskState.allCases
        let tasks = BrainRequest(callID: 1, method: .listTasks(query))
        #expect(try WireCodec.decodeRequest(ByteBuffer(bytes: WireCodec.encode(tasks))) == tasks)
        var commands = ListCommandsQuery()
        commands.states = WireCommandState.allCases
        let listCommands = BrainRequest(callID: 1, method: .listCommands(commands))
        #expect(try WireCodec.decodeRequest(ByteBuffer(bytes: WireCodec.encode(listCommands))) == listCommands)
        for kind in WireCommandKind.allCases {
            let response = BrainResponse.ok(0, .agentCommand(AgentCommand(commandID: "c", kind: kind)))
            #expect(try WireCodec.decodeResponse(ByteBuffer(bytes: WireCodec.encode(response))) == response)
        }
        for type in WireScheduleType.allCases {
            for dialect in WireCronDialect.allCases {
                var report = ScheduleReport(scheduler: "s", name: "n")
                report.type = type
                report.dialect = dialect
                let request = BrainRequest(callID: 1, method: .publish(AgentEvent(seq: 1, kind: .scheduleUpsert(report))))
                #expect(try WireCodec.decodeRequest(ByteBuffer(bytes: WireCodec.encode(request))) == request)
            }
        }
    }

    @Test("a failure rate of 0 is a rate, and no rate stays no rate")
    func failureRatePresence() throws {
        var zero = WireTaskNameStats()
        zero.failureRate = 0
        for stats in [zero, WireTaskNameStats()] {
            let response = BrainResponse.ok(1, .taskStats([stats]))
            #expect(try WireCodec.decodeResponse(ByteBuffer(bytes: WireCodec.encode(response))) == response)
        }
    }

    @Test("enum names are the proto's, lower case, and parse back")
    func enumNames() {
        #expect(WireTaskEventKind.taskSent.name == "task_sent")
        #expect(WireCommandState.timedOut.name == "timed_out")
        for state in WireTaskState.allCases where state != .unspecified { #expect(WireTaskState(name: state.name.uppercased()) == state) }
        #expect(WireTaskState(name: "unspecified") == nil)
        #expect(AgentEvent.Kind.commandReceived(commandID: "c").name == "command_received")
    }

    /// A schedule's removal, as a Watch event carries it.
    static var removedSchedule: ScheduleInfo {
        var info = F.scheduleInfo
        info.removed = true
        return info
    }
}
