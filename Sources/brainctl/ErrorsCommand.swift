import ArgumentParser
import BrainProtocol

struct ErrorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "errors", abstract: "The persistence-error sink, newest first.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Only errors of this run.") var run: String?
    @Option(help: "Only this phase (upsert_run, create_step, persist_step, increment_step, update_run_terminal, handler, snapshot).")
    var phase: String?
    @Option(help: "Most rows to print (at most 1000 per page).") var limit: UInt32 = 50
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    func run() async throws {
        let query = ListPersistenceErrorsQuery(runID: run ?? "", phase: phase ?? "", limit: limit, cursor: cursor ?? "")
        guard case .persistenceErrors(let list) = try await common.once(.listPersistenceErrors(query)) else { throw ExitCode(1) }
        if common.json {
            common.print(.array(list.errors.map(Rendering.error)))
            if !list.nextCursor.isEmpty { Console.error("more: brainctl errors --cursor \(list.nextCursor)") }
            return
        }
        var table = Table("WHEN", "PHASE", "TYPE", "RUN", "MESSAGE")
        for row in list.errors {
            table.add(Timestamps.rfc3339(row.createdAt), row.phase, row.errorType, row.runID.isEmpty ? "-" : row.runID, row.errorMessage)
        }
        Console.line(list.errors.isEmpty ? "no persistence errors" : table.text)
        if !list.nextCursor.isEmpty { Console.line("more: brainctl errors --cursor \(list.nextCursor)") }
    }
}
