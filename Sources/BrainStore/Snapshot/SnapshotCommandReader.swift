import BrainCore

/// Reads the commands to agents and schedules ``SnapshotCommandWriter`` wrote (keys in any
/// order, unknown keys skipped), for ``SnapshotJSONReader``.
enum SnapshotCommandReader {
    static func readCommand(_ cursor: inout JSONCursor, _ scratch: inout [UInt8], key position: Int) throws(SnapshotParseError) -> AgentCommandRecord {
        var command = AgentCommandRecord(key: position, commandID: "", kind: .retryTask, project: "", agentID: "", createdAt: 0, deadline: 0)
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("key") {
                command.key = Int(try cursor.integer())
            } else if key.equals("command_id") {
                command.commandID = try cursor.string(scratch: &scratch)
            } else if key.equals("kind") {
                let name = try cursor.string(scratch: &scratch)
                guard let kind = AgentCommandKind(name: name) else { throw cursor.fail("unknown command kind \"\(name)\"") }
                command.kind = kind
            } else if key.equals("state") {
                let name = try cursor.string(scratch: &scratch)
                guard let state = AgentCommandState(name: name) else { throw cursor.fail("unknown command state \"\(name)\"") }
                command.state = state
            } else if key.equals("project") {
                command.project = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_id") {
                command.agentID = try cursor.string(scratch: &scratch)
            } else if key.equals("task_id") {
                command.taskID = try cursor.string(scratch: &scratch)
            } else if key.equals("engine") {
                command.engine = try cursor.string(scratch: &scratch)
            } else if key.equals("task_name") {
                command.taskName = try cursor.string(scratch: &scratch)
            } else if key.equals("scheduler") {
                command.scheduler = try cursor.string(scratch: &scratch)
            } else if key.equals("schedule_name") {
                command.scheduleName = try cursor.string(scratch: &scratch)
            } else {
                try readCommandRest(&cursor, &scratch, key, into: &command)
            }
        }
        guard !command.commandID.isEmpty else { throw cursor.fail("a command without command_id") }
        return command
    }

    /// The command's times and result.
    private static func readCommandRest(
        _ cursor: inout JSONCursor, _ scratch: inout [UInt8], _ key: UnsafeRawBufferPointer, into command: inout AgentCommandRecord
    ) throws(SnapshotParseError) {
        if key.equals("created_at") {
            command.createdAt = try cursor.integer()
        } else if key.equals("deadline") {
            command.deadline = try cursor.integer()
        } else if key.equals("delivered_at") {
            command.deliveredAt = try cursor.integer()
        } else if key.equals("received_at") {
            command.receivedAt = try cursor.integer()
        } else if key.equals("finished_at") {
            command.finishedAt = try cursor.integer()
        } else if key.equals("result_message") {
            command.resultMessage = try cursor.string(scratch: &scratch)
        } else if key.equals("new_task_id") {
            command.newTaskID = try cursor.string(scratch: &scratch)
        } else if key.equals("late") {
            command.late = try cursor.boolean()
        } else if key.equals("late_ok") {
            command.lateOK = try cursor.boolean()
        } else {
            try cursor.skipValue()
        }
    }

    /// One of `schedule_recomputes`.
    static func readScheduleRecompute(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> ScheduleRecompute.Saved {
        var saved = ScheduleRecompute.Saved(project: "", asOf: 0, serials: [])
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("project") {
                saved.project = try cursor.string(scratch: &scratch)
            } else if key.equals("as_of") {
                saved.asOf = try cursor.integer()
            } else if key.equals("serials") {
                try cursor.array { (cursor) throws(SnapshotParseError) in saved.serials.append(try cursor.unsigned()) }
            } else {
                try cursor.skipValue()
            }
        }
        guard !saved.project.isEmpty else { throw cursor.fail("a schedule recompute without a project") }
        return saved
    }

    static func readSchedule(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> ScheduleRecord {
        var schedule = ScheduleRecord(serial: 0, project: "", scheduler: "", name: "")
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("serial") {
                schedule.serial = try cursor.unsigned()
            } else if key.equals("project") {
                schedule.project = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_id") {
                schedule.agentID = try cursor.string(scratch: &scratch)
            } else if key.equals("scheduler") {
                schedule.scheduler = try cursor.string(scratch: &scratch)
            } else if key.equals("name") {
                schedule.name = try cursor.string(scratch: &scratch)
            } else if key.equals("task") {
                schedule.task = try cursor.string(scratch: &scratch)
            } else if key.equals("type") {
                let name = try cursor.string(scratch: &scratch)
                guard let type = ScheduleType(name: name) else { throw cursor.fail("unknown schedule type \"\(name)\"") }
                schedule.type = type
            } else if key.equals("expression") {
                schedule.expression = try cursor.string(scratch: &scratch)
            } else if key.equals("dialect") {
                let name = try cursor.string(scratch: &scratch)
                guard let dialect = CronDayFieldDialect(rawValue: name) else { throw cursor.fail("unknown cron dialect \"\(name)\"") }
                schedule.dialect = dialect
            } else {
                try readScheduleRest(&cursor, &scratch, key, into: &schedule)
            }
        }
        guard !schedule.name.isEmpty, !schedule.scheduler.isEmpty else { throw cursor.fail("a schedule without a scheduler or a name") }
        return schedule
    }

    /// The schedule's payloads, times and problem.
    private static func readScheduleRest(
        _ cursor: inout JSONCursor, _ scratch: inout [UInt8], _ key: UnsafeRawBufferPointer, into schedule: inout ScheduleRecord
    ) throws(SnapshotParseError) {
        if key.equals("args") {
            schedule.argsJSON = try cursor.payloadText()
        } else if key.equals("kwargs") {
            schedule.kwargsJSON = try cursor.payloadText()
        } else if key.equals("enabled") {
            schedule.enabled = try cursor.boolean()
        } else if key.equals("metadata") {
            schedule.metadataJSON = try cursor.payloadText()
        } else if key.equals("last_run_at") {
            schedule.lastRunAt = try cursor.integer()
        } else if key.equals("next_run_at") {
            schedule.nextRunAt = try cursor.integer()
        } else if key.equals("created_at") {
            schedule.createdAt = try cursor.integer()
        } else if key.equals("updated_at") {
            schedule.updatedAt = try cursor.integer()
        } else if key.equals("problem") {
            schedule.problem = try cursor.string(scratch: &scratch)
        } else {
            try cursor.skipValue()
        }
    }
}

extension JSONCursor {
    /// `true` or `false`.
    mutating func boolean() throws(SnapshotParseError) -> Bool {
        let raw = try rawValue()
        if raw.starts(with: "true".utf8) { return true }
        if raw.starts(with: "false".utf8) { return false }
        throw fail("expected true or false")
    }
}
