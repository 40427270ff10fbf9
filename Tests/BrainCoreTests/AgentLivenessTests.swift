import BrainProtocol
import Testing

@testable import BrainCore

/// Online, offline and unknown as time passes (`tick`), with heartbeats, disconnects and restarts.
@Suite("Agent liveness")
struct AgentLivenessTests {
    /// The default heartbeat timeout, 6 000 ms.
    static let timeout = Time.ms(6_000)

    @Test("an online agent silent for longer than the timeout goes offline at the next tick")
    func silentAgentGoesOffline() throws {
        var harness = Harness()
        harness.state.tick(now: Time.start + Self.timeout)
        #expect(harness.agent?.state == .online, "exactly at the timeout it is still online")
        let later = Time.start + Self.timeout + 1
        harness.state.tick(now: later)
        let agent = try #require(harness.agent)
        #expect(agent.state == .offline)
        #expect(agent.updatedAt == later)
        #expect(agent.lastSeenAt == Time.start)
        #expect(harness.state.agentCounts == AgentCounts(offline: 1))
    }

    @Test("signs of life keep an agent online and move lastSeenAt, not lastConnectAt")
    func signOfLifeKeepsOnline() throws {
        var harness = Harness()
        var now = Time.start
        for _ in 0..<5 {
            now += Time.ms(4_000)
            harness.state.signOfLife(agentID: harness.agentID, now: now)
            harness.state.tick(now: now + Time.ms(1_000))
            #expect(harness.agent?.state == .online)
        }
        let agent = try #require(harness.agent)
        #expect(agent.lastSeenAt == now)
        #expect(agent.lastConnectAt == Time.start)
        harness.state.tick(now: now + Self.timeout + 1)
        #expect(harness.agent?.state == .offline)
    }

    @Test("a sign of life brings an offline agent back online")
    func signOfLifeRevives() {
        var harness = Harness()
        let offlineAt = Time.start + Self.timeout + 1
        harness.state.tick(now: offlineAt)
        #expect(harness.agent?.state == .offline)
        harness.state.signOfLife(agentID: harness.agentID, now: offlineAt + 5)
        #expect(harness.agent?.state == .online)
        #expect(harness.agent?.updatedAt == offlineAt + 5)
        // Unknown ids are ignored.
        harness.state.signOfLife(agentID: "nobody", now: offlineAt)
        #expect(harness.state.agents.count == 1)
    }

    @Test("a disconnected agent that does not come back within the timeout goes offline")
    func disconnectedGoesOffline() {
        var harness = Harness()
        let closedAt = Time.start + Time.ms(1_000)
        harness.state.signOfLife(agentID: harness.agentID, now: closedAt)
        harness.state.disconnected(agentID: harness.agentID, now: closedAt)
        #expect(harness.agent?.connections == 0)
        harness.state.tick(now: closedAt + Self.timeout - 1)
        #expect(harness.agent?.state == .online, "it stays online until the timeout passes")
        harness.state.tick(now: closedAt + Self.timeout + 1)
        #expect(harness.agent?.state == .offline)
        // Disconnecting again never goes below zero connections.
        harness.state.disconnected(agentID: harness.agentID, now: closedAt)
        #expect(harness.agent?.connections == 0)
    }

    @Test("a disconnected agent that says hello again within the timeout stays online")
    func reconnectedStaysOnline() throws {
        var harness = Harness()
        harness.state.disconnected(agentID: harness.agentID, now: Time.start + Time.ms(1_000))
        let helloAt = Time.start + Time.ms(5_000)
        _ = try harness.state.hello(Hello(agentName: "worker", project: "proj"), tokenHash: "hash-worker", now: helloAt).get()
        harness.state.tick(now: Time.start + Self.timeout + Time.ms(1_000))
        let agent = try #require(harness.agent)
        #expect(agent.state == .online)
        #expect(agent.lastConnectAt == helloAt)
        #expect(agent.connections == 1)
        harness.state.tick(now: helloAt + Self.timeout + 1)
        #expect(harness.agent?.state == .offline)
    }

    @Test("after markAllUnknown agents are unknown, then offline once the timeout passes")
    func unknownThenOffline() throws {
        var harness = Harness()
        let other = harness.addAgent("other")
        let restart = Time.start + Time.seconds(60)
        harness.state.markAllUnknown(now: restart)
        #expect(harness.state.agents.values.allSatisfy { $0.state == .unknown && $0.connections == 0 })
        #expect(harness.state.agentCounts == AgentCounts(unknown: 2))
        harness.state.tick(now: restart + Self.timeout)
        #expect(harness.agent?.state == .unknown)
        harness.state.tick(now: restart + Self.timeout + 1)
        #expect(harness.agent?.state == .offline)
        #expect(harness.state.agents[other]?.state == .offline)
    }

    @Test("an unknown agent that says hello within the timeout stays online")
    func unknownThenHello() throws {
        var harness = Harness()
        let restart = Time.start + Time.seconds(60)
        harness.state.markAllUnknown(now: restart)
        _ = try harness.state.hello(Hello(agentName: "worker", project: "proj"), tokenHash: "hash-worker", now: restart + 10).get()
        harness.state.tick(now: restart + Self.timeout + 1)
        #expect(harness.agent?.state == .online)
        #expect(harness.agent?.lastSeenAt == restart + 10)
    }

    @Test("the heartbeat timeout comes from the configuration")
    func configuredTimeout() {
        var configuration = CoreConfiguration()
        configuration.heartbeatTimeoutMs = 500
        var harness = Harness(configuration: configuration)
        harness.state.tick(now: Time.start + Time.ms(500) + 1)
        #expect(harness.agent?.state == .offline)
    }

    @Test("a created agent that never says hello goes offline after the timeout")
    func createdNeverConnects() throws {
        var state = BrainState()
        let agent = try state.createAgent(name: "idle", project: "p", tokenHash: "h", now: Time.start).get()
        state.tick(now: Time.start + Self.timeout + 1)
        #expect(state.agents[agent.agentID]?.state == .offline)
    }

    @Test("agent changes are collected for watchers when asked")
    func changesCollected() throws {
        var state = BrainState()
        state.collectChanges = true
        let agent = try state.hello(Hello(agentName: "w", project: "p"), tokenHash: "h", now: Time.start).get().agent
        state.tick(now: Time.start + Self.timeout + 1)
        let changes = state.drainChanges()
        #expect(changes.count == 2)
        if case .agent(let info) = changes.last {
            #expect(info.agentID == agent.agentID)
            #expect(info.state == .offline)
        } else {
            Issue.record("expected an agent change, got \(changes)")
        }
        #expect(state.drainChanges().isEmpty)
    }
}
