import ArgumentParser
import BrainProtocol

@main
struct BrainctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brainctl",
        abstract: "Talk to a running brain: status, agents, runs, projects, tasks, errors, live watch.",
        usage: "brainctl [--socket <path>] [--json] [--timeout <seconds>] <subcommand> ...",
        discussion: """
            Global options work before or after the command: `brainctl --socket S run show ID` is \
            `brainctl run show ID --socket S`. --socket PATH is the brain's socket ($BRAIN_SOCKET, else \
            $XDG_RUNTIME_DIR/brain/brain.sock, else /tmp/brain-<uid>/brain.sock). --json prints JSON on \
            stdout (snake_case keys, RFC 3339 UTC times). --timeout SECONDS (default 5, or \
            $BRAIN_TIMEOUT; `snapshot` 120) bounds connecting plus the answer: past it brainctl exits 1 \
            with DEADLINE_EXCEEDED; `watch` is bounded only until its stream is registered.

            Lists (runs, tasks, agents, projects, errors) print one page; when there is more, the last line is \
            `more: <the same command with every option given> --cursor C`, ready to run. With --json \
            every list prints one object, {"items": [...], "next_cursor": "C" or null}.

            Exit status: 0 done; 1 the brain refused (one line on stderr, `brainctl: CODE: message`) \
            or could not be reached; 64 a usage error.
            """,
        version: BrainVersion.string,
        subcommands: [
            StatusCommand.self, StatsCommand.self, AgentsCommand.self, AgentCommand.self, RunsCommand.self,
            RunCommand.self, ProjectsCommand.self, ProjectCommand.self, TasksCommand.self, TaskCommand.self, SchedulesCommand.self,
            ScheduleCommand.self, CommandsCommand.self, CommandCommand.self, ErrorsCommand.self,
            WatchCommand.self, SnapshotCommand.self,
        ]
    )

    /// Moves global options written before the command after it (ArgumentParser reads a
    /// subcommand's options only after its name), then runs as usual.
    static func main() async {
        await main(GlobalArguments.hoist(Array(CommandLine.arguments.dropFirst()), root: Self.self))
    }
}
