public import BrainProtocol

/// A row of the persistence-error sink (seed 001): something the brain could not apply.
public struct PersistenceErrorRecord: Hashable, Sendable, Codable {
    /// Position in the sink's history; orders rows and pages.
    public var serial: UInt64
    public var errorID: String
    public var runID: String
    public var phase: String
    /// "" when the failure came before the project was known.
    public var project: String
    public var agentName: String
    public var errorType: String
    public var errorMessage: String
    public var stack: String
    public var payloadJSON: String
    public var createdAt: Int64
    public var deletedAt: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case serial
        case errorID = "error_id"
        case runID = "run_id"
        case phase, project
        case agentName = "agent_name"
        case errorType = "error_type"
        case errorMessage = "error_message"
        case stack
        case payloadJSON = "payload"
        case createdAt = "created_at"
        case deletedAt = "deleted_at"
    }

    public var info: PersistenceErrorInfo {
        var info = PersistenceErrorInfo()
        info.errorID = errorID
        info.runID = runID
        info.phase = phase
        info.project = project
        info.agentName = agentName
        info.errorType = errorType
        info.errorMessage = errorMessage
        info.stack = stack
        info.payloadJSON = payloadJSON
        info.createdAt = createdAt
        info.deletedAt = deletedAt
        return info
    }
}

/// The phases a persistence error is recorded under (seed 001's vocabulary plus the brain's own).
public enum PersistencePhase {
    public static let upsertRun = "upsert_run"
    public static let incrementStep = "increment_step"
    public static let createStep = "create_step"
    public static let updateRunTerminal = "update_run_terminal"
    public static let persistStep = "persist_step"
    public static let handler = "handler"
    public static let snapshot = "snapshot"
    /// Every phase, in the order the docs list them.
    public static let all = [upsertRun, createStep, persistStep, incrementStep, updateRunTerminal, handler, snapshot, upsertTask]
    // No journal phase: a journal fault cannot be journalled; it is answered UNAVAILABLE and
    // shown by `brainctl status` instead.
}
