import BrainProtocol

/// The state's JSON shape, used by snapshots: the records only; indexes are rebuilt on load.
extension BrainState: Codable {
    enum CodingKeys: String, CodingKey {
        case agents, runs
        case persistenceErrors = "persistence_errors"
        case errorSerial = "error_serial"
        case eventsHandled = "events_handled"
        case runDeadlines = "run_deadlines"
        case nextRunSerial = "next_run_serial"
        case projects, tasks
        case nextTaskSerial = "next_task_serial"
        case agentCommands = "agent_commands"
        case commandsIssued = "commands_issued"
        case schedules
        case scheduleSerial = "schedule_serial"
        case scheduleRecomputes = "schedule_recomputes"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var deadlines: [Int: Int64] = [:]
        for (key, deadline) in try container.decode([String: Int64].self, forKey: .runDeadlines) {
            if let key = Int(key) { deadlines[key] = deadline }
        }
        do {
            try self.init(
                configuration: CoreConfiguration(), restoringAgents: try container.decode([Agent].self, forKey: .agents),
                runs: try container.decode([Run].self, forKey: .runs),
                persistenceErrors: try container.decode([PersistenceErrorRecord].self, forKey: .persistenceErrors),
                errorSerial: try container.decode(UInt64.self, forKey: .errorSerial),
                eventsHandled: try container.decode(UInt64.self, forKey: .eventsHandled), runDeadlines: deadlines,
                nextRunSerial: try container.decodeIfPresent(Int.self, forKey: .nextRunSerial) ?? 0
            )
            // Absent from snapshots written before projects and tasks were kept.
            try restoreProjects(try container.decodeIfPresent([Project].self, forKey: .projects) ?? [])
            try restoreTasks(
                try container.decodeIfPresent([TaskRecord].self, forKey: .tasks) ?? [],
                nextSerial: try container.decodeIfPresent(Int.self, forKey: .nextTaskSerial) ?? 0
            )
            // Absent from snapshots written before commands to agents and schedules were kept.
            try restoreAgentCommands(
                try container.decodeIfPresent([AgentCommandRecord].self, forKey: .agentCommands) ?? [],
                issued: try container.decodeIfPresent(UInt64.self, forKey: .commandsIssued) ?? 0
            )
            try restoreSchedules(
                try container.decodeIfPresent([ScheduleRecord].self, forKey: .schedules) ?? [],
                lastSerial: try container.decodeIfPresent(UInt64.self, forKey: .scheduleSerial) ?? 0,
                // Absent from snapshots written before next runs were recomputed in batches.
                recomputes: try container.decodeIfPresent([ScheduleRecompute.Saved].self, forKey: .scheduleRecomputes) ?? []
            )
        } catch let error as BrainError {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.runs], debugDescription: error.message))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agents.values.sorted { $0.agentID < $1.agentID }, forKey: .agents)
        try container.encode(runs, forKey: .runs)
        try container.encode(nextRunSerial, forKey: .nextRunSerial)
        try container.encode(
            Dictionary(uniqueKeysWithValues: runDeadlines.map { (String($0.key), $0.value) }), forKey: .runDeadlines
        )
        try container.encode(persistenceErrors, forKey: .persistenceErrors)
        try container.encode(errorSerial, forKey: .errorSerial)
        try container.encode(eventsHandled, forKey: .eventsHandled)
        try container.encode(listProjects(), forKey: .projects)
        try container.encode(tasks, forKey: .tasks)
        try container.encode(taskTable.nextSerial, forKey: .nextTaskSerial)
        try container.encode(agentCommands, forKey: .agentCommands)
        try container.encode(commandTable.issued, forKey: .commandsIssued)
        try container.encode(schedules.sorted { $0.serial < $1.serial }, forKey: .schedules)
        try container.encode(scheduleTable.lastSerial, forKey: .scheduleSerial)
        try container.encode(savedScheduleRecomputes, forKey: .scheduleRecomputes)
    }
}
