import BrainProtocol
import Testing

@testable import BrainCore

/// `hello` and `createAgent`: trust on first use, token checks, protocol versions, registration.
@Suite("Agent registration and hello")
struct AgentRegistrationTests {
    static func hello(_ name: String = "alpha", project: String = "proj", version: UInt32 = 1) -> Hello {
        Hello(agentName: name, project: project, protocolVersion: version)
    }

    @Test("the first hello registers the agent (trust on first use) and marks it online")
    func firstHelloRegisters() throws {
        var state = BrainState()
        var hello = Self.hello()
        hello.frameworkAdapter = "langgraph"
        hello.engineAdapters = ["playwright"]
        hello.schedulerAdapters = ["cron"]
        hello.capabilitiesJSON = "{\"tabs\":4}"
        hello.metadataJSON = "{\"host\":\"h1\"}"
        let welcomed = try state.hello(hello, tokenHash: "h1", now: Time.start).get()
        let agent = welcomed.agent
        let registered = welcomed.registered
        #expect(registered)
        #expect(agent.state == .online)
        #expect(agent.name == "alpha")
        #expect(agent.project == "proj")
        #expect(agent.tokenHash == "h1")
        #expect(agent.protocolVersion == 1)
        #expect(agent.frameworkAdapter == "langgraph")
        #expect(agent.engineAdapters == ["playwright"])
        #expect(agent.schedulerAdapters == ["cron"])
        #expect(agent.capabilitiesJSON == "{\"tabs\":4}")
        #expect(agent.metadataJSON == "{\"host\":\"h1\"}")
        #expect(agent.createdAt == Time.start)
        #expect(agent.lastSeenAt == Time.start)
        #expect(agent.lastConnectAt == Time.start)
        #expect(agent.connections == 1)
        #expect(UUIDShape.isLowercaseUUID(agent.agentID))
        #expect(state.agents[agent.agentID] == agent)
        #expect(state.agent(named: "alpha", project: "proj")?.agentID == agent.agentID)
        #expect(state.agentCounts == AgentCounts(online: 1))
    }

    @Test("an empty project means \"default\"")
    func emptyProjectIsDefault() throws {
        var state = BrainState()
        let agent = try state.hello(Self.hello(project: ""), tokenHash: "h", now: Time.start).get().agent
        #expect(agent.project == "default")
        #expect(state.agent(named: "alpha", project: "default") != nil)
    }

    @Test("a second hello with the same token is accepted, keeps the id and updates times")
    func secondHelloSameToken() throws {
        var state = BrainState()
        let (first, _) = try state.hello(Self.hello(), tokenHash: "h", now: Time.start).get().pair
        let later = Time.start + Time.seconds(30)
        let (second, registered) = try state.hello(Self.hello(), tokenHash: "h", now: later).get().pair
        #expect(!registered)
        #expect(second.agentID == first.agentID)
        #expect(second.createdAt == Time.start)
        #expect(second.lastSeenAt == later)
        #expect(second.lastConnectAt == later)
        #expect(second.connections == 2)
        #expect(state.agents.count == 1)
    }

    @Test("a hello with the wrong token hash is UNAUTHENTICATED and changes nothing")
    func wrongToken() throws {
        var state = BrainState()
        _ = try state.hello(Self.hello(), tokenHash: "right", now: Time.start).get()
        let before = state.agents
        let error = state.hello(Self.hello(), tokenHash: "wrong", now: Time.start + 1).failure
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains("alpha") == true)
        #expect(state.agents == before)
        // A token hash that differs only in length is refused too.
        #expect(state.hello(Self.hello(), tokenHash: "righ", now: Time.start + 2).failure?.code == .unauthenticated)
    }

    @Test("the same name in another project is another agent")
    func nameScopedByProject() throws {
        var state = BrainState()
        let (a, _) = try state.hello(Self.hello(project: "one"), tokenHash: "x", now: Time.start).get().pair
        let (b, registered) = try state.hello(Self.hello(project: "two"), tokenHash: "y", now: Time.start).get().pair
        #expect(registered)
        #expect(a.agentID != b.agentID)
    }

    @Test("an unsupported protocol version is FAILED_PRECONDITION naming the supported version", arguments: [UInt32(0), 2, 99])
    func unsupportedProtocolVersion(_ version: UInt32) {
        var state = BrainState()
        let error = state.hello(Self.hello(version: version), tokenHash: "h", now: Time.start).failure
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("version \(version)") == true)
        #expect(error?.message.contains("speaks version 1") == true)
        #expect(state.agents.isEmpty)
    }

    @Test("invalid names and JSON in a hello are INVALID_ARGUMENT")
    func invalidHello() {
        var state = BrainState()
        #expect(state.hello(Self.hello(""), tokenHash: "h", now: Time.start).failure?.code == .invalidArgument)
        let long = String(repeating: "n", count: 201)
        #expect(state.hello(Self.hello(long), tokenHash: "h", now: Time.start).failure?.code == .invalidArgument)
        #expect(state.hello(Self.hello(project: long), tokenHash: "h", now: Time.start).failure?.code == .invalidArgument)
        var badCapabilities = Self.hello()
        badCapabilities.capabilitiesJSON = "{nope}"
        let error = state.hello(badCapabilities, tokenHash: "h", now: Time.start).failure
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("capabilities") == true)
        var badMetadata = Self.hello()
        badMetadata.metadataJSON = "[1,]"
        #expect(state.hello(badMetadata, tokenHash: "h", now: Time.start).failure?.message.contains("metadata") == true)
        #expect(state.agents.isEmpty)
        // 200 characters is still fine.
        #expect(state.hello(Self.hello(String(repeating: "n", count: 200)), tokenHash: "h", now: Time.start).failure == nil)
    }

    @Test("requireRegisteredAgents refuses an unknown agent with PERMISSION_DENIED")
    func requireRegistration() {
        var configuration = CoreConfiguration()
        configuration.requireRegisteredAgents = true
        var state = BrainState(configuration: configuration)
        let error = state.hello(Self.hello(), tokenHash: "h", now: Time.start).failure
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("brainctl agent create alpha") == true)
        #expect(state.agents.isEmpty)
    }

    @Test("createAgent then hello with its token hash is accepted, even when registration is required")
    func createThenHello() throws {
        var configuration = CoreConfiguration()
        configuration.requireRegisteredAgents = true
        var state = BrainState(configuration: configuration)
        let created = try state.createAgent(name: "alpha", project: "proj", tokenHash: "secret-hash", now: Time.start).get()
        #expect(created.state == .unknown)
        #expect(created.lastSeenAt == 0)
        #expect(created.lastConnectAt == 0)
        #expect(created.createdAt == Time.start)
        let later = Time.start + Time.seconds(1)
        let welcomed = try state.hello(Self.hello(), tokenHash: "secret-hash", now: later).get()
        let agent = welcomed.agent
        let registered = welcomed.registered
        #expect(!registered)
        #expect(agent.agentID == created.agentID)
        #expect(agent.state == .online)
        #expect(agent.lastConnectAt == later)
        #expect(state.hello(Self.hello(), tokenHash: "other", now: later).failure?.code == .unauthenticated)
    }

    @Test("createAgent of a name already taken in the project is ALREADY_EXISTS")
    func createDuplicate() throws {
        var state = BrainState()
        _ = try state.createAgent(name: "alpha", project: "", tokenHash: "a", now: Time.start).get()
        let error = state.createAgent(name: "alpha", project: "default", tokenHash: "b", now: Time.start).failure
        #expect(error?.code == .alreadyExists)
        // An agent registered by hello also takes the name.
        _ = try state.hello(Self.hello("beta"), tokenHash: "h", now: Time.start).get()
        #expect(state.createAgent(name: "beta", project: "proj", tokenHash: "h", now: Time.start).failure?.code == .alreadyExists)
        #expect(state.createAgent(name: "", project: "proj", tokenHash: "h", now: Time.start).failure?.code == .invalidArgument)
        #expect(state.agents.count == 2)
    }

    @Test("listAgents sorts by project then name and filters by project")
    func listAgents() throws {
        var state = BrainState()
        for (name, project) in [("b", "p2"), ("a", "p2"), ("z", "p1")] {
            _ = try state.hello(Self.hello(name, project: project), tokenHash: "h-\(name)-\(project)", now: Time.start).get()
        }
        #expect(state.listAgents(project: "").map(\.name) == ["z", "a", "b"])
        #expect(state.listAgents(project: "p2").map(\.name) == ["a", "b"])
        #expect(state.listAgents(project: "none").isEmpty)
    }

    @Test("agent ids are deterministic for the same project, name and time")
    func deterministicAgentIDs() throws {
        var one = BrainState()
        var two = BrainState()
        let a = try one.hello(Self.hello(), tokenHash: "h", now: Time.start).get().agent.agentID
        let b = try two.hello(Self.hello(), tokenHash: "other", now: Time.start).get().agent.agentID
        #expect(a == b)
        #expect(DeterministicID.make("agent", "proj", "alpha", String(Time.start)) == a)
        #expect(DeterministicID.make("ab", "c") != DeterministicID.make("a", "bc"))
    }
}

/// The hello rules that used to live in the server, now commands of BrainCore.
struct HelloCommandTests {
    @Test("a connection that said hello as one agent cannot say hello as another; again as itself is fine")
    func reHelloOnAConnection() throws {
        var state = BrainState()
        guard case .hello(.success(let first)) = state.apply(.hello(Hello(agentName: "a"), tokenHash: "h", connection: nil), now: Time.start)
        else {
            Issue.record("first hello refused")
            return
        }
        let other = state.apply(.hello(Hello(agentName: "b"), tokenHash: "h2", connection: first.agent.agentID), now: Time.start)
        guard case .hello(.failure(let error)) = other else {
            Issue.record("a second agent on one connection was let in: \(other)")
            return
        }
        #expect(error.code == .failedPrecondition)
        #expect(state.agent(named: "b", project: "default") == nil, "nothing registered")
        #expect(!other.changedState, "a refused hello is not journalled")
        // The default project is the rule's too: "" and "default" are the same agent.
        let again = state.apply(
            .hello(Hello(agentName: "a", project: "default"), tokenHash: "h", connection: first.agent.agentID), now: Time.start + 1
        )
        guard case .hello(.success(let second)) = again else {
            Issue.record("re-hello as the same agent refused: \(again)")
            return
        }
        #expect(second.agent.agentID == first.agent.agentID)
        #expect(second.agent.connections == 1, "a re-hello replaces its connection, it does not add one")
    }

    @Test(
        "which outcomes the journal keeps",
        arguments: [
            (CommandOutcome.event(.applied), true), (.event(.duplicate), false), (.event(.rejected(BrainError(.notFound, "x"))), true),
            (.run(.failure(BrainError(.notFound, "x"))), false), (.agent(.failure(BrainError(.alreadyExists, "x"))), false), (.done, true),
        ])
    func changedState(_ outcome: CommandOutcome, _ journalled: Bool) {
        #expect(outcome.changedState == journalled)
    }

    @Test("liveness commands are never journalled; every other command is")
    func journalledCommands() {
        #expect(!BrainCommand.signOfLife(agentID: "a").isJournalled)
        #expect(!BrainCommand.disconnected(agentID: "a").isJournalled)
        #expect(!BrainCommand.restarted.isJournalled)
        #expect(BrainCommand.pruneErrors.isJournalled)
        #expect(BrainCommand.deleteRun(runID: "r").isJournalled)
        #expect(BrainCommand.timeouts(Timeouts()).isJournalled)
    }
}

/// Seed 002: `token_hash` is unique; an empty token ("no token") may be shared.
struct TokenUniquenessTests {
    @Test("a new agent presenting another agent's token is ALREADY_EXISTS and nothing is registered")
    func aTokenBelongsToOneAgent() throws {
        var state = BrainState()
        _ = try state.hello(Hello(agentName: "a"), tokenHash: "shared", now: Time.start).get()
        let error = state.hello(Hello(agentName: "b"), tokenHash: "shared", now: Time.start).failure
        #expect(error?.code == .alreadyExists)
        #expect(error?.message.contains("agent \"a\"") == true)
        #expect(state.agent(named: "b", project: "default") == nil)
        #expect(state.createAgent(name: "c", project: "p", tokenHash: "shared", now: Time.start).failure?.code == .alreadyExists)
        // The owner itself still gets in with it.
        #expect(state.hello(Hello(agentName: "a"), tokenHash: "shared", now: Time.start + 1).failure == nil)
    }

    @Test("agents without a token (the configured no-token hash) may be many")
    func noTokenIsShared() throws {
        var configuration = CoreConfiguration()
        configuration.noTokenHash = "empty"
        var state = BrainState(configuration: configuration)
        for name in ["a", "b", "c"] {
            #expect(state.hello(Hello(agentName: name), tokenHash: "empty", now: Time.start).failure == nil)
        }
        #expect(state.agents.count == 3)
    }
}
