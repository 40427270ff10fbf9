import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct CommandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "command", abstract: "Show one command sent to an agent.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A command to an agent: its state, times and the agent's result.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The command id (task retry/cancel and schedule enable/disable print it).") var id: String

        func run() async throws {
            let result = try await common.once(.getCommand(commandID: id))
            guard case .commandInfo(let command) = result else { throw unexpected(result) }
            if common.json {
                common.print(Rendering.command(command))
                return
            }
            var lines = [
                "command \(command.commandID)  \(Rendering.state(command))",
                "kind:      \(command.kind.name) \(Rendering.target(command))",
                "project:   \(command.project)  agent: \(command.agentID)",
            ]
            for (label, time) in [
                ("created:  ", command.createdAt), ("deadline: ", command.deadline), ("delivered:", command.deliveredAt),
                ("received: ", command.receivedAt), ("finished: ", command.finishedAt),
            ] where time != 0 {
                lines.append("\(label) \(Timestamps.rfc3339(time))")
            }
            if !command.resultMessage.isEmpty { lines.append("result:    \(command.resultMessage)") }
            if !command.newTaskID.isEmpty { lines.append("new task:  \(command.newTaskID)") }
            Console.line(lines.joined(separator: "\n"))
        }
    }
}
