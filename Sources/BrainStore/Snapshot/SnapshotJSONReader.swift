import BrainCore
import BrainProtocol

/// Reads a snapshot written by ``SnapshotJSONWriter`` (keys in any order; unknown keys are
/// skipped, so a later brain may add fields) straight into a ``BrainState``.
struct SnapshotJSONReader {
    struct Document {
        var formatVersion: Int
        var writtenAt: Int64
        var journalSegment: Int
        var state: BrainState
    }

    private let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Only `format_version`, which must be the first key.
    static func formatVersion(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var cursor = JSONCursor(bytes)
        guard (try? cursor.expect(0x7B)) != nil, let key = try? cursor.plainStringBytes(), key.equals("format_version"),
            (try? cursor.expect(0x3A)) != nil, let version = try? cursor.integer()
        else { return nil }
        return Int(version)
    }

    func read(configuration: CoreConfiguration) throws(SnapshotParseError) -> Document {
        var cursor = JSONCursor(bytes)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(4096)
        var formatVersion = 0
        var writtenAt: Int64 = 0
        var journalSegment = 1
        var parts = StateParts()
        var sawState = false
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("format_version") {
                formatVersion = Int(try cursor.integer())
            } else if key.equals("written_at") {
                writtenAt = try cursor.integer()
            } else if key.equals("journal_segment") {
                journalSegment = Int(try cursor.integer())
            } else if key.equals("state") {
                try Self.readState(&cursor, &scratch, into: &parts)
                sawState = true
            } else {
                try cursor.skipValue()
            }
        }
        guard sawState else { throw cursor.fail("the snapshot has no \"state\"") }
        var state: BrainState
        do {
            state = try BrainState(
                configuration: configuration, restoringAgents: parts.agents, runs: parts.runs,
                persistenceErrors: parts.errors, errorSerial: parts.errorSerial, eventsHandled: parts.eventsHandled,
                runDeadlines: parts.deadlines, nextRunSerial: parts.nextRunSerial
            )
            try state.restoreProjects(parts.projects)
            try state.restoreTasks(parts.tasks, nextSerial: parts.nextTaskSerial)
            try state.restoreAgentCommands(parts.commands, issued: parts.commandsIssued)
            try state.restoreSchedules(parts.schedules, lastSerial: parts.scheduleSerial, recomputes: parts.scheduleRecomputes)
        } catch {
            throw SnapshotParseError(offset: cursor.index, message: error.message)
        }
        return Document(formatVersion: formatVersion, writtenAt: writtenAt, journalSegment: journalSegment, state: state)
    }

    private struct StateParts {
        var agents: [Agent] = []
        var runs: [Run] = []
        var errors: [PersistenceErrorRecord] = []
        var deadlines: [Int: Int64] = [:]
        /// Absent from snapshots written before run serials: 0 (after the last run's).
        var nextRunSerial = 0
        var errorSerial: UInt64 = 0
        var eventsHandled: UInt64 = 0
        var projects: [Project] = []
        var tasks: [TaskRecord] = []
        /// Absent from snapshots written before task serials: 0 (after the last task's).
        var nextTaskSerial = 0
        var commands: [AgentCommandRecord] = []
        var commandsIssued: UInt64 = 0
        var schedules: [ScheduleRecord] = []
        var scheduleSerial: UInt64 = 0
        /// Absent from snapshots written before next runs were recomputed in batches.
        var scheduleRecomputes: [ScheduleRecompute.Saved] = []
    }

    private static func readState(
        _ cursor: inout JSONCursor, _ scratch: inout [UInt8], into parts: inout StateParts
    ) throws(SnapshotParseError) {
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("agents") {
                try cursor.array { (cursor) throws(SnapshotParseError) in parts.agents.append(try readAgent(&cursor, &scratch)) }
            } else if key.equals("runs") {
                try cursor.array { (cursor) throws(SnapshotParseError) in
                    parts.runs.append(try readRun(&cursor, &scratch, key: parts.runs.count))
                }
            } else if key.equals("persistence_errors") {
                try cursor.array { (cursor) throws(SnapshotParseError) in parts.errors.append(try readError(&cursor, &scratch)) }
            } else if key.equals("run_deadlines") {
                try cursor.object { (cursor, key) throws(SnapshotParseError) in
                    let deadline = try cursor.integer()
                    if let runKey = Int(String(decoding: key, as: UTF8.self)) { parts.deadlines[runKey] = deadline }
                }
            } else if key.equals("projects") {
                try cursor.array { (cursor) throws(SnapshotParseError) in
                    parts.projects.append(try SnapshotTaskReader.readProject(&cursor, &scratch))
                }
            } else if key.equals("tasks") {
                try cursor.array { (cursor) throws(SnapshotParseError) in
                    parts.tasks.append(try SnapshotTaskReader.readTask(&cursor, &scratch, key: parts.tasks.count))
                }
            } else if key.equals("next_run_serial") {
                parts.nextRunSerial = Int(try cursor.integer())
            } else if key.equals("next_task_serial") {
                parts.nextTaskSerial = Int(try cursor.integer())
            } else if key.equals("agent_commands") {
                try cursor.array { (cursor) throws(SnapshotParseError) in
                    parts.commands.append(try SnapshotCommandReader.readCommand(&cursor, &scratch, key: parts.commands.count))
                }
            } else if key.equals("schedules") {
                try cursor.array { (cursor) throws(SnapshotParseError) in parts.schedules.append(try SnapshotCommandReader.readSchedule(&cursor, &scratch)) }
            } else if key.equals("commands_issued") {
                parts.commandsIssued = try cursor.unsigned()
            } else if key.equals("schedule_serial") {
                parts.scheduleSerial = try cursor.unsigned()
            } else if key.equals("schedule_recomputes") {
                try cursor.array { (cursor) throws(SnapshotParseError) in
                    parts.scheduleRecomputes.append(try SnapshotCommandReader.readScheduleRecompute(&cursor, &scratch))
                }
            } else if key.equals("error_serial") {
                parts.errorSerial = try cursor.unsigned()
            } else if key.equals("events_handled") {
                parts.eventsHandled = try cursor.unsigned()
            } else {
                try cursor.skipValue()
            }
        }
    }

    private static func readAgent(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> Agent {
        var agent = Agent(restoringID: "")
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("agent_id") {
                agent.agentID = try cursor.string(scratch: &scratch)
            } else if key.equals("name") {
                agent.name = try cursor.string(scratch: &scratch)
            } else if key.equals("project") {
                agent.project = try cursor.string(scratch: &scratch)
            } else if key.equals("token_hash") {
                agent.tokenHash = try cursor.string(scratch: &scratch)
            } else if key.equals("protocol_version") {
                agent.protocolVersion = UInt32(clamping: try cursor.unsigned())
            } else if key.equals("framework_adapter") {
                agent.frameworkAdapter = try cursor.string(scratch: &scratch)
            } else if key.equals("engine_adapters") {
                agent.engineAdapters = try cursor.strings(scratch: &scratch)
            } else if key.equals("scheduler_adapters") {
                agent.schedulerAdapters = try cursor.strings(scratch: &scratch)
            } else if key.equals("capabilities") {
                agent.capabilitiesJSON = try cursor.payloadText()
            } else if key.equals("metadata") {
                agent.metadataJSON = try cursor.payloadText()
            } else if key.equals("state") {
                let name = try cursor.string(scratch: &scratch)
                guard let state = AgentState.allCases.first(where: { $0.name == name }) else {
                    throw cursor.fail("unknown agent state \"\(name)\"")
                }
                agent.state = state
            } else if key.equals("last_seen_at") {
                agent.lastSeenAt = try cursor.integer()
            } else if key.equals("last_connect_at") {
                agent.lastConnectAt = try cursor.integer()
            } else if key.equals("created_at") {
                agent.createdAt = try cursor.integer()
            } else if key.equals("updated_at") {
                agent.updatedAt = try cursor.integer()
            } else if key.equals("last_seq") {
                agent.lastSeq = try cursor.unsigned()
            } else if key.equals("unknown_since") {
                agent.unknownSince = try cursor.integer()
            } else {
                try cursor.skipValue()
            }
        }
        guard !agent.agentID.isEmpty else { throw cursor.fail("an agent without agent_id") }
        return agent
    }

    private static func readRun(_ cursor: inout JSONCursor, _ scratch: inout [UInt8], key position: Int) throws(SnapshotParseError) -> Run {
        var run = Run(restoringKey: position)
        var sawSerial = false
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("steps") {
                try cursor.array { (cursor) throws(SnapshotParseError) in run.steps.append(try readStep(&cursor, &scratch)) }
            } else if key.equals("key") {
                run.key = Int(try cursor.integer())
                // Absent from snapshots written before serials: the position.
                if !sawSerial { run.serial = run.key }
            } else if key.equals("serial") {
                run.serial = Int(try cursor.integer())
                sawSerial = true
            } else if key.equals("run_id") {
                run.runID = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_id") {
                run.agentID = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_name") {
                run.agentName = try cursor.string(scratch: &scratch)
            } else if key.equals("project") {
                run.project = try cursor.string(scratch: &scratch)
            } else if key.equals("status") {
                let name = try cursor.string(scratch: &scratch)
                guard let status = RunStatus(name: name) else { throw cursor.fail("unknown run status \"\(name)\"") }
                run.status = status
            } else if key.equals("goal") {
                run.goal = try cursor.string(scratch: &scratch)
            } else if key.equals("target_url") {
                run.targetURL = try cursor.string(scratch: &scratch)
            } else if key.equals("initiated_by") {
                run.initiatedBy = try cursor.string(scratch: &scratch)
            } else if key.equals("run_type") {
                run.runType = try cursor.string(scratch: &scratch)
            } else if key.equals("workflow") {
                run.workflowJSON = try cursor.payloadText()
            } else if key.equals("input") {
                run.inputJSON = try cursor.payloadText()
            } else if key.equals("metadata") {
                run.metadataJSON = try cursor.payloadText()
            } else if key.equals("parent_run_id") {
                run.parentRunID = try cursor.string(scratch: &scratch)
            } else if key.equals("timeout_ms") {
                run.timeoutMs = try cursor.unsigned()
            } else if key.equals("result") {
                run.resultJSON = try cursor.payloadText()
            } else if key.equals("error_type") {
                run.errorType = try cursor.string(scratch: &scratch)
            } else if key.equals("error_message") {
                run.errorMessage = try cursor.string(scratch: &scratch)
            } else if key.equals("failed_at_step") {
                run.failedAtStep = UInt32(clamping: try cursor.unsigned())
            } else if key.equals("error_context") {
                run.errorContextJSON = try cursor.payloadText()
            } else if key.equals("created_at") {
                run.createdAt = try cursor.integer()
            } else if key.equals("updated_at") {
                run.updatedAt = try cursor.integer()
            } else if key.equals("completed_at") {
                run.completedAt = try cursor.integer()
            } else if key.equals("deleted_at") {
                run.deletedAt = try cursor.integer()
            } else if key.equals("child_run_ids") {
                run.childRunIDs = try cursor.strings(scratch: &scratch)
            } else {
                try cursor.skipValue()
            }
        }
        return run
    }

    private static func readStep(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> Step {
        var seq: UInt32 = 0
        var status = StepStatus.unspecified
        var durationMs: UInt64 = 0
        var startedAt: Int64 = 0
        var receivedAt: Int64 = 0
        var name: [UInt8] = []
        var error: [UInt8] = []
        var input = UnsafeRawBufferPointer(start: nil, count: 0)
        var output = UnsafeRawBufferPointer(start: nil, count: 0)
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("input") {
                input = try cursor.rawValue()
            } else if key.equals("output") {
                output = try cursor.rawValue()
            } else if key.equals("seq") {
                seq = UInt32(clamping: try cursor.unsigned())
            } else if key.equals("step_name") {
                try cursor.stringBytes(into: &name)
            } else if key.equals("status") {
                // A step status is a short string: no allocation to compare it by name.
                let name = String(decoding: try cursor.plainStringBytes(), as: UTF8.self)
                guard let value = StepStatus.allCases.first(where: { $0.name == name }) else {
                    throw cursor.fail("unknown step status")
                }
                status = value
            } else if key.equals("error") {
                try cursor.stringBytes(into: &error)
            } else if key.equals("duration_ms") {
                durationMs = try cursor.unsigned()
            } else if key.equals("started_at") {
                startedAt = try cursor.integer()
            } else if key.equals("received_at") {
                receivedAt = try cursor.integer()
            } else {
                try cursor.skipValue()
            }
        }
        return name.withUnsafeBytes { nameBytes in
            error.withUnsafeBytes { errorBytes in
                Step(
                    seq: seq, status: status, durationMs: durationMs, startedAt: startedAt, receivedAt: receivedAt,
                    name: nameBytes, input: input, output: output, error: errorBytes
                )
            }
        }
    }

    private static func readError(_ cursor: inout JSONCursor, _ scratch: inout [UInt8]) throws(SnapshotParseError) -> PersistenceErrorRecord {
        var row = PersistenceErrorRecord(restoringSerial: 0)
        try cursor.object { (cursor, key) throws(SnapshotParseError) in
            if key.equals("serial") {
                row.serial = try cursor.unsigned()
            } else if key.equals("error_id") {
                row.errorID = try cursor.string(scratch: &scratch)
            } else if key.equals("run_id") {
                row.runID = try cursor.string(scratch: &scratch)
            } else if key.equals("phase") {
                row.phase = try cursor.string(scratch: &scratch)
            } else if key.equals("project") {
                row.project = try cursor.string(scratch: &scratch)
            } else if key.equals("agent_name") {
                row.agentName = try cursor.string(scratch: &scratch)
            } else if key.equals("error_type") {
                row.errorType = try cursor.string(scratch: &scratch)
            } else if key.equals("error_message") {
                row.errorMessage = try cursor.string(scratch: &scratch)
            } else if key.equals("stack") {
                row.stack = try cursor.string(scratch: &scratch)
            } else if key.equals("payload") {
                row.payloadJSON = try cursor.payloadText()
            } else if key.equals("created_at") {
                row.createdAt = try cursor.integer()
            } else if key.equals("deleted_at") {
                row.deletedAt = try cursor.integer()
            } else {
                try cursor.skipValue()
            }
        }
        return row
    }
}
