import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Show, cancel or delete one run.", subcommands: [Show.self, Cancel.self, Delete.self]
    )

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Abandon a run (error_type cancelled) and its unfinished children."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String
        @Option(help: "Why; kept as the run's error_message.") var reason: String?

        func run() async throws {
            let result = try await common.once(.cancelRun(runID: id, reason: reason ?? ""))
            guard case .runInfo(let run) = result else { throw unexpected(result) }
            if common.json {
                common.print(.object(Rendering.run(run)))
            } else {
                Console.line("run \(run.runID) is now \(run.status.name); its unfinished child runs were abandoned with it")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Soft-delete a run: it disappears from standard queries.",
            discussion: "`runs --include-deleted` and `run show ID --include-deleted` still show it."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String

        func run() async throws {
            let result = try await common.once(.deleteRun(runID: id))
            guard case .runInfo(let run) = result else { throw unexpected(result) }
            if common.json { common.print(.object(Rendering.run(run))) } else { Console.line("run \(run.runID) deleted") }
        }
    }
}
