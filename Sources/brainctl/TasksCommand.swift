import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List tasks, newest first.",
        discussion: """
            A page holds --limit tasks (50 by default, at most 1000). When there is more, the last line is \
            `more: <this command with every option given> --cursor C`; with --json the page is \
            {"items": [...], "next_cursor": "C" or null}. --since and --until take an RFC 3339 time or a \
            duration ago (90m, 2d) and bound when the brain first heard of the task. A task started longer \
            than the brain's stuck threshold shows as `started (stuck)`; --stuck lists only those.
            """
    )
    @OptionGroup var common: CommonOptions
    @Option(help: "Only tasks of this project.") var project: String?
    @Option(help: "Only tasks in this state (\(Self.stateNames)); repeatable, or a comma list.") var state: [String] = []
    @Option(help: "Only tasks of this engine (celery, rq, ...).") var engine: String?
    @Option(help: "Only tasks of this name.") var name: String?
    @Option(help: "Only tasks sent to this queue.") var queue: String?
    @Option(help: "Only tasks whose state this agent reported (name or id).") var agent: String?
    @Option(help: "Only tasks first heard of at or after this time.") var since: String?
    @Option(help: "Only tasks first heard of at or before this time.") var until: String?
    @Option(help: "Only tasks whose redacted args or kwargs hold this text (any letter case).") var search: String?
    @Flag(help: "Only tasks started longer than the brain's stuck threshold.") var stuck = false
    @Option(parsing: .unconditional, help: "Most tasks to print (at most 1000 per page; 0 means the default). (default: 50)")
    var limit: Int?
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    static var stateNames: String {
        WireTaskState.allCases.filter { $0 != .unspecified }.map(\.name).joined(separator: ", ")
    }

    /// `--state a,b --state c`: every name given.
    var stateList: [String] {
        state.flatMap { $0.split(separator: ",").map { String($0.filter { $0 != " " }) } }.filter { !$0.isEmpty }
    }

    func validate() throws {
        if let limit { try Checks.count(limit, "--limit") }
        for name in stateList where WireTaskState(name: name) == nil {
            throw ValidationError("--state \(name) is not one of \(Self.stateNames)")
        }
        let now = Timestamps.now()
        if let since { _ = try TimeArgument.nanos(since, "--since", now: now) }
        if let until { _ = try TimeArgument.nanos(until, "--until", now: now) }
    }

    func run() async throws {
        let now = Timestamps.now()
        var query = ListTasksQuery()
        query.project = project ?? ""
        query.states = stateList.compactMap { WireTaskState(name: $0) }
        query.engine = engine ?? ""
        query.name = name ?? ""
        query.queue = queue ?? ""
        query.agent = agent ?? ""
        query.createdSince = try since.map { try TimeArgument.nanos($0, "--since", now: now) } ?? 0
        query.createdUntil = try until.map { try TimeArgument.nanos($0, "--until", now: now) } ?? 0
        query.search = search ?? ""
        query.stuckOnly = stuck
        query.limit = try limit.map { try Checks.count($0, "--limit") } ?? 50
        query.cursor = cursor ?? ""
        let result = try await common.once(.listTasks(query))
        guard case .tasks(let list) = result else { throw unexpected(result) }

        var paging = Paging("tasks", common: common)
        paging.add("--project", project)
        paging.add("--state", each: state)
        paging.add("--engine", engine)
        paging.add("--name", name)
        paging.add("--queue", queue)
        paging.add("--agent", agent)
        paging.add("--since", since)
        paging.add("--until", until)
        paging.add("--search", search)
        paging.add(flag: "--stuck", stuck)
        paging.add("--limit", limit.map(String.init))
        var table = Table("TASK ID", "STATE", "NAME", "QUEUE", "TRY", "CREATED", "RUNTIME")
        for task in list.tasks {
            table.add(
                task.taskID, Rendering.state(task), task.name.isEmpty ? "-" : task.name, task.queue.isEmpty ? "-" : task.queue, String(task.attempt),
                Timestamps.rfc3339(task.createdAt), TaskText.runtime(task))
        }
        paging.print(list.tasks.map(Rendering.task), nextCursor: list.nextCursor, json: common.json, table: table.text, empty: "no tasks")
    }
}

/// Task values as text.
enum TaskText {
    /// Finished minus started by the agent's clock, or `-`.
    static func runtime(_ task: TaskInfo) -> String {
        guard task.startedAt != 0, task.finishedAt >= task.startedAt else { return "-" }
        return DurationFormat.text(task.finishedAt - task.startedAt)
    }

    /// `+1.2s`: the brain's receipt minus the agent's timestamp.
    static func skew(_ event: TaskEventInfo) -> String {
        guard event.ts != 0 else { return "-" }
        let skew = event.createdAt &- event.ts
        return (skew < 0 ? "-" : "+") + DurationFormat.text(skew.magnitude > UInt64(Int64.max) ? Int64.max : Int64(skew.magnitude))
    }
}
