import BrainProtocol

/// A row of the persistence-error sink (seed 001): something the brain could not apply.
package struct PersistenceErrorRecord: Hashable, Sendable, Codable {
    /// Position in the sink's history; orders rows and pages.
    package var serial: UInt64
    package var errorID: String
    package var runID: String
    package var phase: String
    /// "" when the failure came before the project was known.
    package var project: String
    package var agentName: String
    package var errorType: String
    package var errorMessage: String
    package var stack: String
    package var payloadJSON: String
    package var createdAt: Int64
    package var deletedAt: Int64 = 0

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

    package var info: PersistenceErrorInfo {
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
package enum PersistencePhase {
    package static let upsertRun = "upsert_run"
    package static let incrementStep = "increment_step"
    package static let createStep = "create_step"
    package static let updateRunTerminal = "update_run_terminal"
    package static let persistStep = "persist_step"
    package static let handler = "handler"
    package static let snapshot = "snapshot"
    /// Every phase, in the order the docs list them.
    package static let all = [
        upsertRun, createStep, persistStep, incrementStep, updateRunTerminal, handler, snapshot, upsertTask, upsertSchedule, agentCommand,
    ]
    // No journal phase: a journal fault cannot be journalled; it is answered UNAVAILABLE and
    // shown by `brainctl status` instead.
}
