import BrainCore
import BrainProtocol

/// Writes a snapshot's JSON by hand: Foundation's JSONEncoder needed seconds and several
/// times the snapshot's size in memory for a million steps; this streams in one pass.
///
/// The shape is docs/snapshot-format.md: `format_version` first, JSON payloads embedded
/// as JSON (not as strings), unset payloads omitted.
enum SnapshotJSONWriter {
    static func write(
        _ state: BrainState, writtenAt: Int64, brainVersion: String, journalSegment: Int, formatVersion: Int,
        into out: inout JSONOutput
    ) {
        out.byte(0x7B)
        out.field("format_version", formatVersion, first: true)
        out.field("brain_version", brainVersion)
        out.field("written_at", writtenAt)
        out.field("journal_segment", journalSegment)
        out.key("state")
        out.byte(0x7B)

        out.key("agents", first: true)
        out.byte(0x5B)
        for (index, agent) in state.agents.values.sorted(by: { $0.agentID < $1.agentID }).enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(agent, into: &out)
        }
        out.byte(0x5D)

        out.key("runs")
        out.byte(0x5B)
        for (index, run) in state.runs.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(run, into: &out)
            out.drainIfFull()
        }
        out.byte(0x5D)
        out.field("next_run_serial", state.nextRunSerial)

        out.key("run_deadlines")
        out.byte(0x7B)
        for (index, entry) in state.deadlines.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.byte(0x2C) }
            out.string(String(entry.key))
            out.byte(0x3A)
            out.integer(entry.value)
        }
        out.byte(0x7D)

        out.key("persistence_errors")
        out.byte(0x5B)
        for (index, row) in state.persistenceErrors.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(row, into: &out)
            out.drainIfFull()
        }
        out.byte(0x5D)
        out.field("error_serial", state.errorSerial)
        out.field("events_handled", state.eventsHandled)
        SnapshotTaskWriter.writeProjectsAndTasks(state, into: &out)
        SnapshotCommandWriter.writeCommandsAndSchedules(state, into: &out)
        out.byte(0x7D)
        out.byte(0x7D)
        out.byte(0x0A)
    }

    static func write(_ agent: Agent, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("agent_id", agent.agentID, first: true)
        out.field("name", agent.name)
        out.field("project", agent.project)
        out.field("token_hash", agent.tokenHash)
        out.field("protocol_version", agent.protocolVersion)
        out.field("framework_adapter", agent.frameworkAdapter)
        out.strings("engine_adapters", agent.engineAdapters)
        out.strings("scheduler_adapters", agent.schedulerAdapters)
        out.embedded("capabilities", agent.capabilitiesJSON)
        out.embedded("metadata", agent.metadataJSON)
        out.field("state", agent.state.name)
        out.field("last_seen_at", agent.lastSeenAt)
        out.field("last_connect_at", agent.lastConnectAt)
        out.field("created_at", agent.createdAt)
        out.field("updated_at", agent.updatedAt)
        out.field("last_seq", agent.lastSeq)
        out.field("unknown_since", agent.unknownSince)
        out.byte(0x7D)
    }

    static func write(_ run: Run, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("key", run.key, first: true)
        out.field("serial", run.serial)
        out.field("run_id", run.runID)
        out.field("agent_id", run.agentID)
        out.field("agent_name", run.agentName)
        out.field("project", run.project)
        out.field("status", run.status.name)
        out.field("goal", run.goal)
        out.field("target_url", run.targetURL)
        out.field("initiated_by", run.initiatedBy)
        out.field("run_type", run.runType)
        out.embedded("workflow", run.workflowJSON)
        out.embedded("input", run.inputJSON)
        out.embedded("metadata", run.metadataJSON)
        out.field("parent_run_id", run.parentRunID)
        out.field("timeout_ms", run.timeoutMs)
        out.embedded("result", run.resultJSON)
        out.field("error_type", run.errorType)
        out.field("error_message", run.errorMessage)
        out.field("failed_at_step", run.failedAtStep)
        out.embedded("error_context", run.errorContextJSON)
        out.field("created_at", run.createdAt)
        out.field("updated_at", run.updatedAt)
        out.field("completed_at", run.completedAt)
        out.field("deleted_at", run.deletedAt)
        out.strings("child_run_ids", run.childRunIDs)
        out.key("steps")
        out.byte(0x5B)
        for (index, step) in run.steps.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(step, into: &out)
        }
        out.byte(0x5D)
        out.byte(0x7D)
    }

    static func write(_ step: Step, into out: inout JSONOutput) {
        let text = step.text
        let parts = text.parts
        out.byte(0x7B)
        out.field("seq", step.seq, first: true)
        out.key("step_name")
        out.string(bytes: parts.name)
        out.field("status", step.status.name)
        out.embedded("input", bytes: parts.input)
        out.embedded("output", bytes: parts.output)
        if !parts.error.isEmpty {
            out.key("error")
            out.string(bytes: parts.error)
        }
        out.field("duration_ms", parts.durationMs)
        out.field("started_at", step.startedAt)
        out.field("received_at", step.receivedAt)
        out.byte(0x7D)
    }

    static func write(_ row: PersistenceErrorRecord, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("serial", row.serial, first: true)
        out.field("error_id", row.errorID)
        out.field("run_id", row.runID)
        out.field("phase", row.phase)
        out.field("project", row.project)
        out.field("agent_name", row.agentName)
        out.field("error_type", row.errorType)
        out.field("error_message", row.errorMessage)
        out.field("stack", row.stack)
        out.embedded("payload", row.payloadJSON)
        out.field("created_at", row.createdAt)
        out.field("deleted_at", row.deletedAt)
        out.byte(0x7D)
    }
}
