import BrainCore

/// The snapshot's commands to agents and schedules (``SnapshotJSONWriter`` writes the rest):
/// `agent_commands` and `schedules` arrays, `commands_issued` and `schedule_serial` in the state object; schedule
/// args, kwargs and metadata embedded as JSON, unset ones omitted; `schedule_recomputes`, the
/// next-run recomputes still pending after time-zone changes, their schedules by serial.
enum SnapshotCommandWriter {
    static func writeCommandsAndSchedules(_ state: BrainState, into out: inout JSONOutput) {
        out.key("agent_commands")
        out.byte(0x5B)
        for (index, command) in state.agentCommands.enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(command, into: &out)
            out.drainIfFull()
        }
        out.byte(0x5D)
        out.field("commands_issued", state.commandTable.issued)
        out.key("schedules")
        out.byte(0x5B)
        // By serial: the order the brain first heard of them, the same for equal states.
        for (index, schedule) in state.schedules.sorted(by: { $0.serial < $1.serial }).enumerated() {
            if index > 0 { out.byte(0x2C) }
            write(schedule, into: &out)
            out.drainIfFull()
        }
        out.byte(0x5D)
        out.field("schedule_serial", state.scheduleTable.lastSerial)
        out.key("schedule_recomputes")
        out.byte(0x5B)
        for (index, recompute) in state.savedScheduleRecomputes.enumerated() {
            if index > 0 { out.byte(0x2C) }
            out.byte(0x7B)
            out.field("project", recompute.project, first: true)
            out.field("as_of", recompute.asOf)
            out.key("serials")
            out.byte(0x5B)
            for (position, serial) in recompute.serials.enumerated() {
                if position > 0 { out.byte(0x2C) }
                out.integer(serial)
            }
            out.byte(0x5D)
            out.byte(0x7D)
            out.drainIfFull()
        }
        out.byte(0x5D)
    }

    static func write(_ command: AgentCommandRecord, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("key", command.key, first: true)
        out.field("command_id", command.commandID)
        out.field("kind", command.kind.name)
        out.field("state", command.state.name)
        out.field("project", command.project)
        out.field("agent_id", command.agentID)
        out.field("task_id", command.taskID)
        out.field("engine", command.engine)
        out.field("task_name", command.taskName)
        out.field("scheduler", command.scheduler)
        out.field("schedule_name", command.scheduleName)
        out.field("created_at", command.createdAt)
        out.field("deadline", command.deadline)
        out.field("delivered_at", command.deliveredAt)
        out.field("received_at", command.receivedAt)
        out.field("finished_at", command.finishedAt)
        out.field("result_message", command.resultMessage)
        out.field("new_task_id", command.newTaskID)
        out.field("late", command.late)
        out.field("late_ok", command.lateOK)
        out.byte(0x7D)
    }

    static func write(_ schedule: ScheduleRecord, into out: inout JSONOutput) {
        out.byte(0x7B)
        out.field("serial", schedule.serial, first: true)
        out.field("project", schedule.project)
        out.field("agent_id", schedule.agentID)
        out.field("scheduler", schedule.scheduler)
        out.field("name", schedule.name)
        out.field("task", schedule.task)
        out.field("type", schedule.type.name)
        out.field("expression", schedule.expression)
        out.field("dialect", schedule.dialect.rawValue)
        out.embedded("args", schedule.argsJSON)
        out.embedded("kwargs", schedule.kwargsJSON)
        out.field("enabled", schedule.enabled)
        out.embedded("metadata", schedule.metadataJSON)
        out.field("last_run_at", schedule.lastRunAt)
        out.field("next_run_at", schedule.nextRunAt)
        out.field("created_at", schedule.createdAt)
        out.field("updated_at", schedule.updatedAt)
        out.field("problem", schedule.problem)
        out.byte(0x7D)
    }
}

extension JSONOutput {
    mutating func field(_ name: StaticString, _ value: Bool, first: Bool = false) {
        key(name, first: first)
        if value { raw("true") } else { raw("false") }
    }
}
