import BrainProtocol

/// The `--json` shapes of projects and tasks. Keys are the proto's field names; times are
/// RFC 3339 UTC; JSON texts are embedded; durations are nanoseconds, as on the wire.
extension Rendering {
    static func project(_ project: ProjectInfo) -> JSONValue {
        let settings = project.settings
        let retention = settings.retention ?? WireRetentionSettings()
        return .object([
            ("project_id", .string(project.projectID)),
            ("name", .string(project.name)),
            ("time_zone", .string(settings.timeZone)),
            (
                "retention",
                .object([
                    ("runs_ns", .int(retention.runsNs)), ("tasks_ns", .int(retention.tasksNs)), ("task_events_ns", .int(retention.taskEventsNs)),
                    ("sink_rows_ns", .int(retention.sinkRowsNs)),
                ])
            ),
            ("extra_key_patterns", .array(settings.extraKeyPatterns.map { .string($0) })),
            ("allowed_keys", .array(settings.allowedKeys.map { .string($0) })),
            ("redact_steps", .bool(settings.redactSteps)),
            ("created_at", .time(project.createdAt)),
            ("updated_at", .time(project.updatedAt)),
        ])
    }

    static func task(_ task: TaskInfo) -> JSONValue { .object(taskFields(task)) }

    static func taskFields(_ task: TaskInfo) -> [(String, JSONValue)] {
        [
            ("task_id", .string(task.taskID)),
            ("project", .string(task.project)),
            ("engine", .string(task.engine)),
            ("name", .string(task.name)),
            ("queue", .optional(task.queue)),
            ("state", .string(task.state.name)),
            ("stuck", .bool(task.stuck)),
            ("state_reason", .optional(task.stateReason)),
            ("args", .embedded(task.argsJSON)),
            ("kwargs", .embedded(task.kwargsJSON)),
            ("error", task.error.map(taskError) ?? .null),
            ("retried_as", .optional(task.retriedAs)),
            ("group_id", .optional(task.groupID)),
            ("attempt", .int(Int64(task.attempt))),
            ("agent_id", .optional(task.agentID)),
            ("event_count", .int(Int64(task.eventCount))),
            ("enqueued_at", .time(task.enqueuedAt)),
            ("started_at", .time(task.startedAt)),
            ("finished_at", .time(task.finishedAt)),
            ("created_at", .time(task.createdAt)),
            ("updated_at", .time(task.updatedAt)),
        ]
    }

    static func taskError(_ error: TaskErrorInfo) -> JSONValue {
        .object([
            ("exc_type", .string(error.excType)), ("exc_msg", .string(error.excMessage)), ("traceback_redacted", .optional(error.tracebackRedacted)),
        ])
    }

    /// An event with its two clocks and their difference: `ts` is the agent's, `created_at`
    /// the brain's receipt, `skew_ns` the second minus the first (never corrected).
    static func taskEvent(_ event: TaskEventInfo) -> JSONValue {
        .object([
            ("kind", .string(event.kind.name)),
            ("attempt", .int(Int64(event.attempt))),
            ("ts", .time(event.ts)),
            ("created_at", .time(event.createdAt)),
            ("skew_ns", event.ts == 0 ? .null : .int(event.createdAt &- event.ts)),
            ("agent_id", .string(event.agentID)),
            ("agent_seq", .int(Int64(clamping: event.agentSeq))),
            ("rule", .string(event.rule)),
            ("error", event.error.map(taskError) ?? .null),
            ("payload", .embedded(event.payloadJSON)),
        ])
    }

    static func taskStats(_ stats: WireTaskNameStats) -> JSONValue {
        let counts = WireTaskState.allCases.filter { $0 != .unspecified }.map { ($0.name, JSONValue.int(Int64(clamping: stats.counts[$0]))) }
        return .object([
            ("name", .string(stats.name)),
            ("total", .int(Int64(clamping: total(stats.counts)))),
            ("counts", .object(counts)),
            ("runtime_samples", .int(Int64(stats.runtimeSamples))),
            ("runtime_p50_ns", stats.runtimeSamples == 0 ? .null : .int(stats.runtimeP50Ns)),
            ("runtime_p99_ns", stats.runtimeSamples == 0 ? .null : .int(stats.runtimeP99Ns)),
            ("failure_rate", stats.failureRate.map { .double($0) } ?? .null),
        ])
    }

    static func total(_ counts: WireTaskStateCounts) -> UInt64 {
        WireTaskState.allCases.reduce(0) { $0 &+ counts[$1] }
    }

    /// `started (stuck)` for a task started longer than the brain's threshold.
    static func state(_ task: TaskInfo) -> String { task.stuck ? "\(task.state.name) (stuck)" : task.state.name }
}
