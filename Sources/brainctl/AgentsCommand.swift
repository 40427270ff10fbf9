import ArgumentParser
import BrainProtocol

struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "List agents: name, project, state, last seen, adapters.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Only this project.") var project: String?

    func run() async throws {
        let result = try await common.once(.listAgents(project: project ?? ""))
        guard case .agents(let agents) = result else { throw unexpected(result) }
        var paging = Paging("agents", common: common)
        paging.add("--project", project)
        let now = Timestamps.now()
        var table = Table("NAME", "PROJECT", "STATE", "LAST SEEN", "ADAPTERS")
        for agent in agents {
            let adapters = ([agent.frameworkAdapter] + agent.engineAdapters + agent.schedulerAdapters).filter { !$0.isEmpty }
            table.add(
                agent.name, agent.project, agent.state.name, Timestamps.ago(agent.lastSeenAt, now: now),
                adapters.isEmpty ? "-" : adapters.joined(separator: ","))
        }
        // ListAgents answers every agent at once: the page never has a next cursor.
        paging.print(agents.map(Rendering.agent), nextCursor: "", json: common.json, table: table.text, empty: "no agents yet")
    }
}
