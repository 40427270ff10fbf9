internal import CBrainWire

extension RunCreated {
    init(_ c: Brain__V1__RunCreated) {
        self.init(runID: swiftString(c.run_id), goal: swiftString(c.goal))
        targetURL = swiftString(c.target_url)
        initiatedBy = swiftString(c.initiated_by)
        runType = swiftString(c.run_type)
        workflowJSON = swiftString(c.workflow_json)
        inputJSON = swiftString(c.input_json)
        metadataJSON = swiftString(c.metadata_json)
        parentRunID = swiftString(c.parent_run_id)
        timeoutMs = c.timeout_ms
        initialStatus = RunStatus(c.initial_status)
        createdAt = c.created_at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunCreated> {
        let m = arena.message(brain__v1__run_created__init)
        arena.set(&m.pointee.run_id, runID)
        arena.set(&m.pointee.goal, goal)
        arena.set(&m.pointee.target_url, targetURL)
        arena.set(&m.pointee.initiated_by, initiatedBy)
        arena.set(&m.pointee.run_type, runType)
        arena.set(&m.pointee.workflow_json, workflowJSON)
        arena.set(&m.pointee.input_json, inputJSON)
        arena.set(&m.pointee.metadata_json, metadataJSON)
        arena.set(&m.pointee.parent_run_id, parentRunID)
        m.pointee.timeout_ms = timeoutMs
        m.pointee.initial_status = initialStatus.c
        m.pointee.created_at = createdAt
        return m
    }
}

extension RunStatusChanged {
    init(_ c: Brain__V1__RunStatusChanged) {
        self.init(runID: swiftString(c.run_id), status: RunStatus(c.status))
        resultJSON = swiftString(c.result_json)
        errorType = swiftString(c.error_type)
        errorMessage = swiftString(c.error_message)
        failedAtStep = c.failed_at_step
        errorContextJSON = swiftString(c.error_context_json)
        at = c.at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunStatusChanged> {
        let m = arena.message(brain__v1__run_status_changed__init)
        arena.set(&m.pointee.run_id, runID)
        m.pointee.status = status.c
        arena.set(&m.pointee.result_json, resultJSON)
        arena.set(&m.pointee.error_type, errorType)
        arena.set(&m.pointee.error_message, errorMessage)
        m.pointee.failed_at_step = failedAtStep
        arena.set(&m.pointee.error_context_json, errorContextJSON)
        m.pointee.at = at
        return m
    }
}

extension StepReported {
    init(_ c: Brain__V1__StepReported) {
        self.init(runID: swiftString(c.run_id), seq: c.seq, stepName: swiftString(c.step_name), status: StepStatus(c.status))
        inputJSON = swiftString(c.input_json)
        outputJSON = swiftString(c.output_json)
        error = swiftString(c.error)
        durationMs = c.duration_ms
        startedAt = c.started_at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__StepReported> {
        let m = arena.message(brain__v1__step_reported__init)
        arena.set(&m.pointee.run_id, runID)
        m.pointee.seq = seq
        arena.set(&m.pointee.step_name, stepName)
        m.pointee.status = status.c
        arena.set(&m.pointee.input_json, inputJSON)
        arena.set(&m.pointee.output_json, outputJSON)
        arena.set(&m.pointee.error, error)
        m.pointee.duration_ms = durationMs
        m.pointee.started_at = startedAt
        return m
    }
}

extension RunInfo {
    init(_ c: Brain__V1__RunInfo) {
        self.init()
        runID = swiftString(c.run_id)
        agentID = swiftString(c.agent_id)
        agentName = swiftString(c.agent_name)
        project = swiftString(c.project)
        status = RunStatus(c.status)
        goal = swiftString(c.goal)
        targetURL = swiftString(c.target_url)
        initiatedBy = swiftString(c.initiated_by)
        runType = swiftString(c.run_type)
        workflowJSON = swiftString(c.workflow_json)
        inputJSON = swiftString(c.input_json)
        metadataJSON = swiftString(c.metadata_json)
        parentRunID = swiftString(c.parent_run_id)
        timeoutMs = c.timeout_ms
        stepCount = c.step_count
        resultJSON = swiftString(c.result_json)
        errorType = swiftString(c.error_type)
        errorMessage = swiftString(c.error_message)
        failedAtStep = c.failed_at_step
        errorContextJSON = swiftString(c.error_context_json)
        createdAt = c.created_at
        updatedAt = c.updated_at
        completedAt = c.completed_at
        deletedAt = c.deleted_at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunInfo> {
        let m = arena.message(brain__v1__run_info__init)
        arena.set(&m.pointee.run_id, runID)
        arena.set(&m.pointee.agent_id, agentID)
        arena.set(&m.pointee.agent_name, agentName)
        arena.set(&m.pointee.project, project)
        m.pointee.status = status.c
        arena.set(&m.pointee.goal, goal)
        arena.set(&m.pointee.target_url, targetURL)
        arena.set(&m.pointee.initiated_by, initiatedBy)
        arena.set(&m.pointee.run_type, runType)
        arena.set(&m.pointee.workflow_json, workflowJSON)
        arena.set(&m.pointee.input_json, inputJSON)
        arena.set(&m.pointee.metadata_json, metadataJSON)
        arena.set(&m.pointee.parent_run_id, parentRunID)
        m.pointee.timeout_ms = timeoutMs
        m.pointee.step_count = stepCount
        arena.set(&m.pointee.result_json, resultJSON)
        arena.set(&m.pointee.error_type, errorType)
        arena.set(&m.pointee.error_message, errorMessage)
        m.pointee.failed_at_step = failedAtStep
        arena.set(&m.pointee.error_context_json, errorContextJSON)
        m.pointee.created_at = createdAt
        m.pointee.updated_at = updatedAt
        m.pointee.completed_at = completedAt
        m.pointee.deleted_at = deletedAt
        return m
    }
}

extension StepInfo {
    init(_ c: Brain__V1__StepInfo) {
        self.init()
        runID = swiftString(c.run_id)
        seq = c.seq
        stepName = swiftString(c.step_name)
        status = StepStatus(c.status)
        inputJSON = swiftString(c.input_json)
        outputJSON = swiftString(c.output_json)
        error = swiftString(c.error)
        durationMs = c.duration_ms
        startedAt = c.started_at
        receivedAt = c.received_at
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__StepInfo> {
        let m = arena.message(brain__v1__step_info__init)
        arena.set(&m.pointee.run_id, runID)
        m.pointee.seq = seq
        arena.set(&m.pointee.step_name, stepName)
        m.pointee.status = status.c
        arena.set(&m.pointee.input_json, inputJSON)
        arena.set(&m.pointee.output_json, outputJSON)
        arena.set(&m.pointee.error, error)
        m.pointee.duration_ms = durationMs
        m.pointee.started_at = startedAt
        m.pointee.received_at = receivedAt
        return m
    }
}

extension RunCounts {
    init(_ c: Brain__V1__RunCounts) {
        self.init()
        queued = c.queued
        running = c.running
        persisting = c.persisting
        completed = c.completed
        failed = c.failed
        abandoned = c.abandoned
    }

    func c(_ arena: CArena) -> UnsafeMutablePointer<Brain__V1__RunCounts> {
        let m = arena.message(brain__v1__run_counts__init)
        m.pointee.queued = queued
        m.pointee.running = running
        m.pointee.persisting = persisting
        m.pointee.completed = completed
        m.pointee.failed = failed
        m.pointee.abandoned = abandoned
        return m
    }
}
