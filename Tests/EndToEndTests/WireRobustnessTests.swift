import BrainClient
import BrainFraming
import BrainProtocol
import Foundation
import NIOCore
import Testing
import _BrainTestSupport

/// Bad input on one connection never disturbs another.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WireRobustnessTests {
    @Test func anOversizedFrameClosesOnlyItsConnection() async throws {
        let brain = try BrainProcess(arguments: ["--max-frame-bytes", "1024"])
        try await brain.start()
        let healthy = try await brain.connect()
        let bad = try await brain.connect()
        let closed = ConnectionSignal()
        bad.onUnsolicited({ response in closed.record(response) }, onClose: { _ in closed.close() })
        // A length prefix of 1 MiB: refused before any body is read.
        bad.sendRaw([0x00, 0x10, 0x00, 0x00, 1, 2, 3])
        #expect(try await eventually(3) { closed.isClosed })
        #expect(closed.responses.first?.error?.code == .resourceExhausted)

        guard case .statusReply(let status) = try await healthy.call(.getStatus) else {
            Issue.record("healthy connection got no status")
            return
        }
        #expect(status.version == BrainVersion.string)
        await healthy.close()
        brain.stop()
    }

    @Test func connectionsOverTheLimitAreRefusedWhileTheOthersKeepWorking() async throws {
        let brain = try BrainProcess(arguments: ["--max-connections", "2"])
        try await brain.start()
        func connections(_ connection: BrainConnection) async throws -> UInt32 {
            guard case .stats(let stats) = try await connection.call(.getStats) else { return 0 }
            return stats.connections
        }
        // start() probed the socket; wait until that connection is gone so the count is ours.
        let first = try await brain.connect()
        #expect(try await eventually(3) { try await connections(first) == 1 })
        let second = try await brain.connect()
        #expect(try await eventually(3) { try await connections(first) == 2 })
        let third = try await brain.connect()
        let refused = await #expect(throws: BrainError.self) { _ = try await third.call(.getStatus) }
        #expect(refused?.code == .resourceExhausted)
        #expect(refused?.message.contains("--max-connections") == true)
        await second.close()
        // A freed slot is usable again.
        let again = try await eventually(3) {
            guard let connection = try? await brain.connect() else { return false }
            defer { Task { await connection.close() } }
            return (try? await connection.call(.getStatus)) != nil
        }
        #expect(again)
        await first.close()
        brain.stop()
    }

    @Test func framesCutAnywhereAcrossReadsAreReadWhole() async throws {
        // This agent never sends a heartbeat, and only whole frames are signs of life: on a
        // loaded machine the dribble below went longer than the daemon's 6 s timeout between
        // two frames once, and the agent went offline and its run was abandoned. The test
        // brain's longer timeout (BrainProcess.testHeartbeatTimeout) keeps that out.
        let brain = try BrainProcess()
        try await brain.start()
        let connection = try await brain.connect()
        let signal = ConnectionSignal()
        connection.onUnsolicited({ response in signal.record(response) }, onClose: { _ in signal.close() })
        guard case .welcome = try await connection.call(.hello(Hello(agentName: "dribbler", token: "t"))) else {
            Issue.record("no welcome")
            return
        }
        let runID = "5f0c2a9e-1b7d-4c3e-8a6f-2d4b6c8e0a1f"
        var events: [AgentEvent.Kind] = [.runCreated(RunCreated(runID: runID, goal: "dribble"))]
        for seq in UInt32(1)...40 {
            var step = StepReported(runID: runID, seq: seq, stepName: "step \(seq)", status: .ok)
            step.outputJSON = "{\"n\":\(seq),\"pad\":\"\(String(repeating: "x", count: Int(seq) * 7))\"}"
            events.append(.step(step))
        }
        var stream = ByteBufferAllocator().buffer(capacity: 8_192)
        for (index, kind) in events.enumerated() {
            WireCodec.writeFrame(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64(index + 1), kind: kind))), into: &stream)
        }
        // Pieces of 1 to 13 bytes, each its own write and (after the pause) its own read:
        // length prefixes and bodies are cut at every possible place.
        let bytes = Array(stream.readableBytesView)
        var offset = 0
        var size = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            connection.sendRaw(Array(bytes[offset..<end]))
            try await Task.sleep(for: .milliseconds(1))
            offset = end
            size = size % 13 + 1
        }
        let lastSeq = UInt64(events.count)
        #expect(try await eventually(5) { signal.responses.contains { $0.result == .ack(ackedSeq: lastSeq) } })
        #expect(!signal.responses.contains { $0.error != nil })
        guard case .steps(let list) = try await connection.call(.listSteps(ListStepsQuery(runID: runID))) else {
            Issue.record("no steps")
            return
        }
        #expect(list.steps.map(\.seq) == Array(1...40))
        #expect(list.steps.last?.outputJSON == "{\"n\":40,\"pad\":\"\(String(repeating: "x", count: 280))\"}")
        await connection.close()
        brain.stop()
    }

    @Test func garbageGetsInvalidArgumentAndAnEmptyFrameUnimplemented() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let connection = try await brain.connect()
        let signal = ConnectionSignal()
        connection.onUnsolicited({ response in signal.record(response) }, onClose: { _ in signal.close() })
        // A zero-length frame is an empty Request: UNIMPLEMENTED, connection kept.
        connection.sendRaw([0, 0, 0, 0])
        #expect(try await eventually(3) { signal.responses.count == 1 })
        #expect(signal.responses.first?.error?.code == .unimplemented)
        #expect(!signal.isClosed)
        // Bytes that are not a Request: INVALID_ARGUMENT, then closed.
        connection.sendRaw([0, 0, 0, 3, 0xff, 0xff, 0xff])
        #expect(try await eventually(3) { signal.isClosed })
        #expect(signal.responses.last?.error?.code == .invalidArgument)
        brain.stop()
    }

    @Test func socketSafety() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        // A second brain on the same socket must not steal it.
        let second = try BrainProcess()
        let (status, text) = try second.startExpectingFailure(arguments: ["--socket", brain.socketPath])
        #expect(status == 1)
        #expect(text.contains("another brain is already answering on \(brain.socketPath)"))
        // The first one still serves.
        let connection = try await brain.connect()
        await connection.close()

        // Killed: the stale socket file is replaced by the next start.
        brain.stop(signal: SIGKILL)
        #expect(FileManager.default.fileExists(atPath: brain.socketPath))
        try await brain.start()
        brain.stop()
        #expect(!FileManager.default.fileExists(atPath: brain.socketPath), "a clean shutdown removes the socket: \(brain.readOutput())")

        let long = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        let (longStatus, longText) = try second.startExpectingFailure(arguments: ["--socket", long])
        #expect(longStatus == 1)
        #expect(longText.contains("must be shorter than 104 bytes"))

        let (brainctlStatus, brainctlOut, brainctlErr) = try second.brainctl(["status"])
        #expect(brainctlStatus == 1)
        #expect(brainctlOut.isEmpty)
        #expect(brainctlErr.contains(second.socketPath))
    }
}
