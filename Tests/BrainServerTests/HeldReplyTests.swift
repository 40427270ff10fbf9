import BrainCore
import BrainProtocol
import Foundation
import Testing

@testable import BrainServer

/// Replies to calls that change the state wait for the journal, as acks do: the whole server
/// in this process, its journal's fsync held back (``ControlledFiles``) or failing.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HeldReplyTests {
    /// A call that changes the state, and what it needs first.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Done (and acknowledged) before the journal is held: gives the agent what the call
        /// acts on. The marker names it when the call's record holds nothing else of the caller's.
        let prepare: @Sendable (WireClient, String) throws -> Void
        /// The call; its journal record holds the marker, so the held fsync is surely its own.
        let call: @Sendable (String) -> BrainRequest.Method
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "CreateProject", prepare: { _, _ in }, call: { .createProject(name: $0, settings: nil) }),
        Case(
            name: "UpdateProject", prepare: { _, _ in },
            call: { .updateProject(name: "default", settings: WireProjectSettings(allowedKeys: [$0])) }),
        Case(name: "CancelRun", prepare: { _, _ in }, call: { .cancelRun(runID: ServerDurabilityTests.runID, reason: $0) }),
        Case(name: "RetryTask", prepare: { agent, marker in try Self.reportTask(marker, from: agent) }, call: { .retryTask(TaskCommandQuery(taskID: $0)) }),
    ]

    /// The agent reports a failed task `taskID` and waits until that is acknowledged.
    static func reportTask(_ taskID: String, from agent: WireClient) throws {
        let event = TaskEventReported(taskID: taskID, engine: "celery", kind: .failed, ts: 1)
        try agent.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: .taskEvent(event))))])
        guard try agent.read(until: { _ in agent.ackedSeq == 2 }) else { throw BrainError(.internal, "the task event was not acknowledged") }
    }

    /// A marker that is a valid name, key and id.
    static func marker() -> String { "held_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    @Test(arguments: cases)
    func aMutatingReplyAndTheReadOnlyOneAfterItWaitForTheJournalsFsync(_ testCase: Case) async throws {
        let disk = ControlledFiles()
        let (server, directory) = try await ServerDurabilityTests.start(disk)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agent = try ServerDurabilityTests.agent(server)
        let marker = Self.marker()
        try testCase.prepare(agent, marker)

        let client = try WireClient(socketPath: server.configuration.socketPath)
        disk.holdSyncs(onceWritten: marker)
        // The mutating call, then a read-only one on the same connection, in one write.
        try client.send([BrainRequest(callID: 1, method: testCase.call(marker)), BrainRequest(callID: 2, method: .getStatus)])
        #expect(disk.waitForHeldSync(), "the call's record reached its fsync")
        // The loop answers another connection meanwhile: the turn that read the client's calls
        // is long over, and anything it had sent the client would be in its socket by now.
        _ = try agent.call(90, .getStatus)
        #expect(try client.read(until: { !$0.isEmpty }, seconds: 0.3) == false, "nothing answered before the fsync returned")

        disk.release()
        #expect(try client.read(until: { $0.contains { $0.callID == 2 } }), "both are answered once the fsync returned")
        #expect(client.received.map(\.callID) == [1, 2], "in call order")
        #expect(client.received.first?.error == nil, "\(String(describing: client.received.first?.error))")
        try await server.shutdown()
    }

    @Test func aCallThatChangesNothingIsAnsweredWhileAWriteIsHeld() async throws {
        let disk = ControlledFiles()
        let (server, directory) = try await ServerDurabilityTests.start(disk)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agent = try ServerDurabilityTests.agent(server)
        // A write in flight, its fsync held: a reply that waited for the journal would wait for it.
        let marker = Self.marker()
        disk.holdSyncs(onceWritten: marker)
        guard case .step(var step) = ServerDurabilityTests.step(1) else { return }
        step.outputJSON = "{\"marker\":\"\(marker)\"}"
        try agent.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: .step(step))))])
        #expect(disk.waitForHeldSync())

        let client = try WireClient(socketPath: server.configuration.socketPath)
        let cases: [(BrainRequest.Method, StatusCode)] = [
            (.createProject(name: "default", settings: nil), .alreadyExists),
            (.updateProject(name: "nope", settings: WireProjectSettings()), .notFound),
            (.cancelRun(runID: "no-such-run", reason: ""), .notFound),
            (.retryTask(TaskCommandQuery(taskID: "no-such-task")), .notFound),
        ]
        for (index, (method, code)) in cases.enumerated() {
            let reply = try client.call(UInt64(index + 1), method)
            #expect(reply.error?.code == code, "\(method): \(String(describing: reply.error))")
        }
        #expect(agent.ackedSeq == 1, "the write is still held")
        disk.release()
        #expect(try agent.read(until: { _ in agent.ackedSeq == 2 }))
        try await server.shutdown()
    }

    @Test func aFailingJournalAnswersTheHeldCallUnavailableAndTheCallsAfterItAsTheyAre() async throws {
        let (directory, name) = try await Self.createAProjectWhileTheJournalFails()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (again, _) = try await ServerDurabilityTests.start(ControlledFiles(), directory: directory)
        let reader = try WireClient(socketPath: again.configuration.socketPath)
        #expect(try reader.call(1, .getProject(name: name)).error == nil, "the project answered UNAVAILABLE was written by the retry")
        try await again.shutdown()
    }

    /// A brain whose journal fails while a project is created, then works again; returns its
    /// directory and the project's name once it stopped (and let go of the directory's lock).
    static func createAProjectWhileTheJournalFails() async throws -> (String, String) {
        let disk = ControlledFiles()
        let (server, directory) = try await ServerDurabilityTests.start(disk)
        _ = try ServerDurabilityTests.agent(server)
        let client = try WireClient(socketPath: server.configuration.socketPath)
        let name = marker()

        disk.fail([.write, .pwrite], with: ENOSPC)
        try client.send([
            BrainRequest(callID: 1, method: .createProject(name: name, settings: nil)), BrainRequest(callID: 2, method: .getProject(name: name)),
        ])
        #expect(try client.read(until: { $0.contains { $0.callID == 2 } }))
        #expect(client.received.map(\.callID) == [1, 2], "in call order")
        let refused = client.received.first?.error
        #expect(refused?.code == .unavailable)
        #expect(refused?.message.contains("journal write failed") == true, "\(String(describing: refused))")
        #expect(refused?.message.contains(String(cString: strerror(ENOSPC))) == true, "\(String(describing: refused))")
        #expect(client.received.last?.error == nil, "the read-only call behind it is answered as it is")

        // The change is kept and written by the journal's retry once the disk works again.
        disk.heal()
        let deadline = Date(timeIntervalSinceNow: 10)
        var fault = "journal"
        var callID: UInt64 = 3
        while !fault.isEmpty, Date() < deadline {
            guard case .statusReply(let status) = try client.call(callID, .getStatus).result else { break }
            fault = status.persistenceFault
            callID += 1
            if !fault.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(fault.isEmpty, "the journal works again")
        try await server.shutdown()
        return (directory, name)
    }
}
