import ArgumentParser
import BrainProtocol

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List runs, newest first.",
        discussion: """
            A page holds --limit runs (50 by default, at most 1000). When there is more, the last line is \
            `more: <this command with every option given> --cursor C`; with --json the page is \
            {"items": [...], "next_cursor": "C" or null}. Soft-deleted runs (--include-deleted) show \
            their status as `completed (deleted)`, and `deleted_at` in JSON.
            """
    )
    @OptionGroup var common: CommonOptions
    @Option(help: "Only runs in this status (queued, running, persisting, completed, failed, abandoned); repeatable.")
    var status: [String] = []
    @Option(help: "Only runs of this agent (name or id).") var agent: String?
    @Option(help: "Only runs of this project.") var project: String?
    @Option(help: "Only children of this run.") var parent: String?
    @Option(help: "Only runs of this run_type.") var runType: String?
    @Flag(help: "Include soft-deleted runs, marked (deleted).") var includeDeleted = false
    @Option(parsing: .unconditional, help: "Most runs to print (at most 1000 per page; 0 means the default). (default: 50)")
    var limit: Int?
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    func validate() throws {
        if let limit { try Checks.count(limit, "--limit") }
        for name in status where RunStatus(name: name) == nil {
            throw ValidationError("--status \(name) is not one of \(Self.statusNames)")
        }
    }

    static var statusNames: String {
        RunStatus.allCases.filter { $0 != .unspecified }.map(\.name).joined(separator: ", ")
    }

    func run() async throws {
        var query = ListRunsQuery()
        query.statuses = status.compactMap { RunStatus(name: $0) }
        query.agent = agent ?? ""
        query.project = project ?? ""
        query.parentRunID = parent ?? ""
        query.runType = runType ?? ""
        query.includeDeleted = includeDeleted
        query.limit = try limit.map { try Checks.count($0, "--limit") } ?? 50
        query.cursor = cursor ?? ""
        let result = try await common.once(.listRuns(query))
        guard case .runs(let list) = result else { throw unexpected(result) }

        var paging = Paging("runs", common: common)
        paging.add("--status", each: status)
        paging.add("--agent", agent)
        paging.add("--project", project)
        paging.add("--parent", parent)
        paging.add("--run-type", runType)
        paging.add(flag: "--include-deleted", includeDeleted)
        paging.add("--limit", limit.map(String.init))
        var table = Table("RUN ID", "STATUS", "STEPS", "AGENT", "CREATED", "GOAL")
        for run in list.runs {
            table.add(run.runID, Rendering.status(run), String(run.stepCount), run.agentName, Timestamps.rfc3339(run.createdAt), String(run.goal.prefix(50)))
        }
        paging.print(list.runs.map { .object(Rendering.run($0)) }, nextCursor: list.nextCursor, json: common.json, table: table.text, empty: "no runs")
    }
}
