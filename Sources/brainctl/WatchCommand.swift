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
            {"type":"agent",...agent fields} (the shapes of the Python client's watch()), and with             --tasks, --schedules and --commands {"type":"task",...}, {"type":"schedule",...} and             {"type":"command",...} (a removed schedule comes disabled, with its problem saying removed).             --no-runs leaves runs and steps out (to follow only tasks, say).
            """
    )
    @OptionGroup var common: CommonOptions
    @Argument(help: "A run id; without one, every run.") var id: String?
    @Option(help: "Only runs of this project.") var project: String?
    @Flag(help: "Also show agents going online and offline.") var agents = false
    @Flag(help: "Also show task changes (of --project).") var tasks = false
    @Flag(help: "Also show schedule changes (reported, fired, enabled, disabled, removed).") var schedules = false
    @Flag(help: "Also show commands to agents moving on (pending, delivered, ..., succeeded).") var commands = false
    @Flag(help: "Show no runs or steps (with --tasks, --schedules, --commands or --agents).") var noRuns = false
    @Flag(help: "With a run id: keep watching after the run finishes, until Ctrl-C.") var follow = false

    func run() async throws {
        let seconds = common.timeoutSeconds()
        let deadline = CommonOptions.deadline(after: seconds)
        let connection = try await common.connect(within: seconds)
        let query = WatchQuery(
            runID: id ?? "", project: project ?? "", agents: agents, tasks: tasks, schedules: schedules, commands: commands, runsOff: noRuns)
        let stream = connection.stream(.watch(query))
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
            if common.json {
                Console.line(JSONValue.object([("type", .string("schedule"))] + Rendering.scheduleFields(schedule)).compactText)
            } else {
                let next = schedule.nextRunAt == 0 ? "-" : Timestamps.rfc3339(schedule.nextRunAt)
                let problem = schedule.removed ? "  removed" : schedule.problem.isEmpty ? "" : "  \(schedule.problem)"
                let name = "\(schedule.scheduler)/\(schedule.name) (\(schedule.project))"
                Console.line(
                    "\(Timestamps.rfc3339(schedule.updatedAt))  schedule \(name)  \(schedule.enabled ? "enabled" : "disabled")  next=\(next)\(problem)")
            }
        case .command(let command):
            if common.json {
                Console.line(JSONValue.object([("type", .string("command"))] + Rendering.commandFields(command)).compactText)
            } else {
                let at = max(command.createdAt, command.deliveredAt, command.receivedAt, command.finishedAt)
                let what = "\(command.kind.name) \(Rendering.target(command))"
                Console.line("\(Timestamps.rfc3339(at))  command \(command.commandID)  \(what)  \(Rendering.state(command))")
            }
        }
    }
}
