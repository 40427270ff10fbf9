import BrainProtocol

/// A run of an agent with a goal (seeds 000, 003's pipeline_runs, 004).
package struct Run: Hashable, Sendable, Codable {
    /// Internal key: the run's position in the brain's run table; it moves when retention
    /// removes older runs. Never sent to clients.
    package var key: Int
    /// The run's number in the order of creation, never reused and never moved: list cursors
    /// name it (``BrainState/nextRunSerial``). Snapshots written before it give each run its position.
    package var serial: Int
    package var runID: String
    package var agentID: String
    package var agentName: String
    package var project: String
    package var status: RunStatus
    package var goal: String
    package var targetURL: String
    package var initiatedBy: String
    package var runType: String
    package var workflowJSON: String
    package var inputJSON: String
    package var metadataJSON: String
    package var parentRunID: String
    package var timeoutMs: UInt64
    package var resultJSON: String = ""
    package var errorType: String = ""
    package var errorMessage: String = ""
    package var failedAtStep: UInt32 = 0
    package var errorContextJSON: String = ""
    package var createdAt: Int64
    package var updatedAt: Int64
    package var completedAt: Int64 = 0
    package var deletedAt: Int64 = 0
    /// Steps ordered by seq (they may arrive out of order).
    package var steps: [Step] = []
    /// Child runs' ids, in creation order.
    package var childRunIDs: [String] = []

    enum CodingKeys: String, CodingKey {
        case key, serial
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

    package init(key: Int, runID: String, agent: Agent, created: RunCreated, status: RunStatus, now: Int64) {
        self.key = key
        serial = key
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

    package var isDeleted: Bool { deletedAt != 0 }

    /// The index in ``steps`` of the step with `seq`, or where it would be inserted.
    package func stepIndex(seq: UInt32) -> (index: Int, found: Bool) {
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
    package var info: RunInfo {
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
