public import BrainProtocol

/// A run of an agent with a goal (seeds 000, 003's pipeline_runs, 004).
public struct Run: Hashable, Sendable, Codable {
    /// Internal key: the run's position in the brain's run table. Never sent to clients.
    public var key: Int
    public var runID: String
    public var agentID: String
    public var agentName: String
    public var project: String
    public var status: RunStatus
    public var goal: String
    public var targetURL: String
    public var initiatedBy: String
    public var runType: String
    public var workflowJSON: String
    public var inputJSON: String
    public var metadataJSON: String
    public var parentRunID: String
    public var timeoutMs: UInt64
    public var resultJSON: String = ""
    public var errorType: String = ""
    public var errorMessage: String = ""
    public var failedAtStep: UInt32 = 0
    public var errorContextJSON: String = ""
    public var createdAt: Int64
    public var updatedAt: Int64
    public var completedAt: Int64 = 0
    public var deletedAt: Int64 = 0
    /// Steps ordered by seq (they may arrive out of order).
    public var steps: [Step] = []
    /// Child runs' ids, in creation order.
    public var childRunIDs: [String] = []

    enum CodingKeys: String, CodingKey {
        case key
        case runID = "run_id"
        case agentID = "agent_id"
        case agentName = "agent_name"
        case project, status, goal
        case targetURL = "target_url"
        case initiatedBy = "initiated_by"
        case runType = "run_type"
        case workflowJSON = "workflow"
        case inputJSON = "input"
        case metadataJSON = "metadata"
        case parentRunID = "parent_run_id"
        case timeoutMs = "timeout_ms"
        case resultJSON = "result"
        case errorType = "error_type"
        case errorMessage = "error_message"
        case failedAtStep = "failed_at_step"
        case errorContextJSON = "error_context"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case completedAt = "completed_at"
        case deletedAt = "deleted_at"
        case steps
        case childRunIDs = "child_run_ids"
    }

    public init(key: Int, runID: String, agent: Agent, created: RunCreated, status: RunStatus, now: Int64) {
        self.key = key
        self.runID = runID
        agentID = agent.agentID
        agentName = agent.name
        project = agent.project
        self.status = status
        goal = created.goal
        targetURL = created.targetURL
        initiatedBy = created.initiatedBy
        runType = created.runType
        workflowJSON = created.workflowJSON
        inputJSON = created.inputJSON
        metadataJSON = created.metadataJSON
        parentRunID = created.parentRunID
        timeoutMs = created.timeoutMs
        createdAt = created.createdAt != 0 ? created.createdAt : now
        updatedAt = now
    }

    public var isDeleted: Bool { deletedAt != 0 }

    /// The index in ``steps`` of the step with `seq`, or where it would be inserted.
    public func stepIndex(seq: UInt32) -> (index: Int, found: Bool) {
        // Steps nearly always arrive in order: check the end first.
        if let last = steps.last {
            if last.seq < seq { return (steps.count, false) }
            if last.seq == seq { return (steps.count - 1, true) }
        } else {
            return (0, false)
        }
        var low = 0
        var high = steps.count
        while low < high {
            let mid = (low + high) / 2
            if steps[mid].seq < seq { low = mid + 1 } else { high = mid }
        }
        return (low, low < steps.count && steps[low].seq == seq)
    }

    /// The run as clients see it.
    public var info: RunInfo {
        var info = RunInfo()
        info.runID = runID
        info.agentID = agentID
        info.agentName = agentName
        info.project = project
        info.status = status
        info.goal = goal
        info.targetURL = targetURL
        info.initiatedBy = initiatedBy
        info.runType = runType
        info.workflowJSON = workflowJSON
        info.inputJSON = inputJSON
        info.metadataJSON = metadataJSON
        info.parentRunID = parentRunID
        info.timeoutMs = timeoutMs
        info.stepCount = UInt32(steps.count)
        info.resultJSON = resultJSON
        info.errorType = errorType
        info.errorMessage = errorMessage
        info.failedAtStep = failedAtStep
        info.errorContextJSON = errorContextJSON
        info.createdAt = createdAt
        info.updatedAt = updatedAt
        info.completedAt = completedAt
        info.deletedAt = deletedAt
        return info
    }
}
