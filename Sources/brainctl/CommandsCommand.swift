import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct CommandsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands",
        abstract: "List commands sent to agents (task retry and cancel, schedule enable and disable), newest first.",
        discussion: """
            A command is pending until written to its agent's connection (delivered), acknowledged when the \
            agent says it has it, then succeeded or failed by the agent's result, or timed_out at its \
            deadline (a later result is kept, marked late). A page holds --limit commands (50 by default); \
            with --json the page is {"items": [...], "next_cursor": "C" or null}.
            """
    )
    @OptionGroup var common: CommonOptions
    @Option(help: "Only commands of this project.") var project: String?
    @Option(help: "Only commands to this agent (name or id).") var agent: String?
    @Option(help: "Only commands in this state (\(Self.stateNames)); repeatable, or a comma list.") var state: [String] = []
    @Option(parsing: .unconditional, help: "Most commands to print (at most 1000 per page; 0 means the default). (default: 50)")
    var limit: Int?
    @Option(help: "Continue from the cursor a previous page printed.") var cursor: String?

    static var stateNames: String { WireCommandState.allCases.filter { $0 != .unspecified }.map(\.name).joined(separator: ", ") }

    var stateList: [String] {
        state.flatMap { $0.split(separator: ",").map { String($0.filter { $0 != " " }) } }.filter { !$0.isEmpty }
    }

    func validate() throws {
        if let limit { try Checks.count(limit, "--limit") }
        for name in stateList where WireCommandState(commandName: name) == nil {
            throw ValidationError("--state \(name) is not one of \(Self.stateNames)")
        }
    }

    func run() async throws {
        var query = ListCommandsQuery()
        query.project = project ?? ""
        query.agent = agent ?? ""
        query.states = stateList.compactMap { WireCommandState(commandName: $0) }
        query.limit = try limit.map { try Checks.count($0, "--limit") } ?? 50
        query.cursor = cursor ?? ""
        let result = try await common.once(.listCommands(query))
        guard case .commands(let list) = result else { throw unexpected(result) }
        var paging = Paging("commands", common: common)
        paging.add("--project", project)
        paging.add("--agent", agent)
        paging.add("--state", each: state)
        paging.add("--limit", limit.map(String.init))
        var table = Table("COMMAND ID", "KIND", "STATE", "TARGET", "AGENT", "CREATED", "RESULT")
        for command in list.commands {
            table.add(
                command.commandID, command.kind.name, Rendering.state(command), Rendering.target(command), command.agentID,
                Timestamps.rfc3339(command.createdAt), String(command.resultMessage.prefix(60)))
        }
        paging.print(list.commands.map(Rendering.command), nextCursor: list.nextCursor, json: common.json, table: table.text, empty: "no commands")
    }
}
