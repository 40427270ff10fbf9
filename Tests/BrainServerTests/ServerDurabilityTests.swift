import BrainCore
import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainServer

/// The whole server in this process, its journal and snapshots on ``ControlledFiles``: acks
/// wait for the journal's fsync, and a disk that fails makes the brain answer UNAVAILABLE
/// and hold the acks, then acknowledge everything once it works again. (The end-to-end
/// PersistenceFaultTests prove the same on a real full tmpfs where one can be mounted.)
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ServerDurabilityTests {
    /// A brain in a temporary directory, its files through `disk`.
    static func start(_ disk: ControlledFiles, directory: String? = nil) async throws -> (BrainServer, String) {
        let directory = directory ?? NSTemporaryDirectory() + "brain-durability-\(UUID().uuidString)"
        var configuration = ServerConfiguration(socketPath: "\(directory)/brain.sock", dataDirectory: "\(directory)/data")
        configuration.fileCalls = disk.files
        configuration.fsyncPolicy = .batch
        configuration.snapshotIntervalSeconds = 0
        configuration.snapshotAfterChanges = 0
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try await BrainServer.start(configuration: configuration, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        return (server, directory)
    }

    static func step(_ seq: UInt32) -> AgentEvent.Kind {
        var step = StepReported(runID: runID, seq: seq, stepName: "step \(seq)", status: .ok)
        step.outputJSON = "{\"n\":\(seq),\"pad\":\"" + String(repeating: "s", count: 3_000) + "\"}"
        return .step(step)
    }

    static let runID = "7d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a"

    /// Says hello, creates the run, and waits until that is acknowledged (durable).
    static func agent(_ server: BrainServer) throws -> WireClient {
        let client = try WireClient(socketPath: server.configuration.socketPath)
        guard case .welcome = try client.call(1, .hello(Hello(agentName: "durable", token: "t"))).result else {
            throw BrainError(.internal, "no welcome")
        }
        var created = RunCreated(runID: runID, goal: "durability")
        created.initialStatus = .running
        try client.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 1, kind: .runCreated(created))))])
        guard try client.read(until: { _ in client.ackedSeq == 1 }) else { throw BrainError(.internal, "seq 1 not acked") }
        return client
    }

    @Test func noAckLeavesBeforeTheJournalsFsyncReturns() async throws {
        let disk = ControlledFiles()
        let (server, directory) = try await Self.start(disk)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = try Self.agent(server)

        // Held: the fsync of the write that carries these records (their outputs hold the marker).
        let marker = "held-\(UUID().uuidString)"
        disk.holdSyncs(onceWritten: marker)
        try client.send(
            (2...4).map { seq in
                guard case .step(var step) = Self.step(UInt32(seq) - 1) else { return BrainRequest(callID: 0, method: .getStatus) }
                step.outputJSON = "{\"marker\":\"\(marker)\"}"
                return BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64(seq), kind: .step(step))))
            })
        // The journal thread is inside the fsync of those records...
        #expect(disk.waitForHeldSync(), "the write reached its fsync")
        // ...and the loop has long finished the turn that read them: a status call sent now is
        // answered after anything that turn wrote, an early ack included.
        _ = try client.call(2, .getStatus)
        #expect(client.ackedSeq == 1, "no ack for records whose fsync has not returned")

        disk.release()
        #expect(try client.read(until: { _ in client.ackedSeq == 4 }), "the ack follows the fsync")
        try await server.shutdown()
    }

    @Test func aFailingJournalAnswersUnavailableAndAcksResumeOnceItWorks() async throws {
        let directory = try await Self.failAndHealTheJournal()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // A restart holds every event once, with its content.
        let (again, _) = try await Self.start(ControlledFiles(), directory: directory)
        let reader = try WireClient(socketPath: again.configuration.socketPath)
        guard case .run(let detail) = try reader.call(1, .getRun(GetRunQuery(runID: Self.runID))).result else {
            Issue.record("the run is missing after the restart")
            try await again.shutdown()
            return
        }
        #expect(detail.steps.map(\.seq) == [1, 2, 3, 4])
        for step in detail.steps {
            guard case .step(let sent) = Self.step(step.seq) else { continue }
            #expect(step.outputJSON == sent.outputJSON && step.stepName == sent.stepName)
        }
        try await again.shutdown()
    }

    /// A brain whose journal fails, then works again; returns its directory once it stopped
    /// (and let go of the data directory's lock).
    static func failAndHealTheJournal() async throws -> String {
        let disk = ControlledFiles()
        let (server, directory) = try await Self.start(disk)
        let client = try Self.agent(server)

        disk.fail([.write, .pwrite], with: ENOSPC)
        try client.send((2...5).map { BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64($0), kind: Self.step(UInt32($0) - 1)))) })
        let refused = try client.read(until: { responses in responses.contains { $0.error?.code == .unavailable } })
        #expect(refused, "a failed journal write answers UNAVAILABLE")
        let unavailable = client.received.first { $0.error?.code == .unavailable }
        #expect(unavailable?.error?.message.contains("journal write failed") == true)
        #expect(unavailable?.error?.message.contains(String(cString: strerror(ENOSPC))) == true, "\(String(describing: unavailable))")
        #expect(client.ackedSeq == 1, "nothing is acknowledged while the journal cannot be written")

        guard case .statusReply(let faulted) = try client.call(2, .getStatus).result else {
            Issue.record("no status")
            return directory
        }
        #expect(faulted.persistenceFault.contains("journal write failed"))
        // A snapshot now would cover records the journal does not hold: refused, and recorded.
        let snapshot = try client.call(3, .snapshot)
        #expect(snapshot.error?.code == .unavailable)
        #expect(snapshot.error?.message.contains("snapshot not taken") == true, "\(String(describing: snapshot.error))")
        #expect(client.ackedSeq == 1, "still nothing acknowledged (ticks retry and fail)")

        // Space comes back: the next tick's retry writes the held events and acks them.
        disk.heal()
        #expect(try client.read(until: { _ in client.ackedSeq == 5 }), "every held event is acknowledged once the journal works")
        guard case .statusReply(let healed) = try client.call(4, .getStatus).result else {
            Issue.record("no status")
            return directory
        }
        #expect(!healed.persistenceFault.hasPrefix("journal"), "the journal's own fault is cleared")
        // The refused snapshot's fault stays until a snapshot works.
        #expect(try client.call(5, .snapshot).error == nil, "a snapshot works again")
        guard case .statusReply(let cleared) = try client.call(6, .getStatus).result else {
            Issue.record("no status")
            return directory
        }
        #expect(cleared.persistenceFault.isEmpty)
        try await server.shutdown()
        return directory
    }

    @Test func aFailedSnapshotKeepsThePreviousOneRecordsTheFaultAndTheNextOneClearsIt() async throws {
        let disk = ControlledFiles()
        let (server, directory) = try await Self.start(disk)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = try Self.agent(server)
        #expect(try client.call(2, .snapshot).error == nil)
        let path = "\(directory)/data/snapshot.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        try client.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: Self.step(1))))])
        #expect(try client.read(until: { _ in client.ackedSeq == 2 }))
        disk.fail([.rename], with: EIO)
        let failed = try client.call(3, .snapshot)
        #expect(failed.error?.code == .unavailable)
        #expect(failed.error?.message.contains("snapshot failed, the previous one is kept") == true, "\(String(describing: failed.error))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "snapshot.json is untouched")
        guard case .statusReply(let status) = try client.call(4, .getStatus).result else {
            Issue.record("no status")
            return
        }
        #expect(status.persistenceFault.contains("snapshot failed"))
        guard case .persistenceErrors(let errors) = try client.call(5, .listPersistenceErrors(ListPersistenceErrorsQuery())).result else {
            Issue.record("no error list")
            return
        }
        #expect(errors.errors.contains { $0.phase == PersistencePhase.snapshot }, "the failure is in the sink")
        // Ingestion goes on meanwhile.
        try client.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 3, kind: Self.step(2))))])
        #expect(try client.read(until: { _ in client.ackedSeq == 3 }))

        disk.heal()
        #expect(try client.call(6, .snapshot).error == nil)
        guard case .statusReply(let healed) = try client.call(7, .getStatus).result else {
            Issue.record("no status")
            return
        }
        #expect(healed.persistenceFault.isEmpty)
        try await server.shutdown()
    }
}
