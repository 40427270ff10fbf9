import BrainProtocol

/// The `--json` shapes of the brain's objects. Keys are snake_case; times are RFC 3339 UTC.
enum Rendering {
    static func run(_ run: RunInfo) -> [(String, JSONValue)] {
        [
            ("run_id", .string(run.runID)),
            ("status", .string(run.status.name)),
            ("goal", .string(run.goal)),
            ("target_url", .optional(run.targetURL)),
            ("run_type", .optional(run.runType)),
            ("parent_run_id", .optional(run.parentRunID)),
            ("agent_id", .string(run.agentID)),
            ("agent", .string(run.agentName)),
            ("project", .string(run.project)),
            ("initiated_by", .optional(run.initiatedBy)),
            ("step_count", .int(Int64(run.stepCount))),
            ("workflow", .embedded(run.workflowJSON)),
            ("input", .embedded(run.inputJSON)),
            ("metadata", .embedded(run.metadataJSON)),
            ("timeout_ms", run.timeoutMs == 0 ? .null : .int(Int64(run.timeoutMs))),
            ("result", .embedded(run.resultJSON)),
            ("error_type", .optional(run.errorType)),
            ("error_message", .optional(run.errorMessage)),
            ("failed_at_step", run.failedAtStep == 0 ? .null : .int(Int64(run.failedAtStep))),
            ("error_context", .embedded(run.errorContextJSON)),
            ("created_at", .time(run.createdAt)),
            ("updated_at", .time(run.updatedAt)),
            ("completed_at", .time(run.completedAt)),
            ("deleted_at", .time(run.deletedAt)),
        ]
    }

    static func step(_ step: StepInfo) -> JSONValue { .object(stepFields(step)) }

    static func stepFields(_ step: StepInfo) -> [(String, JSONValue)] {
        [
            ("seq", .int(Int64(step.seq))),
            ("step_name", .string(step.stepName)),
            ("status", .string(step.status.name)),
            ("duration_ms", .int(Int64(step.durationMs))),
            ("input", .embedded(step.inputJSON)),
            ("output", .embedded(step.outputJSON)),
            ("error", .optional(step.error)),
            ("started_at", .time(step.startedAt)),
            ("received_at", .time(step.receivedAt)),
        ]
    }

    static func agent(_ agent: AgentInfo) -> JSONValue { .object(agentFields(agent)) }

    static func agentFields(_ agent: AgentInfo) -> [(String, JSONValue)] {
        [
            ("agent_id", .string(agent.agentID)),
            ("name", .string(agent.name)),
            ("project", .string(agent.project)),
            ("state", .string(agent.state.name)),
            ("last_seen_at", .time(agent.lastSeenAt)),
            ("last_connect_at", .time(agent.lastConnectAt)),
            ("protocol_version", .int(Int64(agent.protocolVersion))),
            ("framework_adapter", .optional(agent.frameworkAdapter)),
            ("engine_adapters", .array(agent.engineAdapters.map { .string($0) })),
            ("scheduler_adapters", .array(agent.schedulerAdapters.map { .string($0) })),
            ("capabilities", .embedded(agent.capabilitiesJSON)),
            ("metadata", .embedded(agent.metadataJSON)),
            ("last_seq", .int(Int64(agent.lastSeq))),
            ("created_at", .time(agent.createdAt)),
        ]
    }

    static func error(_ row: PersistenceErrorInfo) -> JSONValue {
        .object([
            ("error_id", .string(row.errorID)),
            ("run_id", .optional(row.runID)),
            ("phase", .string(row.phase)),
            ("project", .optional(row.project)),
            ("agent", .optional(row.agentName)),
            ("error_type", .string(row.errorType)),
            ("error_message", .string(row.errorMessage)),
            ("stack", .optional(row.stack)),
            ("payload", .embedded(row.payloadJSON)),
            ("created_at", .time(row.createdAt)),
            ("deleted_at", .time(row.deletedAt)),
        ])
    }

    /// `completed`, or `completed (deleted)` for a soft-deleted run.
    static func status(_ run: RunInfo) -> String {
        run.deletedAt == 0 ? run.status.name : "\(run.status.name) (deleted)"
    }

    /// `queued 0, running 2, ...`: runs by status for the text output.
    static func runCountsText(_ counts: RunCounts) -> String {
        RunStatus.allCases.filter { $0 != .unspecified }.map { "\($0.name) \(counts[$0])" }.joined(separator: ", ")
    }

    static func runCounts(_ counts: RunCounts) -> JSONValue {
        .object(RunStatus.allCases.filter { $0 != .unspecified }.map { ($0.name, .int(Int64(counts[$0]))) })
    }
}
