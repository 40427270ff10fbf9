import BrainProtocol

/// The state's JSON shape, used by snapshots: the records only; indexes are rebuilt on load.
extension BrainState: Codable {
    enum CodingKeys: String, CodingKey {
        case agents, runs, persistenceErrors = "persistence_errors", errorSerial = "error_serial"
        case eventsHandled = "events_handled", runDeadlines = "run_deadlines"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        let agentList = try container.decode([Agent].self, forKey: .agents)
        for agent in agentList {
            agents[agent.agentID] = agent
            agentIDsByName[Self.nameKey(project: agent.project, name: agent.name)] = agent.agentID
        }
        runs = try container.decode([Run].self, forKey: .runs)
        for (index, run) in runs.enumerated() {
            guard run.key == index else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: [CodingKeys.runs], debugDescription: "run \(run.runID) has key \(run.key) at position \(index)"
                ))
            }
            if let runKey = RunKey(run.runID) { runKeys[runKey] = index }
            stepCount += UInt64(run.steps.count)
            if !run.status.isTerminal { openRunsByAgent[run.agentID, default: []].insert(index) }
        }
        let deadlines = try container.decode([String: Int64].self, forKey: .runDeadlines)
        for (key, deadline) in deadlines { if let key = Int(key) { runDeadlines[key] = deadline } }
        persistenceErrors = try container.decode([PersistenceErrorRecord].self, forKey: .persistenceErrors)
        errorSerial = try container.decode(UInt64.self, forKey: .errorSerial)
        eventsHandled = try container.decode(UInt64.self, forKey: .eventsHandled)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agents.values.sorted { $0.agentID < $1.agentID }, forKey: .agents)
        try container.encode(runs, forKey: .runs)
        try container.encode(
            Dictionary(uniqueKeysWithValues: runDeadlines.map { (String($0.key), $0.value) }), forKey: .runDeadlines
        )
        try container.encode(persistenceErrors, forKey: .persistenceErrors)
        try container.encode(errorSerial, forKey: .errorSerial)
        try container.encode(eventsHandled, forKey: .eventsHandled)
    }
}
