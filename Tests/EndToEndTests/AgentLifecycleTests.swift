import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Agents against a real daemon: hello, heartbeats, liveness, refusals.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AgentLifecycleTests {
    /// Heartbeats every 100 ms against a 2 s timeout: only a stall of the client or the
    /// brain 20 heartbeats long (the suites run in parallel on 2 cores) turns it offline.
    static let fastHeartbeats = ["--heartbeat-interval", "100ms", "--heartbeat-timeout", "2s"]

    @Test func helloHeartbeatsKeepAnAgentOnlineAndAKilledAgentGoesOffline() async throws {
        let brain = try BrainProcess(arguments: Self.fastHeartbeats)
        try await brain.start()
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "worker", token: "s3cret")))
        let welcome = try await session.start()
        #expect(welcome.registered)
        #expect(welcome.heartbeatIntervalMs == 100)
        #expect(welcome.heartbeatTimeoutMs == 2_000)
        #expect(welcome.lastSeq == 0)

        // Heartbeats keep it online past the timeout: seen again and again after it.
        let firstSeen = try #require(try brain.brainctlItems(["agents"]).first?["last_seen_at"] as? String)
        try await Task.sleep(for: .milliseconds(2_500))
        let agents = try brain.brainctlItems(["agents"])
        #expect(agents.count == 1)
        #expect(agents.first?["state"] as? String == "online")
        #expect(agents.first?["name"] as? String == "worker")
        #expect(agents.first?["project"] as? String == "default")
        #expect(try #require(agents.first?["last_seen_at"] as? String) > firstSeen, "heartbeats keep arriving")
        #expect(agents.first?["last_connect_at"] is String)

        // The agent dies without a word: offline within the timeout (plus a tick).
        await session.close()
        let wentOffline = try await eventually(10) {
            let list = try? brain.brainctlItems(["agents"])
            return list?.first?["state"] as? String == "offline"
        }
        #expect(wentOffline)
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        let counts = try #require(status["agents"] as? [String: Int])
        #expect(counts["offline"] == 1 && counts["online"] == 0)
        brain.stop()
    }

    @Test func wrongTokenAndUnsupportedVersionAreRefusedWithClearMessages() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let first = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "a", token: "right")))
        try await first.start()
        await first.close()

        let impostor = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "a", token: "wrong")))
        let refused = await #expect(throws: BrainError.self) { try await impostor.start() }
        #expect(refused?.code == .unauthenticated)

        let future = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "b", protocolVersion: 99)))
        let mismatch = await #expect(throws: BrainError.self) { try await future.start() }
        #expect(mismatch?.code == .failedPrecondition)
        #expect(mismatch?.message.contains("version 1") == true)

        // The right token still works after the refusals.
        let again = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "a", token: "right")))
        let welcome = try await again.start()
        #expect(!welcome.registered)
        await again.close()
        brain.stop()
    }

    @Test func registrationCanBeRequiredAndTokensIssuedByBrainctl() async throws {
        let brain = try BrainProcess(arguments: ["--require-registered-agents"])
        try await brain.start()
        let stranger = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "stranger", token: "x")))
        let refused = await #expect(throws: BrainError.self) { try await stranger.start() }
        #expect(refused?.code == .permissionDenied)

        let created = try #require(try brain.brainctlJSON(["agent", "create", "builder", "--project", "ci"]) as? [String: Any])
        let token = try #require(created["token"] as? String)
        let builder = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "builder", project: "ci", token: token)))
        let welcome = try await builder.start()
        #expect(welcome.project == "ci")
        await builder.close()
        brain.stop()
    }
}
