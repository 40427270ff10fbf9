import BrainCore

/// Reads the projects and tasks ``SnapshotTaskWriter`` wrote (keys in any order, unknown keys
/// skipped), for ``SnapshotJSONReader``.
enum SnapshotTaskReader {
    static func readProject(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> Project {
        var project = Project(projectID: "", name: "", settings: ProjectSettings(), createdAt: 0, updatedAt: 0)
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("project_id") {
                project.projectID = try cursor.string(scratch: &scratch)
            } else if key.equals("name") {
                project.name = try cursor.string(scratch: &scratch)
            } else if key.equals("settings") {
                project.settings = try readSettings(&cursor, &scratch)
            } else if key.equals("created_at") {
                project.createdAt = try cursor.integer()
            } else if key.equals("updated_at") {
                project.updatedAt = try cursor.integer()
            } else {
                try cursor.skipValue()
            }
        }
        guard !project.name.isEmpty else { throw cursor.fail("a project without a name") }
        return project
    }

    private static func readSettings(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> ProjectSettings {
        var settings = ProjectSettings()
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("retention") {
                try cursor.object { (cursor, key) throws(SnapshotParseError) in
                    if key.equals("runs_ns") {
                        settings.retention.runsNs = try cursor.integer()
                    } else if key.equals("tasks_ns") {
                        settings.retention.tasksNs = try cursor.integer()
                    } else if key.equals("task_events_ns") {
                        settings.retention.taskEventsNs = try cursor.integer()
                    } else if key.equals("sink_rows_ns") {
                        settings.retention.sinkRowsNs = try cursor.integer()
                    } else {
                        try cursor.skipValue()
                    }
                }
            } else if key.equals("redaction") {
                try cursor.object { (cursor, key) throws(SnapshotParseError) in
                    if key.equals("extra_key_patterns") {
                        settings.redaction.extraKeyPatterns = try cursor.strings(scratch: &scratch)
                    } else if key.equals("allowed_keys") {
                        settings.redaction.allowedKeys = try cursor.strings(scratch: &scratch)
                    } else {
                        try cursor.skipValue()
                    }
                }
            } else if key.equals("time_zone") {
                settings.timeZone = try cursor.string(scratch: &scratch)
            } else if key.equals("redact_steps") {
                // Absent from snapshots written before it existed: off (ProjectSettings()).
                settings.redactSteps = try cursor.boolean()
            } else {
                try cursor.skipValue()
            }
        }
        return settings
    }

    static func readTask(_ cursor: inout JSONCursor, _ scratch: inout [UInt8], key position: Int) throws(SnapshotParseError) -> TaskRecord {
        var task = TaskRecord(key: position, taskID: "", project: "", engine: "")
        var sawSerial = false
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("events") {
                try cursor.array { (cursor) throws(SnapshotParseError) in task.events.append(try readEvent(&cursor, &scratch)) }
            } else if key.equals("key") {
                task.key = Int(try cursor.integer())
                // Absent from snapshots written before serials: the position.
                if !sawSerial { task.serial = task.key }
            } else if key.equals("serial") {
                task.serial = Int(try cursor.integer())
                sawSerial = true
            } else if key.equals("task_id") {
                task.taskID = try cursor.string(scratch: &scratch)
            } else if key.equals("project") {
                task.project = try cursor.string(scratch: &scratch)
            } else if key.equals("engine") {
                task.engine = try cursor.string(scratch: &scratch)
            } else if key.equals("name") {
                task.name = try cursor.string(scratch: &scratch)
            } else if key.equals("queue") {
                task.queue = try cursor.string(scratch: &scratch)
            } else if key.equals("state") {
                let name = try cursor.string(scratch: &scratch)
                guard let state = TaskState(name: name) else { throw cursor.fail("unknown task state \"\(name)\"") }
                task.state = state
            } else if key.equals("args") {
                task.argsJSON = try cursor.payloadText()
            } else if key.equals("kwargs") {
                task.kwargsJSON = try cursor.payloadText()
            } else if key.equals("error") {
                task.error = try readError(&cursor, &scratch)
            } else if key.equals("retried_as") {
                task.retriedAs = try cursor.string(scratch: &scratch)
            } else if key.equals("group_id") {
                task.groupID = try cursor.string(scratch: &scratch)
            } else if key.equals("attempt") {
                task.attempt = UInt32(clamping: try cursor.unsigned())
            } else {
                try readTaskTime(&cursor, &scratch, key, into: &task)
            }
        }
        return task
    }

    /// The task's times and the fields that follow them.
    private static func readTaskTime(
        _ cursor: inout JSONCursor, _ scratch: inout [UInt8], _ key: UnsafeRawBufferPointer, into task: inout TaskRecord
    ) throws(SnapshotParseError) {
        if key.equals("enqueued_at") {
            task.enqueuedAt = try cursor.integer()
        } else if key.equals("started_at") {
            task.startedAt = try cursor.integer()
        } else if key.equals("finished_at") {
            task.finishedAt = try cursor.integer()
        } else if key.equals("created_at") {
            task.createdAt = try cursor.integer()
        } else if key.equals("updated_at") {
            task.updatedAt = try cursor.integer()
        } else if key.equals("state_since") {
            task.stateSince = try cursor.integer()
        } else if key.equals("state_ts") {
            task.stateTs = try cursor.integer()
        } else if key.equals("agent_id") {
            task.agentID = try cursor.string(scratch: &scratch)
        } else if key.equals("state_reason") {
            task.stateReason = try cursor.string(scratch: &scratch)
        } else {
            try cursor.skipValue()
        }
    }

    private static func readEvent(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> TaskEvent {
        var event = TaskEvent(kind: .taskSent, attempt: 0, ts: 0, createdAt: 0, agentID: "", agentSeq: 0, error: nil, payloadJSON: "", rule: .created)
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("kind") {
                let name = try cursor.string(scratch: &scratch)
                guard let kind = TaskEventKind(name: name) else { throw cursor.fail("unknown task event kind \"\(name)\"") }
                event.kind = kind
            } else if key.equals("attempt") {
                event.attempt = UInt32(clamping: try cursor.unsigned())
            } else if key.equals("ts") {
                event.ts = try cursor.integer()
            } else if key.equals("created_at") {
                event.createdAt = try cursor.integer()
            } else if key.equals("agent_id") {
                event.agentID = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_seq") {
                event.agentSeq = try cursor.unsigned()
            } else if key.equals("error") {
                event.error = try readError(&cursor, &scratch)
            } else if key.equals("payload") {
                event.payloadJSON = try cursor.payloadText()
            } else if key.equals("rule") {
                let name = try cursor.string(scratch: &scratch)
                guard let rule = TaskMergeRule(rawValue: name) else { throw cursor.fail("unknown task merge rule \"\(name)\"") }
                event.rule = rule
            } else {
                try cursor.skipValue()
            }
        }
        return event
    }

    private static func readError(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> TaskError {
        var error = TaskError(excType: "")
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("exc_type") {
                error.excType = try cursor.string(scratch: &scratch)
            } else if key.equals("exc_msg") {
                error.excMessage = try cursor.string(scratch: &scratch)
            } else if key.equals("traceback_redacted") {
                error.tracebackRedacted = try cursor.string(scratch: &scratch)
            } else {
                try cursor.skipValue()
            }
        }
        return error
    }

}
