import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Show one schedule with its next runs, or ask its agent to enable or disable it.",
        discussion: """
            A schedule is named SCHEDULER/NAME, or NAME alone when only one scheduler (and, without \
            --project, only one project) has a schedule of that name.
            """,
        subcommands: [Show.self, Enable.self, Disable.self]
    )

    /// The schedule argument and `--project`, shared by the subcommands.
    struct Target: ParsableArguments {
        @Argument(help: "SCHEDULER/NAME, or NAME.") var schedule: String
        @Option(help: "The schedule's project (default: any project that has it).") var project: String?
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "A schedule and its next run times.",
            discussion: """
                Next runs are the brain's prediction in the project's time zone, printed as local time with \
                its offset, then UTC. None are shown for a disabled schedule, one of a type the brain cannot \
                predict, or one with a bad expression (problem: says why).
                """
        )
        @OptionGroup var common: CommonOptions
        @OptionGroup var target: Target
        @Option(help: "How many next runs to show (at most 100).") var next: Int = 5

        func validate() throws {
            guard next >= 1, next <= 100 else { throw ValidationError("--next must be between 1 and 100") }
        }

        func run() async throws {
            let found = try await ScheduleLookup.find(target, common: common)
            let query = GetScheduleQuery(project: found.project, scheduler: found.scheduler, name: found.name, nextRuns: UInt32(next))
            let result = try await common.once(.getSchedule(query))
            guard case .schedule(let detail) = result else { throw unexpected(result) }
            var zone = "UTC"
            if case .projectInfo(let project) = try? await common.once(.getProject(name: detail.schedule.project)), !project.settings.timeZone.isEmpty {
                zone = project.settings.timeZone
            }
            if common.json {
                let runs: [JSONValue] = detail.nextRuns.map { .time($0) }
                common.print(.object(Rendering.scheduleFields(detail.schedule) + [("time_zone", .string(zone)), ("next_runs", .array(runs))]))
                return
            }
            let schedule = detail.schedule
            var lines = [
                "schedule \(schedule.scheduler)/\(schedule.name)  \(schedule.enabled ? "enabled" : "disabled")",
                "project:    \(schedule.project)  (time zone \(zone))",
                "agent:      \(schedule.agentID)",
                "task:       \(schedule.task.isEmpty ? "-" : schedule.task)",
                "when:       \(schedule.type.name) \(schedule.expression)\(schedule.type == .cron ? " (\(schedule.dialect.name) day rule)" : "")",
            ]
            if !schedule.argsJSON.isEmpty { lines.append("args:       \(schedule.argsJSON)") }
            if !schedule.kwargsJSON.isEmpty { lines.append("kwargs:     \(schedule.kwargsJSON)") }
            if !schedule.metadataJSON.isEmpty { lines.append("metadata:   \(schedule.metadataJSON)") }
            if !schedule.problem.isEmpty { lines.append("problem:    \(schedule.problem)") }
            lines.append("last run:   \(Rendering.zoned(schedule.lastRunAt, zone: zone)) (agent clock)")
            lines.append("created:    \(Timestamps.rfc3339(schedule.createdAt))")
            lines.append("updated:    \(Timestamps.rfc3339(schedule.updatedAt))")
            lines.append(detail.nextRuns.isEmpty ? "next runs:  none" : "next runs:")
            for run in detail.nextRuns { lines.append("  \(Rendering.zoned(run, zone: zone))") }
            Console.line(lines.joined(separator: "\n"))
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable", abstract: "Ask the schedule's agent to enable it (takes effect when the agent confirms).",
            discussion: ScheduleCommand.switchDiscussion
        )
        @OptionGroup var common: CommonOptions
        @OptionGroup var target: Target
        @OptionGroup var delivery: Delivery

        func run() async throws { try await ScheduleCommand.set(true, target: target, deadline: delivery.deadline, wait: delivery.wait, common: common) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable", abstract: "Ask the schedule's agent to disable it (takes effect when the agent confirms).",
            discussion: ScheduleCommand.switchDiscussion
        )
        @OptionGroup var common: CommonOptions
        @OptionGroup var target: Target
        @OptionGroup var delivery: Delivery

        func run() async throws { try await ScheduleCommand.set(false, target: target, deadline: delivery.deadline, wait: delivery.wait, common: common) }
    }

    static let switchDiscussion = """
        The brain sends a command to the agent that reported the schedule (at once when it is online, \
        else when it next connects, until the deadline). The schedule's ENABLED changes only when the \
        agent's result confirms it: the brain never decides it. Prints the command id and state; --wait \
        follows it and exits 1 unless it succeeded.
        """

    /// `--wait` and `--deadline`, shared by `schedule enable` and `schedule disable`.
    struct Delivery: ParsableArguments {
        @Flag(help: "Wait until the agent's result (or the command's deadline, or --timeout, 70 s by default).") var wait = false
        @Option(help: "How long the brain waits for the agent's result (500ms, 2m; default: the brain's --command-deadline).")
        var deadline: String?

        func validate() throws {
            if let deadline, DurationText.seconds(deadline) == nil { throw ValidationError("--deadline \(deadline) is not a duration; use e.g. 30s, 2m") }
        }
    }

    static func set(_ enabled: Bool, target: Target, deadline: String?, wait: Bool, common: CommonOptions) async throws {
        let found = try await ScheduleLookup.find(target, common: common)
        let milliseconds = deadline.flatMap(DurationText.seconds).map { UInt64(min($0 * 1_000, 1e15)) } ?? 0
        let query = SetScheduleEnabledQuery(project: found.project, scheduler: found.scheduler, name: found.name, enabled: enabled, deadlineMs: milliseconds)
        let note = "the schedule is \(enabled ? "enabled" : "disabled") only when the agent confirms (brainctl command show shows its result)"
        try await CommandWaiting.issue(.setScheduleEnabled(query), wait: wait, common: common, note: note)
    }
}
