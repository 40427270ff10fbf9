import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Write a snapshot now and print where.",
        discussion: "A large state under load takes a while to write: without --timeout or BRAIN_TIMEOUT this waits up to \(Int(defaultTimeout)) s."
    )
    @OptionGroup var common: CommonOptions

    /// A snapshot of millions of steps, written in the idle scheduling class while agents stream, takes long.
    static let defaultTimeout = 120.0

    func run() async throws {
        let result = try await common.once(.snapshot, defaultTimeout: Self.defaultTimeout)
        guard case .snapshot(let reply) = result else { throw unexpected(result) }
        if common.json {
            common.print(.object([("path", .string(reply.path)), ("bytes", .int(Int64(reply.bytes))), ("written_at", .time(reply.writtenAt))]))
        } else {
            Console.line("snapshot written to \(reply.path) (\(reply.bytes) bytes)")
        }
    }
}
