import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Show one task with its events or statistics per task name, or ask its agent to retry or cancel it.",
        subcommands: [Show.self, Stats.self, Retry.self, Cancel.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "A task and its events in the order the brain received them.",
            discussion: """
                Each event shows its time by the agent's clock (AGENT TS), when the brain received it \
                (RECEIVED) and the difference (SKEW: transit time plus the agent clock's lag; never corrected), \
                and the merge rule that decided it. --project and --engine are needed only when the id names \
                tasks in several.
                """
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The task id.") var id: String
        @Option(help: "The task's project.") var project: String?
        @Option(help: "The task's engine.") var engine: String?

        func run() async throws {
            let result = try await common.once(.getTask(GetTaskQuery(taskID: id, project: project ?? "", engine: engine ?? "")))
            guard case .task(let detail) = result else { throw unexpected(result) }
            if common.json {
                common.print(.object(Rendering.taskFields(detail.task) + [("events", .array(detail.events.map(Rendering.taskEvent)))]))
                return
            }
            let task = detail.task
            var lines = [
                "task \(task.taskID)  \(Rendering.state(task))",
                "name:     \(task.name.isEmpty ? "-" : task.name)",
                "project:  \(task.project)  engine: \(task.engine)  queue: \(task.queue.isEmpty ? "-" : task.queue)",
                "attempt:  \(task.attempt)",
                "agent:    \(task.agentID.isEmpty ? "-" : task.agentID)",
            ]
            if !task.stateReason.isEmpty { lines.append("reason:   \(task.stateReason)") }
            if !task.argsJSON.isEmpty { lines.append("args:     \(task.argsJSON)") }
            if !task.kwargsJSON.isEmpty { lines.append("kwargs:   \(task.kwargsJSON)") }
            if let error = task.error {
                lines.append("error:    \(error.excType): \(error.excMessage)")
                if !error.tracebackRedacted.isEmpty { lines.append(error.tracebackRedacted) }
            }
            if !task.retriedAs.isEmpty { lines.append("retried as: \(task.retriedAs)") }
            if !task.groupID.isEmpty { lines.append("group:    \(task.groupID)") }
            for (label, time) in [("enqueued:", task.enqueuedAt), ("started: ", task.startedAt), ("finished:", task.finishedAt)] where time != 0 {
                lines.append("\(label) \(Timestamps.rfc3339(time)) (agent clock)")
            }
            lines.append("runtime:  \(TaskText.runtime(task))")
            lines.append("created:  \(Timestamps.rfc3339(task.createdAt))")
            lines.append("updated:  \(Timestamps.rfc3339(task.updatedAt))")
            Console.line(lines.joined(separator: "\n"))
            var table = Table("KIND", "TRY", "AGENT TS", "RECEIVED", "SKEW", "RULE", "AGENT", "ERROR")
            for event in detail.events {
                table.add(
                    event.kind.name, String(event.attempt), event.ts == 0 ? "-" : Timestamps.rfc3339(event.ts), Timestamps.rfc3339(event.createdAt),
                    TaskText.skew(event), event.rule, event.agentID, event.error.map { "\($0.excType): \(String($0.excMessage.prefix(60)))" } ?? "")
            }
            Console.line(detail.events.isEmpty ? "no events" : table.text)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Per task name: tasks by state, runtime p50 and p99, failure rate.",
            discussion: """
                Runtime is finished minus started by the agent's clock, over succeeded and failed tasks with \
                both times. The failure rate is failed and lost over succeeded, failed and lost. With --json the \
                page is {"items": [...], "next_cursor": null}; runtimes are nanoseconds.
                """
        )
        @OptionGroup var common: CommonOptions
        @Option(help: "Only tasks of this project.") var project: String?
        @Option(help: "Only tasks of this engine.") var engine: String?
        @Option(help: "Only this task name.") var name: String?
        @Option(help: "Only tasks first heard of at or after this time (RFC 3339, or a duration ago).") var since: String?
        @Option(help: "Only tasks first heard of at or before this time.") var until: String?

        func validate() throws {
            let now = Timestamps.now()
            if let since { _ = try TimeArgument.nanos(since, "--since", now: now) }
            if let until { _ = try TimeArgument.nanos(until, "--until", now: now) }
        }

        func run() async throws {
            let now = Timestamps.now()
            let query = GetTaskStatsQuery(
                project: project ?? "", engine: engine ?? "", name: name ?? "",
                createdSince: try since.map { try TimeArgument.nanos($0, "--since", now: now) } ?? 0,
                createdUntil: try until.map { try TimeArgument.nanos($0, "--until", now: now) } ?? 0
            )
            let result = try await common.once(.getTaskStats(query))
            guard case .taskStats(let names) = result else { throw unexpected(result) }
            var table = Table("NAME", "TOTAL", "PENDING", "STARTED", "SUCCEEDED", "FAILED", "RETRIED", "CANCELLED", "LOST", "P50", "P99", "FAILURE RATE")
            for stats in names {
                let counts = stats.counts
                let runtime = { (nanos: Int64) in stats.runtimeSamples == 0 ? "-" : DurationFormat.text(nanos) }
                table.add(
                    stats.name.isEmpty ? "-" : stats.name, String(Rendering.total(counts)), String(counts.pending), String(counts.started),
                    String(counts.succeeded), String(counts.failed), String(counts.retried), String(counts.cancelled), String(counts.lost),
                    runtime(stats.runtimeP50Ns), runtime(stats.runtimeP99Ns), stats.failureRate.map { Self.percent($0) } ?? "-")
            }
            Paging("task", "stats", common: common).print(
                names.map(Rendering.taskStats), nextCursor: "", json: common.json, table: table.text, empty: "no tasks")
        }

        /// `12.5%`.
        static func percent(_ rate: Double) -> String {
            let tenths = (rate * 1_000).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
        }
    }
}
