import ArgumentParser
import BrainClient
import BrainProtocol

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a run's status and steps live (or every run), until Ctrl-C."
    )
    @OptionGroup var common: CommonOptions
    @Argument(help: "A run id; without one, every run.") var id: String?
    @Option(help: "Only runs of this project.") var project: String?
    @Flag(help: "Also show agents going online and offline.") var agents = false

    func run() async throws {
        let connection = try await common.connect()
        let stream = connection.stream(.watch(WatchQuery(runID: id ?? "", project: project ?? "", agents: agents)))
        do {
            for try await response in stream {
                guard case .watchEvent(let event) = response.result else { continue }
                print(event)
            }
        } catch let error as BrainError {
            Console.error("brainctl: \(error.code.name): \(error.message)")
            throw ExitCode(1)
        }
    }

    private func print(_ event: WatchEvent) {
        switch event {
        case .run(let run):
            if common.json {
                common.print(.object([("run", .object(Rendering.run(run)))]))
            } else {
                Console.line("\(Timestamps.rfc3339(run.updatedAt))  run  \(run.runID)  \(run.status.name)  steps=\(run.stepCount)\(run.errorType.isEmpty ? "" : "  \(run.errorType): \(run.errorMessage)")")
            }
        case .step(let step):
            if common.json {
                common.print(.object([("run_id", .string(step.runID)), ("step", Rendering.step(step))]))
            } else {
                Console.line("\(Timestamps.rfc3339(step.receivedAt))  step \(step.runID)  #\(step.seq) \(step.stepName)  \(step.status.name)  \(step.durationMs)ms")
            }
        case .agent(let agent):
            if common.json {
                common.print(.object([("agent", Rendering.agent(agent))]))
            } else {
                Console.line("\(Timestamps.rfc3339(agent.updatedAt))  agent \(agent.name) (\(agent.project))  \(agent.state.name)")
            }
        }
    }
}
