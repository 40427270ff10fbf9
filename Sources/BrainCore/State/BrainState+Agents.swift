import BrainProtocol

extension BrainState {
    /// An agent says hello: register it (trust on first use) or check its token, and mark it online.
    ///
    /// - Parameters:
    ///   - tokenHash: the HMAC of the presented token, computed by the caller under the brain's key.
    ///   - connection: the agent this connection already said hello as, if any: saying hello
    ///     again as the same agent is allowed (a client re-greeting), as another is not.
    /// - Returns: the agent and whether this hello registered it.
    @usableFromInline
    mutating func hello(_ hello: Hello, tokenHash: String, connection: String? = nil, now: Int64) -> Result<HelloResult, BrainError> {
        let project = hello.project.isEmpty ? "default" : hello.project
        if let connection, let current = agents[connection], current.name != hello.agentName || current.project != project {
            return .failure(
                BrainError(
                    .failedPrecondition, "this connection already said hello as \(current.name); open a new connection for another agent"
                ))
        }
        guard configuration.supportsProtocol(hello.protocolVersion) else {
            let supported = WireConstants.supportedProtocolVersions.map(String.init).joined(separator: ", ")
            return .failure(
                BrainError(
                    .failedPrecondition,
                    "protocol version \(hello.protocolVersion) is not supported; this brain speaks version \(supported)"
                ))
        }
        if let problem = validateName(hello.agentName, what: "agent name") ?? validateName(project, what: "project") {
            return .failure(BrainError(.invalidArgument, problem))
        }
        for (json, field) in [(hello.capabilitiesJSON, "capabilities"), (hello.metadataJSON, "metadata")] where !json.isEmpty {
            if let problem = JSONValidator.problem(in: json) {
                return .failure(BrainError(.invalidArgument, "hello \(field) is not valid JSON: \(problem)"))
            }
        }
        var registered = false
        var agent: Agent
        if let existing = self.agent(named: hello.agentName, project: project) {
            guard constantTimeEqual(existing.tokenHash, tokenHash) else {
                return .failure(
                    BrainError(
                        .unauthenticated,
                        "wrong token for agent \"\(hello.agentName)\" in project \"\(project)\"; use the token it was registered with"
                    ))
            }
            agent = existing
        } else {
            guard !configuration.requireRegisteredAgents else {
                return .failure(
                    BrainError(
                        .permissionDenied,
                        "agent \"\(hello.agentName)\" is not registered in project \"\(project)\" and this brain requires registration; create it with `brainctl agent create \(hello.agentName) --project \(project)`"
                    ))
            }
            if let owner = tokenOwner(tokenHash) {
                return .failure(
                    BrainError(
                        .alreadyExists,
                        "this token is already registered to agent \"\(owner.name)\" in project \"\(owner.project)\"; give every agent a token of its own (brainctl agent create issues one)"
                    ))
            }
            agent = Self.newAgent(name: hello.agentName, project: project, tokenHash: tokenHash, now: now)
            registered = true
        }
        agent.protocolVersion = hello.protocolVersion
        agent.frameworkAdapter = hello.frameworkAdapter
        agent.engineAdapters = hello.engineAdapters
        agent.schedulerAdapters = hello.schedulerAdapters
        agent.capabilitiesJSON = hello.capabilitiesJSON
        agent.metadataJSON = hello.metadataJSON
        agent.state = .online
        agent.lastSeenAt = now
        agent.lastConnectAt = now
        agent.updatedAt = now
        // A re-hello on the same connection replaces its connection, not adds one.
        if connection == nil { agent.connections += 1 }
        store(agent)
        note(.agent(agent.info))
        return .success(HelloResult(agent: agent, registered: registered))
    }

    /// `brainctl agent create`: registers an agent ahead of its first hello.
    @usableFromInline
    mutating func createAgent(name: String, project: String, tokenHash: String, now: Int64) -> Result<Agent, BrainError> {
        let project = project.isEmpty ? "default" : project
        if let problem = validateName(name, what: "agent name") ?? validateName(project, what: "project") {
            return .failure(BrainError(.invalidArgument, problem))
        }
        guard self.agent(named: name, project: project) == nil else {
            return .failure(BrainError(.alreadyExists, "agent \"\(name)\" already exists in project \"\(project)\""))
        }
        if tokenOwner(tokenHash) != nil {
            return .failure(BrainError(.alreadyExists, "the new token collides with another agent's; create the agent again"))
        }
        let agent = Self.newAgent(name: name, project: project, tokenHash: tokenHash, now: now)
        store(agent)
        note(.agent(agent.info))
        return .success(agent)
    }

    /// Any frame from an agent's connection is a sign of life.
    @usableFromInline
    mutating func signOfLife(agentID: String, now: Int64) {
        guard var agent = agents[agentID] else { return }
        agent.lastSeenAt = now
        if agent.state != .online {
            agent.state = .online
            agent.updatedAt = now
            note(.agent(agent.info))
        }
        agents[agentID] = agent
    }

    /// An agent's connection closed. It stays online until its timeout passes without a reconnect.
    @usableFromInline
    mutating func disconnected(agentID: String, now: Int64) {
        guard var agent = agents[agentID] else { return }
        agent.connections = max(0, agent.connections - 1)
        agents[agentID] = agent
    }

    /// After a restart nobody is connected: every agent is unknown until it says hello or
    /// the heartbeat timeout passes.
    @usableFromInline
    mutating func markAllUnknown(now: Int64) {
        for id in agents.keys {
            agents[id]?.state = .unknown
            agents[id]?.connections = 0
            agents[id]?.unknownSince = now
        }
    }

    /// What is due at `now`: agents silent past the timeout and runs past their deadline.
    package func dueTimeouts(now: Int64) -> Timeouts {
        let timeout = configuration.heartbeatTimeoutNs
        var agentIDs: [String] = []
        for agent in agents.values {
            switch agent.state {
            case .online where now - agent.lastSeenAt > timeout: agentIDs.append(agent.agentID)
            case .unknown where now - agent.unknownSince > timeout: agentIDs.append(agent.agentID)
            default: break
            }
        }
        let runIDs = runDeadlines.filter { $0.value <= now }.keys.sorted().map { runs[$0].runID }
        return Timeouts(agentIDs: agentIDs.sorted(), runIDs: runIDs)
    }

    /// Applies timeouts found by ``dueTimeouts(now:)``: the agents go offline (abandoning
    /// their runs) and the runs are abandoned. Journaled as is, so replay needs no clock.
    @usableFromInline
    mutating func applyTimeouts(_ timeouts: Timeouts, now: Int64) {
        for id in timeouts.agentIDs {
            guard agents[id] != nil, agents[id]?.state != .offline else { continue }
            agents[id]?.state = .offline
            agents[id]?.updatedAt = now
            if let agent = agents[id] { note(.agent(agent.info)) }
            abandonOpenRuns(ofAgent: id, now: now)
        }
        for runID in timeouts.runIDs {
            guard let key = runKey(runID) else { continue }
            abandon(key: key, errorType: "timeout", message: "run exceeded its timeout of \(runs[key].timeoutMs) ms", now: now)
        }
    }

    /// Time passes: silent agents go offline (abandoning their runs) and runs past their
    /// deadline are abandoned. Returns what timed out.
    @discardableResult
    mutating func tick(now: Int64) -> Timeouts {
        let due = dueTimeouts(now: now)
        if !due.isEmpty { applyTimeouts(due, now: now) }
        return due
    }

    /// The agent that holds `tokenHash`, unless it is the shared "no token" hash.
    func tokenOwner(_ tokenHash: String) -> Agent? {
        guard tokenHash != configuration.noTokenHash else { return nil }
        return agents.values.first { $0.tokenHash == tokenHash }
    }

    func validateName(_ name: String, what: String) -> String? {
        if name.isEmpty { return "\(what) is empty" }
        if name.count > configuration.maxNameLength {
            return "\(what) is \(name.count) characters; the limit is \(configuration.maxNameLength)"
        }
        return nil
    }

    private mutating func store(_ agent: Agent) {
        agents[agent.agentID] = agent
        agentIDsByName[Self.nameKey(project: agent.project, name: agent.name)] = agent.agentID
    }

    private static func newAgent(name: String, project: String, tokenHash: String, now: Int64) -> Agent {
        Agent(
            agentID: DeterministicID.make("agent", project, name, String(now)), name: name, project: project,
            tokenHash: tokenHash, protocolVersion: 0, frameworkAdapter: "", engineAdapters: [], schedulerAdapters: [],
            capabilitiesJSON: "", metadataJSON: "", state: .unknown, lastSeenAt: 0, lastConnectAt: 0, createdAt: now,
            updatedAt: now, lastSeq: 0, connections: 0, unknownSince: now
        )
    }
}

extension CoreConfiguration {
    func supportsProtocol(_ version: UInt32) -> Bool { WireConstants.supportedProtocolVersions.contains(version) }
}

/// Compares two hashes in time independent of where they differ.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in 0..<x.count { difference |= x[index] ^ y[index] }
    return difference == 0
}
