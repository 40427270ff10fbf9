import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", abstract: "Manage one agent.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Register an agent and print its token (shown once; the brain keeps only its HMAC)."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agent's name.") var name: String
        @Option(help: "The agent's project.") var project = "default"

        func run() async throws {
            let result = try await common.once(.createAgent(name: name, project: project))
            guard case .createdAgent(let agent, let token) = result else { throw unexpected(result) }
            if common.json {
                common.print(
                    .object([
                        ("agent_id", .string(agent.agentID)), ("name", .string(agent.name)), ("project", .string(agent.project)),
                        ("token", .string(token)),
                    ]))
            } else {
                Console.line("agent \(agent.name) created in project \(agent.project)")
                Console.line("token: \(token)")
                Console.line("(shown once: keep it; the brain stores only its HMAC)")
            }
        }
    }
}
