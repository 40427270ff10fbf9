import ArgumentParser
import BrainCommandLine
import BrainProtocol

extension TaskCommand {
    /// `task retry` and `task cancel`: a command to the agent that reported the task.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry", abstract: "Ask the task's agent to re-run it (by reference: the agent re-sends it with its own args).",
            discussion: TaskCommand.commandDiscussion
        )
        @OptionGroup var common: CommonOptions
        @OptionGroup var target: CommandTarget
        @Flag(help: "Wait for the agent's result (or the command's deadline, or --timeout, 70 s by default).") var wait = false

        func validate() throws { try target.validate() }

        func run() async throws {
            try await CommandWaiting.issue(
                .retryTask(target.query), wait: wait, common: common, note: "the new task's id fills the original's retried_as when the agent reports it")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Ask the task's agent to revoke it.", discussion: TaskCommand.commandDiscussion
        )
        @OptionGroup var common: CommonOptions
        @OptionGroup var target: CommandTarget
        @Flag(help: "Wait for the agent's result (or the command's deadline, or --timeout, 70 s by default).") var wait = false

        func validate() throws { try target.validate() }

        func run() async throws {
            try await CommandWaiting.issue(
                .cancelTask(target.query), wait: wait, common: common, note: "the task shows cancelled when its agent reports the cancelled event")
        }
    }

    /// The task a command is about, and its deadline.
    struct CommandTarget: ParsableArguments {
        @Argument(help: "The task id.") var id: String
        @Option(help: "The task's project (needed only when the id names tasks in several).") var project: String?
        @Option(help: "The task's engine.") var engine: String?
        @Option(help: "How long the brain waits for the agent's result (500ms, 2m; default: the brain's --command-deadline).")
        var deadline: String?

        func validate() throws {
            if let deadline, DurationText.seconds(deadline) == nil { throw ValidationError("--deadline \(deadline) is not a duration; use e.g. 30s, 2m") }
        }

        var query: TaskCommandQuery {
            let milliseconds = deadline.flatMap(DurationText.seconds).map { UInt64(min($0 * 1_000, 1e15)) } ?? 0
            return TaskCommandQuery(taskID: id, project: project ?? "", engine: engine ?? "", deadlineMs: milliseconds)
        }
    }

    static let commandDiscussion = """
        The brain sends a command to the agent that reported the task: at once when it is online, else \
        when it next connects, until the deadline. Prints the command id and state (pending, delivered); \
        --wait follows it until the agent's result and exits 1 unless it succeeded. brainctl commands lists them.
        """
}
