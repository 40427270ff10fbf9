import BrainCore
import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainServer

/// `redact_steps` in the whole server: the steps of a project that turns it on are redacted
/// before the journal, the `--record` file or a snapshot sees them; other projects' steps
/// are kept as sent (and their secret is found on disk, so the search can fail).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct StepRedactionServerTests {
    /// A secret of the redacting project's step: never on disk.
    static let hidden = "hunter2-\(UUID().uuidString)"
    /// A secret of the other project's step: on disk as sent.
    static let kept = "swordfish-\(UUID().uuidString)"

    static func step(_ runID: String, secret: String) -> StepReported {
        var step = StepReported(runID: runID, seq: 1, stepName: "login", status: .error)
        step.inputJSON = "{\"user\": \"ann\", \"password\": \"\(secret)\"}"
        step.outputJSON = "{\"dsn\": \"postgres://app:\(secret)@db/prod\", \"rows\": 3}"
        step.error = "login failed with password=\(secret)"
        return step
    }

    /// Says hello in `project`, creates run `runID` and reports its step; returns once acknowledged.
    static func report(_ runID: String, secret: String, project: String, socketPath: String) throws {
        let agent = try WireClient(socketPath: socketPath)
        guard case .welcome = try agent.call(1, .hello(Hello(agentName: "agent-\(project)", project: project, token: "t-\(project)"))).result else {
            throw BrainError(.internal, "no welcome")
        }
        var created = RunCreated(runID: runID, goal: "redaction")
        created.initialStatus = .running
        try agent.send([
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 1, kind: .runCreated(created)))),
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: .step(step(runID, secret: secret))))),
        ])
        guard try agent.read(until: { _ in agent.ackedSeq == 2 }) else { throw BrainError(.internal, "the step was not acknowledged") }
        #expect(!agent.received.contains { $0.error != nil }, "\(agent.received)")
    }

    /// The run's one step as the brain stored it.
    static func storedStep(_ runID: String, in state: BrainState) -> Step? { state.run(id: runID)?.steps.first }

    static let redactedRun = "6c1b0a9f-8e7d-4c6b-9a5f-4e3d2c1b0a9f"
    static let keptRun = "5b0a9f8e-7d6c-4b5a-8f4e-3d2c1b0a9f8e"
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func configuration(_ directory: String) -> ServerConfiguration {
        var configuration = ServerConfiguration(socketPath: "\(directory)/brain.sock", dataDirectory: "\(directory)/data")
        configuration.recordPath = "\(directory)/record.bin"
        configuration.snapshotIntervalSeconds = 0
        configuration.snapshotAfterChanges = 0
        return configuration
    }

    @Test func aRedactingProjectsStepsNeverReachDiskAndOtherProjectsStepsAreKeptAsSent() async throws {
        let directory = NSTemporaryDirectory() + "brain-redact-steps-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = Self.configuration(directory)
        let shown = try #require(try await Self.reportStepsOfBothProjects(configuration))

        var files: [(String, Data)] = [("record.bin", try Data(contentsOf: URL(fileURLWithPath: "\(directory)/record.bin")))]
        for name in try FileManager.default.contentsOfDirectory(atPath: configuration.dataDirectory).sorted() {
            if let data = FileManager.default.contents(atPath: "\(configuration.dataDirectory)/\(name)") { files.append((name, data)) }
        }
        #expect(files.contains { $0.0.hasPrefix("journal") } && files.contains { $0.0 == "snapshot.json" })
        for (name, data) in files {
            #expect(data.range(of: Data(Self.hidden.utf8)) == nil, "\(name) holds the redacting project's secret")
        }
        #expect(files.contains { $0.1.range(of: Data(Self.kept.utf8)) != nil }, "the other project's step is on disk as sent")
        #expect(files[0].1.range(of: Data("[REDACTED]".utf8)) != nil, "--record keeps the redacted step")

        // A restart from the snapshot keeps the setting and the redacted step.
        let again = try await BrainServer.start(configuration: configuration, logger: Self.logger)
        let reader = try WireClient(socketPath: configuration.socketPath)
        guard case .projectInfo(let restored) = try reader.call(1, .getProject(name: "secretive")).result,
            case .run(let reloaded) = try reader.call(2, .getRun(GetRunQuery(runID: Self.redactedRun))).result
        else {
            Issue.record("the project or the run is missing after the restart")
            try await again.shutdown()
            return
        }
        #expect(restored.settings.redactSteps)
        #expect(reloaded.steps.first?.inputJSON == shown.inputJSON)
        try await again.shutdown()
    }

    /// A brain with a project that redacts steps: each project's agent reports a step with a
    /// secret; checks what is shown and what the journal replays to; returns the redacted
    /// step as shown, once the brain stopped (and let go of the directory's lock).
    static func reportStepsOfBothProjects(_ configuration: ServerConfiguration) async throws -> StepInfo? {
        let server = try await BrainServer.start(configuration: configuration, logger: logger)

        let client = try WireClient(socketPath: configuration.socketPath)
        guard case .projectInfo(let project) = try client.call(1, .createProject(name: "secretive", settings: WireProjectSettings(redactSteps: true))).result
        else {
            Issue.record("the project was not created")
            try await server.shutdown()
            return nil
        }
        #expect(project.settings.redactSteps, "the setting is kept and shown")
        try report(redactedRun, secret: Self.hidden, project: "secretive", socketPath: configuration.socketPath)
        try report(keptRun, secret: Self.kept, project: "default", socketPath: configuration.socketPath)

        guard case .run(let redacted) = try client.call(2, .getRun(GetRunQuery(runID: redactedRun))).result,
            case .run(let asSent) = try client.call(3, .getRun(GetRunQuery(runID: keptRun))).result
        else {
            Issue.record("a run is missing")
            try await server.shutdown()
            return nil
        }
        let shown = try #require(redacted.steps.first)
        #expect(shown.inputJSON == "{\"user\":\"ann\",\"password\":\"[REDACTED]\"}")
        #expect(shown.outputJSON.contains("postgres://app:[REDACTED") && shown.outputJSON.contains("\"rows\":3"), "\(shown.outputJSON)")
        #expect(!shown.error.contains(hidden), "\(shown.error)")
        #expect(asSent.steps.first?.inputJSON == step(keptRun, secret: kept).inputJSON, "another project's step is kept as sent")

        // Replaying what was journalled (a copy of the data directory, no snapshot taken yet)
        // rebuilds the redacted step.
        let copy = (configuration.dataDirectory as NSString).deletingLastPathComponent + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: configuration.dataDirectory) where name.hasPrefix("journal") {
            try FileManager.default.copyItem(atPath: "\(configuration.dataDirectory)/\(name)", toPath: "\(copy)/\(name)")
        }
        let replayed = try Recovery.open(directory: copy, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        #expect(storedStep(redactedRun, in: replayed.state)?.inputJSON == shown.inputJSON)
        #expect(storedStep(redactedRun, in: replayed.state)?.outputJSON == shown.outputJSON)
        #expect(replayed.state.projects["secretive"]?.settings.redactSteps == true, "the setting is journalled")

        #expect(try client.call(4, .snapshot).error == nil)
        try await server.shutdown()
        return shown
    }
}
