import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List schedules reported by agents' schedulers, soonest next run first.",
        discussion: """
            NEXT RUN is the brain's prediction in the project's time zone, shown in UTC; `-` when the \
            schedule is disabled, of a type the brain cannot predict, has a bad expression (PROBLEM says why) \
            or is a date gone by. --due 1h lists what runs within the next hour. A page holds --limit \
            schedules (50 by default, at most 1000); with --json the page is {"items": [...], "next_cursor": \
            "C" or null}. brainctl schedule show NAME prints the next runs in local time.
            """
    )
    @OptionGroup var common: CommonOptions
    @Option(help: "Only schedules of this project.") var project: String?
    @Option(help: "Only schedules this agent reported (name or id).") var agent: String?
    @Flag(help: "Only enabled schedules.") var enabled = false
    @Flag(help: "Only disabled schedules.") var disabled = false
    @Option(help: "Only schedules whose next run is within this long from now (30m, 1h, 2d).") var due: String?
    @Option(parsing: .unconditional, help: "Most schedules to print (at most 1000 per page; 0 means the default). (default: 50)")
    var limit: Int?
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    func validate() throws {
        if enabled && disabled { throw ValidationError("--enabled and --disabled exclude each other; give at most one") }
        if let limit { try Checks.count(limit, "--limit") }
        if let due, DurationText.seconds(due) == nil { throw ValidationError("--due \(due) is not a duration; use e.g. 30m, 1h, 2d") }
    }

    func run() async throws {
        var query = ListSchedulesQuery()
        query.project = project ?? ""
        query.agent = agent ?? ""
        query.enabledFilter = enabled ? 1 : disabled ? 2 : 0
        if let due, let seconds = DurationText.seconds(due) {
            query.dueBefore = Timestamps.now() + Int64(min(seconds * 1e9, Double(Int64.max / 4)))
        }
        query.limit = try limit.map { try Checks.count($0, "--limit") } ?? 50
        query.cursor = cursor ?? ""
        let result = try await common.once(.listSchedules(query))
        guard case .schedules(let list) = result else { throw unexpected(result) }

        var paging = Paging("schedules", common: common)
        paging.add("--project", project)
        paging.add("--agent", agent)
        paging.add(flag: "--enabled", enabled)
        paging.add(flag: "--disabled", disabled)
        paging.add("--due", due)
        paging.add("--limit", limit.map(String.init))
        let now = Timestamps.now()
        var table = Table("PROJECT", "SCHEDULER", "NAME", "TYPE", "EXPRESSION", "ENABLED", "NEXT RUN (UTC)", "LAST RUN", "PROBLEM")
        for schedule in list.schedules {
            table.add(
                schedule.project, schedule.scheduler, schedule.name, schedule.type.name, schedule.expression, schedule.enabled ? "yes" : "no",
                schedule.nextRunAt == 0 ? "-" : Timestamps.rfc3339(schedule.nextRunAt), Timestamps.ago(schedule.lastRunAt, now: now),
                schedule.problem.isEmpty ? "" : String(schedule.problem.prefix(60)))
        }
        paging.print(list.schedules.map(Rendering.schedule), nextCursor: list.nextCursor, json: common.json, table: table.text, empty: "no schedules")
    }
}
