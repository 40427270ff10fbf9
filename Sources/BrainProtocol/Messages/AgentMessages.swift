/// The first message of an agent connection.
public struct Hello: Hashable, Sendable {
    public var agentName: String
    /// "" means the default project.
    public var project: String
    public var token: String
    public var protocolVersion: UInt32
    public var frameworkAdapter: String
    public var engineAdapters: [String]
    public var schedulerAdapters: [String]
    /// JSON text, "" for none.
    public var capabilitiesJSON: String
    /// JSON text, "" for none.
    public var metadataJSON: String

    public init(
        agentName: String, project: String = "", token: String = "", protocolVersion: UInt32 = WireConstants.protocolVersion,
        frameworkAdapter: String = "", engineAdapters: [String] = [], schedulerAdapters: [String] = [],
        capabilitiesJSON: String = "", metadataJSON: String = ""
    ) {
        self.agentName = agentName
        self.project = project
        self.token = token
        self.protocolVersion = protocolVersion
        self.frameworkAdapter = frameworkAdapter
        self.engineAdapters = engineAdapters
        self.schedulerAdapters = schedulerAdapters
        self.capabilitiesJSON = capabilitiesJSON
        self.metadataJSON = metadataJSON
    }
}

/// The brain's answer to a successful ``Hello``.
public struct Welcome: Hashable, Sendable {
    public var agentID: String
    public var heartbeatIntervalMs: UInt32
    public var heartbeatTimeoutMs: UInt32
    /// The highest event sequence the brain holds from this agent.
    public var lastSeq: UInt64
    public var registered: Bool
    public var protocolVersion: UInt32
    public var project: String

    public init(
        agentID: String, heartbeatIntervalMs: UInt32, heartbeatTimeoutMs: UInt32, lastSeq: UInt64,
        registered: Bool, protocolVersion: UInt32, project: String
    ) {
        self.agentID = agentID
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.heartbeatTimeoutMs = heartbeatTimeoutMs
        self.lastSeq = lastSeq
        self.registered = registered
        self.protocolVersion = protocolVersion
        self.project = project
    }
}

/// Whether an agent is currently connected and heard from.
public enum AgentState: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unknown = 0
    case online = 1
    case offline = 2

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .online: "online"
        case .offline: "offline"
        }
    }
}

/// An agent as clients see it.
public struct AgentInfo: Hashable, Sendable {
    public var agentID: String = ""
    public var name: String = ""
    public var project: String = ""
    public var state: AgentState = .unknown
    public var protocolVersion: UInt32 = 0
    public var frameworkAdapter: String = ""
    public var engineAdapters: [String] = []
    public var schedulerAdapters: [String] = []
    public var capabilitiesJSON: String = ""
    public var metadataJSON: String = ""
    public var lastSeenAt: Int64 = 0
    public var lastConnectAt: Int64 = 0
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    public var lastSeq: UInt64 = 0

    public init() {}
}

/// Counts of agents by state.
public struct AgentCounts: Hashable, Sendable {
    public var online: UInt32 = 0
    public var offline: UInt32 = 0
    public var unknown: UInt32 = 0
    public init(online: UInt32 = 0, offline: UInt32 = 0, unknown: UInt32 = 0) {
        self.online = online
        self.offline = offline
        self.unknown = unknown
    }
}

/// Protocol-level constants shared by every peer.
public enum WireConstants {
    /// The agent protocol version this build speaks.
    public static let protocolVersion: UInt32 = 1
    /// Every protocol version this brain accepts in a hello.
    public static let supportedProtocolVersions: [UInt32] = [1]
    /// NIO and Linux limit: a Unix socket path must be shorter than this many bytes.
    public static let maxSocketPathBytes = 104
    /// Default largest frame accepted, in bytes.
    public static let defaultMaxFrameBytes = 4 * 1024 * 1024
}
