import BrainProtocol

/// Message values with every field set to something other than its default, so a codec
/// that drops or mangles a field cannot pass a round trip by accident.
enum WireFixtures {
    static let runID = "123e4567-e89b-12d3-a456-426614174000"
    static let childRunID = "0b6f3a1e-5c2d-4e8f-9a7b-1c2d3e4f5a6b"
    static let unicode = "Grüße 🧠 — 日本語 ✓"
    /// Nanoseconds around 2023; large enough to need every varint byte group.
    static let time: Int64 = 1_700_000_000_123_456_789

    static var hello: Hello {
        Hello(
            agentName: "agent-\(unicode)", project: "projet-é", token: "tok-\u{1F511}-secret", protocolVersion: 7,
            frameworkAdapter: "langgraph", engineAdapters: ["playwright", "", "selenium-ü"],
            schedulerAdapters: ["cron", "temporal"], capabilitiesJSON: "{\"browsers\":[\"chromium\"],\"max\":3}",
            metadataJSON: "{\"host\":\"büro-1\"}"
        )
    }

    static var runCreated: RunCreated {
        var created = RunCreated(runID: runID, goal: "Find the 🧠 price")
        created.targetURL = "https://example.com/ü?q=1#frag"
        created.initiatedBy = "user:zoë"
        created.runType = "scrape"
        created.workflowJSON = "{\"steps\":[\"open\",\"read\"]}"
        created.inputJSON = "{\"query\":\"日本\"}"
        created.metadataJSON = "{\"priority\":1}"
        created.parentRunID = childRunID
        created.timeoutMs = UInt64.max
        created.initialStatus = .running
        created.createdAt = -time
        return created
    }

    static var runStatusChanged: RunStatusChanged {
        var change = RunStatusChanged(runID: runID, status: .failed)
        change.resultJSON = "{\"partial\":true}"
        change.errorType = "TimeoutError"
        change.errorMessage = "page took too long — \(unicode)"
        change.failedAtStep = UInt32.max
        change.errorContextJSON = "{\"url\":\"https://example.com\"}"
        change.at = Int64.max
        return change
    }

    static var stepReported: StepReported {
        var step = StepReported(runID: runID, seq: 42, stepName: "click «buy»", status: .error)
        step.inputJSON = "{\"selector\":\"#buy\"}"
        step.outputJSON = "[1,2,3]"
        step.error = "element not found: \(unicode)"
        step.durationMs = 1_234_567_890_123
        step.startedAt = Int64.min
        return step
    }

    static var runInfo: RunInfo {
        var run = RunInfo()
        run.runID = runID
        run.agentID = "9d1c0f5e-0000-8000-8000-000000000001"
        run.agentName = "agent-\(unicode)"
        run.project = "projet-é"
        run.status = .persisting
        run.goal = "Find the 🧠 price"
        run.targetURL = "https://example.com/"
        run.initiatedBy = "cron"
        run.runType = "scrape"
        run.workflowJSON = "{\"w\":1}"
        run.inputJSON = "{\"i\":2}"
        run.metadataJSON = "{\"m\":3}"
        run.parentRunID = childRunID
        run.timeoutMs = 60_000
        run.stepCount = 17
        run.resultJSON = "{\"r\":4}"
        run.errorType = "E"
        run.errorMessage = "boom ✗"
        run.failedAtStep = 16
        run.errorContextJSON = "{\"c\":5}"
        run.createdAt = time
        run.updatedAt = time + 1
        run.completedAt = time + 2
        run.deletedAt = time + 3
        return run
    }

    static func stepInfo(seq: UInt32) -> StepInfo {
        var step = StepInfo()
        step.runID = runID
        step.seq = seq
        step.stepName = "step-\(seq)-\(unicode)"
        step.status = .skip
        step.inputJSON = "{\"n\":\(seq)}"
        step.outputJSON = "\"ok\""
        step.error = "warn \(seq)"
        step.durationMs = UInt64(seq) * 1_000
        step.startedAt = time + Int64(seq)
        step.receivedAt = time + Int64(seq) + 5
        return step
    }

    static func agentInfo(_ name: String, state: AgentState) -> AgentInfo {
        var agent = AgentInfo()
        agent.agentID = "agent-id-\(name)"
        agent.name = name
        agent.project = "projet-é"
        agent.state = state
        agent.protocolVersion = 1
        agent.frameworkAdapter = "crewai"
        agent.engineAdapters = ["playwright", "puppeteer"]
        agent.schedulerAdapters = ["cron"]
        agent.capabilitiesJSON = "{\"gpu\":false}"
        agent.metadataJSON = "{\"os\":\"linux\"}"
        agent.lastSeenAt = time
        agent.lastConnectAt = time - 10
        agent.createdAt = time - 1_000
        agent.updatedAt = time - 5
        agent.lastSeq = UInt64.max
        return agent
    }

    static var runCounts: RunCounts {
        var counts = RunCounts()
        counts.queued = 1
        counts.running = 2
        counts.persisting = 3
        counts.completed = 4_000_000
        counts.failed = 5
        counts.abandoned = UInt32.max
        return counts
    }

    static var persistenceError: PersistenceErrorInfo {
        var row = PersistenceErrorInfo()
        row.errorID = "e-1"
        row.runID = runID
        row.phase = "create_step"
        row.project = "projet-é"
        row.errorType = "ConflictError"
        row.errorMessage = "step 3 differs — \(unicode)"
        row.stack = "agent a (id) event"
        row.payloadJSON = "{\"seq\":\"3\"}"
        row.createdAt = time
        row.deletedAt = time + 9
        row.agentName = "agent-ü"
        return row
    }
}
