import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Runs by status, steps held, events per second recently, errors, connections."
    )
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let result = try await common.once(.getStats)
        guard case .stats(let stats) = result else { throw unexpected(result) }
        if common.json {
            common.print(
                .object([
                    ("runs", Rendering.runCounts(stats.runs)), ("steps", .int(Int64(stats.steps))),
                    ("events_applied", .int(Int64(stats.eventsApplied))), ("events_per_second", .double(stats.eventsPerSecond)),
                    ("persistence_errors", .int(Int64(stats.persistenceErrors))), ("connections", .int(Int64(stats.connections))),
                ]))
            return
        }
        Console.line(
            """
            runs:         \(Rendering.runCountsText(stats.runs))
            steps:        \(stats.steps)
            events:       \(stats.eventsApplied) (\(Int(stats.eventsPerSecond))/s recently)
            errors:       \(stats.persistenceErrors)
            connections:  \(stats.connections) (this one included)
            """)
    }
}
