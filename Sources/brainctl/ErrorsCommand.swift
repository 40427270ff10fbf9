import ArgumentParser
import BrainCore
import BrainProtocol

struct ErrorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "errors",
        abstract: "The persistence-error sink, newest first.",
        discussion: """
            A page holds --limit rows (50 by default, at most 1000). When there is more, the last line is \
            `more: <this command with every option given> --cursor C`; with --json the page is \
            {"items": [...], "next_cursor": "C" or null}.
            """
    )
    @OptionGroup var common: CommonOptions
    @Option(help: "Only errors of this run.") var run: String?
    @Option(help: "Only this phase (\(Self.phases.joined(separator: ", "))).")
    var phase: String?
    @Option(parsing: .unconditional, help: "Most rows to print (at most 1000 per page; 0 means the default). (default: 50)")
    var limit: Int?
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    /// The phases the brain records errors under (BrainCore's vocabulary).
    static let phases = PersistencePhase.all

    func validate() throws {
        if let limit { try Checks.count(limit, "--limit") }
        if let phase, !Self.phases.contains(phase) {
            throw ValidationError("--phase \(phase) is not one of \(Self.phases.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let query = ListPersistenceErrorsQuery(
            runID: run ?? "", phase: phase ?? "", limit: try limit.map { try Checks.count($0, "--limit") } ?? 50, cursor: cursor ?? ""
        )
        let result = try await common.once(.listPersistenceErrors(query))
        guard case .persistenceErrors(let list) = result else { throw unexpected(result) }
        var paging = Paging("errors", common: common)
        paging.add("--run", run)
        paging.add("--phase", phase)
        paging.add("--limit", limit.map(String.init))
        var table = Table("WHEN", "PHASE", "TYPE", "RUN", "MESSAGE")
        for row in list.errors {
            table.add(Timestamps.rfc3339(row.createdAt), row.phase, row.errorType, row.runID.isEmpty ? "-" : row.runID, row.errorMessage)
        }
        paging.print(list.errors.map(Rendering.error), nextCursor: list.nextCursor, json: common.json, table: table.text, empty: "no persistence errors")
    }
}
