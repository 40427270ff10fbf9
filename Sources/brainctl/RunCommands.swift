import ArgumentParser
import BrainProtocol

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List runs, newest first.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Only runs in this status (queued, running, persisting, completed, failed, abandoned); repeatable.")
    var status: [String] = []
    @Option(help: "Only runs of this agent (name or id).") var agent: String?
    @Option(help: "Only runs of this project.") var project: String?
    @Option(help: "Only children of this run.") var parent: String?
    @Option(help: "Only runs of this run_type.") var runType: String?
    @Flag(help: "Include soft-deleted runs.") var includeDeleted = false
    @Option(help: "Most runs to print (at most 1000 per page).") var limit: UInt32 = 50
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    func run() async throws {
        var query = ListRunsQuery()
        for name in status {
            guard let value = RunStatus(name: name) else {
                throw ValidationError("--status \(name) is not one of queued, running, persisting, completed, failed, abandoned")
            }
            query.statuses.append(value)
        }
        query.agent = agent ?? ""
        query.project = project ?? ""
        query.parentRunID = parent ?? ""
        query.runType = runType ?? ""
        query.includeDeleted = includeDeleted
        query.limit = limit
        query.cursor = cursor ?? ""
        guard case .runs(let list) = try await common.once(.listRuns(query)) else { throw ExitCode(1) }
        if common.json {
            common.print(.array(list.runs.map { .object(Rendering.run($0)) }))
            if !list.nextCursor.isEmpty { Console.error("more: brainctl runs --cursor \(list.nextCursor)") }
            return
        }
        var table = Table("RUN ID", "STATUS", "STEPS", "AGENT", "CREATED", "GOAL")
        for run in list.runs {
            table.add(run.runID, run.status.name, String(run.stepCount), run.agentName, Timestamps.rfc3339(run.createdAt), String(run.goal.prefix(50)))
        }
        Console.line(list.runs.isEmpty ? "no runs" : table.text)
        if !list.nextCursor.isEmpty { Console.line("more: brainctl runs --cursor \(list.nextCursor)") }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Show, cancel or delete one run.", subcommands: [Show.self, Cancel.self, Delete.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run with its children and steps.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String
        @Option(help: "First step seq to show.") var fromSeq: UInt32 = 0
        @Option(help: "Last step seq to show.") var toSeq: UInt32 = 0

        func run() async throws {
            guard case .run(let detail) = try await common.once(.getRun(GetRunQuery(runID: id, fromSeq: fromSeq, toSeq: toSeq))) else {
                throw ExitCode(1)
            }
            if common.json {
                common.print(.object(Rendering.run(detail.run) + [
                    ("child_run_ids", .array(detail.childRunIDs.map { .string($0) })),
                    ("steps", .array(detail.steps.map(Rendering.step))),
                ]))
                return
            }
            let run = detail.run
            var lines = [
                "run \(run.runID)  \(run.status.name)",
                "goal:     \(run.goal)",
                "agent:    \(run.agentName) (\(run.project))",
                "target:   \(run.targetURL.isEmpty ? "-" : run.targetURL)",
                "type:     \(run.runType.isEmpty ? "-" : run.runType)",
                "created:  \(Timestamps.rfc3339(run.createdAt))",
                "updated:  \(Timestamps.rfc3339(run.updatedAt))",
            ]
            if run.completedAt != 0 { lines.append("finished: \(Timestamps.rfc3339(run.completedAt))") }
            if !run.parentRunID.isEmpty { lines.append("parent:   \(run.parentRunID)") }
            if !detail.childRunIDs.isEmpty { lines.append("children: \(detail.childRunIDs.joined(separator: ", "))") }
            if !run.resultJSON.isEmpty { lines.append("result:   \(run.resultJSON)") }
            if !run.errorType.isEmpty { lines.append("error:    \(run.errorType): \(run.errorMessage)\(run.failedAtStep != 0 ? " (at step \(run.failedAtStep))" : "")") }
            lines.append("steps:    \(run.stepCount)")
            Console.line(lines.joined(separator: "\n"))
            if !detail.steps.isEmpty {
                var table = Table("SEQ", "NAME", "STATUS", "MS", "ERROR")
                for step in detail.steps {
                    table.add(String(step.seq), step.stepName, step.status.name, String(step.durationMs), step.error.isEmpty ? "" : String(step.error.prefix(60)))
                }
                Console.line(table.text)
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Abandon a run (error_type cancelled) and its unfinished children.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String
        @Option(help: "Why; kept as the run's error_message.") var reason: String?

        func run() async throws {
            guard case .runInfo(let run) = try await common.once(.cancelRun(runID: id, reason: reason ?? "")) else { throw ExitCode(1) }
            if common.json { common.print(.object(Rendering.run(run))) } else { Console.line("run \(run.runID) is now \(run.status.name)") }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Soft-delete a run: it disappears from standard queries.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String

        func run() async throws {
            guard case .runInfo(let run) = try await common.once(.deleteRun(runID: id)) else { throw ExitCode(1) }
            if common.json { common.print(.object(Rendering.run(run))) } else { Console.line("run \(run.runID) deleted") }
        }
    }
}
