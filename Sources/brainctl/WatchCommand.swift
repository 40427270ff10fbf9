import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a run's status and steps live until it finishes (or every run, until Ctrl-C).",
        discussion: """
            With a run id, prints the run as it is, then its steps and status changes, and exits 0 once \
            the run is completed, failed or abandoned, or deleted (at once if it already is); --follow keeps watching. \
            Without one, follows every run (of --project) until Ctrl-C. --timeout bounds only connecting \
            and registering the watch. With --json, one compact object per line with a "type" key: \
            {"type":"run",...run fields}, {"type":"step","run_id":...,...step fields}, \
            {"type":"agent",...agent fields} (the shapes of the Python client's watch()).
            """
    )
    @OptionGroup var common: CommonOptions
    @Argument(help: "A run id; without one, every run.") var id: String?
    @Option(help: "Only runs of this project.") var project: String?
    @Flag(help: "Also show agents going online and offline.") var agents = false
    @Flag(help: "With a run id: keep watching after the run finishes, until Ctrl-C.") var follow = false

    func run() async throws {
        let seconds = common.timeoutSeconds()
        let deadline = CommonOptions.deadline(after: seconds)
        let connection = try await common.connect(within: seconds)
        let stream = connection.stream(.watch(WatchQuery(runID: id ?? "", project: project ?? "", agents: agents)))
        // The brain handles a connection's requests in order: once this answers, the watch
        // is registered (or refused, which the stream then reports). A brain that does not
        // answer is reported like any other call's timeout instead of leaving us waiting silently.
        _ = try await common.call(connection, .getStatus, by: deadline, timeout: seconds)
        do {
            for try await response in stream {
                guard case .watchEvent(let event) = response.result else { continue }
                print(event)
                if case .run(let run) = event, id != nil, !follow, run.status.isTerminal || run.deletedAt != 0 { return }
            }
        } catch let error as BrainError {
            common.fail(error, timeout: seconds)
        }
    }

    private func print(_ event: WatchEvent) {
        switch event {
        case .run(let run):
            if common.json {
                Console.line(JSONValue.object([("type", .string("run"))] + Rendering.run(run)).compactText)
            } else {
                let error = run.errorType.isEmpty ? "" : "  \(run.errorType): \(run.errorMessage)"
                Console.line("\(Timestamps.rfc3339(run.updatedAt))  run  \(run.runID)  \(Rendering.status(run))  steps=\(run.stepCount)\(error)")
            }
        case .step(let step):
            if common.json {
                Console.line(JSONValue.object([("type", .string("step")), ("run_id", .string(step.runID))] + Rendering.stepFields(step)).compactText)
            } else {
                Console.line(
                    "\(Timestamps.rfc3339(step.receivedAt))  step \(step.runID)  #\(step.seq) \(step.stepName)  \(step.status.name)  \(step.durationMs)ms")
            }
        case .agent(let agent):
            if common.json {
                Console.line(JSONValue.object([("type", .string("agent"))] + Rendering.agentFields(agent)).compactText)
            } else {
                Console.line("\(Timestamps.rfc3339(agent.updatedAt))  agent \(agent.name) (\(agent.project))  \(agent.state.name)")
            }
        case .task(let task):
            if common.json {
                Console.line(JSONValue.object([("type", .string("task"))] + Rendering.taskFields(task)).compactText)
            } else {
                Console.line("\(Timestamps.rfc3339(task.updatedAt))  task \(task.taskID)  \(Rendering.state(task))  \(task.name)")
            }
        case .schedule(let schedule):
            // Not asked for by this brainctl yet; shown plainly should a brain send one.
            let json = JSONValue.object([("type", .string("schedule")), ("name", .string(schedule.name))])
            Console.line(common.json ? json.compactText : "schedule \(schedule.name)")
        case .command(let command):
            Console.line(
                common.json
                    ? JSONValue.object([("type", .string("command")), ("command_id", .string(command.commandID))]).compactText
                    : "command \(command.commandID)  \(command.state.name)")
        }
    }
}
