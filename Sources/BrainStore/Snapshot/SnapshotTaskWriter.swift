import BrainCore

/// The snapshot's projects and tasks (``SnapshotJSONWriter`` writes the rest): `projects`
/// and `tasks` arrays in the state object, JSON payloads (args, kwargs, event payloads)
/// embedded as JSON, unset ones omitted.
enum SnapshotTaskWriter {
    static func writeProjectsAndTasks(_ state: BrainState, into out: inout JSONOutput) {
        out.key("projects")
        out.byte(0x5B)
        for (index, project) in state.listProjects().enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(project, into: &out)
        }
        out.byte(0x5D)
        out.key("tasks")
        out.byte(0x5B)
        for (index, task) in state.tasks.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(task, into: &out)
            out.drainIfFull()
        }
        out.byte(0x5D)
        out.field("next_task_serial", state.taskTable.nextSerial)
    }

    static func write(_ project: Project, into out: inout JSONOutput) {
        let settings = project.settings
        out.byte(0x7B)
        out.field("project_id", project.projectID, first: true)
        out.field("name", project.name)
        out.key("settings")
        out.byte(0x7B)
        out.key("retention", first: true)
        out.byte(0x7B)
        out.field("runs_ns", settings.retention.runsNs, first: true)
        out.field("tasks_ns", settings.retention.tasksNs)
        out.field("task_events_ns", settings.retention.taskEventsNs)
        out.field("sink_rows_ns", settings.retention.sinkRowsNs)
        out.byte(0x7D)
        out.key("redaction")
        out.byte(0x7B)
        out.strings("extra_key_patterns", settings.redaction.extraKeyPatterns, first: true)
        out.strings("allowed_keys", settings.redaction.allowedKeys)
        out.byte(0x7D)
        out.field("time_zone", settings.timeZone)
        out.field("redact_steps", settings.redactSteps)
        out.byte(0x7D)
        out.field("created_at", project.createdAt)
        out.field("updated_at", project.updatedAt)
        out.byte(0x7D)
    }

    static func write(_ task: TaskRecord, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("key", task.key, first: true)
        out.field("serial", task.serial)
        out.field("task_id", task.taskID)
        out.field("project", task.project)
        out.field("engine", task.engine)
        out.field("name", task.name)
        out.field("queue", task.queue)
        out.field("state", task.state.name)
        out.embedded("args", task.argsJSON)
        out.embedded("kwargs", task.kwargsJSON)
        if let error = task.error {
            out.key("error")
            write(error, into: &out)
        }
        out.field("retried_as", task.retriedAs)
        out.field("group_id", task.groupID)
        out.field("attempt", task.attempt)
        out.field("enqueued_at", task.enqueuedAt)
        out.field("started_at", task.startedAt)
        out.field("finished_at", task.finishedAt)
        out.field("created_at", task.createdAt)
        out.field("updated_at", task.updatedAt)
        out.field("state_since", task.stateSince)
        out.field("state_ts", task.stateTs)
        out.field("agent_id", task.agentID)
        out.field("state_reason", task.stateReason)
        out.key("events")
        out.byte(0x5B)
        for (index, event) in task.events.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(event, into: &out)
        }
        out.byte(0x5D)
        out.byte(0x7D)
    }

    static func write(_ event: TaskEvent, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("kind", event.kind.name, first: true)
        out.field("attempt", event.attempt)
        out.field("ts", event.ts)
        out.field("created_at", event.createdAt)
        out.field("agent_id", event.agentID)
        out.field("agent_seq", event.agentSeq)
        if let error = event.error {
            out.key("error")
            write(error, into: &out)
        }
        out.embedded("payload", event.payloadJSON)
        out.field("rule", event.rule.rawValue)
        out.byte(0x7D)
    }

    static func write(_ error: TaskError, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("exc_type", error.excType, first: true)
        out.field("exc_msg", error.excMessage)
        out.field("traceback_redacted", error.tracebackRedacted)
        out.byte(0x7D)
    }

}
