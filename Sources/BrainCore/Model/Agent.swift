import BrainProtocol

/// An agent known to the brain (seed 002's agents table).
package struct Agent: Hashable, Sendable, Codable {
    package var agentID: String
    package var name: String
    package var project: String
    /// Hex HMAC-SHA256 of the token; the token itself is never kept.
    package var tokenHash: String
    package var protocolVersion: UInt32
    package var frameworkAdapter: String
    package var engineAdapters: [String]
    package var schedulerAdapters: [String]
    package var capabilitiesJSON: String
    package var metadataJSON: String
    package var state: AgentState
    package var lastSeenAt: Int64
    package var lastConnectAt: Int64
    package var createdAt: Int64
    package var updatedAt: Int64
    /// The highest event sequence handled from this agent.
    package var lastSeq: UInt64
    /// Open connections that said hello as this agent (not persisted meaningfully: reset on load).
    package var connections: Int
    /// When the agent became unknown (at a restart); the timeout runs from here.
    package var unknownSince: Int64

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case name, project
        case tokenHash = "token_hash"
        case protocolVersion = "protocol_version"
        case frameworkAdapter = "framework_adapter"
        case engineAdapters = "engine_adapters"
        case schedulerAdapters = "scheduler_adapters"
        case capabilitiesJSON = "capabilities_json"
        case metadataJSON = "metadata_json"
        case state
        case lastSeenAt = "last_seen_at"
        case lastConnectAt = "last_connect_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastSeq = "last_seq"
        case connections
        case unknownSince = "unknown_since"
    }

    /// The agent as clients see it.
    package var info: AgentInfo {
        var info = AgentInfo()
        info.agentID = agentID
        info.name = name
        info.project = project
        info.state = state
        info.protocolVersion = protocolVersion
        info.frameworkAdapter = frameworkAdapter
        info.engineAdapters = engineAdapters
        info.schedulerAdapters = schedulerAdapters
        info.capabilitiesJSON = capabilitiesJSON
        info.metadataJSON = metadataJSON
        info.lastSeenAt = lastSeenAt
        info.lastConnectAt = lastConnectAt
        info.createdAt = createdAt
        info.updatedAt = updatedAt
        info.lastSeq = lastSeq
        return info
    }
}
