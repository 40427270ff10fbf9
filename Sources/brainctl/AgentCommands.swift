import ArgumentParser
import BrainProtocol

struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "List agents: name, project, state, last seen, adapters.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Only this project.") var project: String?

    func run() async throws {
        guard case .agents(let agents) = try await common.once(.listAgents(project: project ?? "")) else { throw ExitCode(1) }
        if common.json {
            common.print(.array(agents.map(Rendering.agent)))
            return
        }
        let now = Timestamps.now()
        var table = Table("NAME", "PROJECT", "STATE", "LAST SEEN", "ADAPTERS")
        for agent in agents {
            let adapters = ([agent.frameworkAdapter] + agent.engineAdapters + agent.schedulerAdapters).filter { !$0.isEmpty }
            table.add(agent.name, agent.project, agent.state.name, Timestamps.ago(agent.lastSeenAt, now: now), adapters.isEmpty ? "-" : adapters.joined(separator: ","))
        }
        Console.line(agents.isEmpty ? "no agents yet" : table.text)
    }
}

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", abstract: "Manage one agent.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an agent and print its token (shown once; the brain keeps only its HMAC)."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agent's name.") var name: String
        @Option(help: "The agent's project.") var project = "default"

        func run() async throws {
            guard case .createdAgent(let agent, let token) = try await common.once(.createAgent(name: name, project: project)) else {
                throw ExitCode(1)
            }
            if common.json {
                common.print(.object([
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
