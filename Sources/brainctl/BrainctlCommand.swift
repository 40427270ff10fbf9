import ArgumentParser
import BrainClient
import BrainProtocol

@main
struct BrainctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brainctl",
        abstract: "Talk to a running brain: status, agents, runs, errors, live watch.",
        discussion: "Every command takes --socket (or BRAIN_SOCKET) and --json for scripts.",
        subcommands: [
            StatusCommand.self, StatsCommand.self, AgentsCommand.self, AgentCommand.self, RunsCommand.self,
            RunCommand.self, ErrorsCommand.self, WatchCommand.self, SnapshotCommand.self,
        ]
    )
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "The brain's Unix socket. [env: BRAIN_SOCKET] (default: the brain's default socket)")
    var socket: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    var socketPath: String { socket ?? DefaultPaths.socket }

    /// Connects, or exits 1 with a one-line error naming the socket.
    func connect() async throws -> BrainConnection {
        do {
            return try await BrainConnection.connect(socketPath: socketPath)
        } catch {
            Console.error("brainctl: \(error.message)")
            throw ExitCode(1)
        }
    }

    /// Calls a method, or exits 1 with the brain's error.
    func call(_ connection: BrainConnection, _ method: BrainRequest.Method) async throws -> BrainResponse.Result {
        do {
            return try await connection.call(method)
        } catch {
            Console.error("brainctl: \(error.code.name): \(error.message)")
            throw ExitCode(1)
        }
    }

    /// Connects, calls one method and closes.
    func once(_ method: BrainRequest.Method) async throws -> BrainResponse.Result {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        return try await call(connection, method)
    }

    func print(_ value: JSONValue) { Console.line(value.text) }
}

func unexpected(_ result: BrainResponse.Result) -> ExitCode {
    Console.error("brainctl: unexpected reply from the brain: \(result)")
    return ExitCode(1)
}
