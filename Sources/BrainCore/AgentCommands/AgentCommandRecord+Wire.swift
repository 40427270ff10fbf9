import BrainProtocol

extension AgentCommandKind {
    /// The domain kind of a wire kind; `nil` for `unspecified`.
    package init?(_ wire: WireCommandKind) {
        switch wire {
        case .unspecified: return nil
        case .retryTask: self = .retryTask
        case .cancelTask: self = .cancelTask
        case .enableSchedule: self = .enableSchedule
        case .disableSchedule: self = .disableSchedule
        }
    }

    /// The kind as the wire spells it.
    package var wire: WireCommandKind {
        switch self {
        case .retryTask: .retryTask
        case .cancelTask: .cancelTask
        case .enableSchedule: .enableSchedule
        case .disableSchedule: .disableSchedule
        }
    }
}

extension AgentCommandState {
    /// The domain state of a wire state; `nil` for `unspecified`.
    package init?(_ wire: WireCommandState) {
        switch wire {
        case .unspecified: return nil
        case .pending: self = .pending
        case .delivered: self = .delivered
        case .acknowledged: self = .acknowledged
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .timedOut: self = .timedOut
        }
    }

    /// The state as the wire spells it.
    package var wire: WireCommandState {
        switch self {
        case .pending: .pending
        case .delivered: .delivered
        case .acknowledged: .acknowledged
        case .succeeded: .succeeded
        case .failed: .failed
        case .timedOut: .timedOut
        }
    }
}

extension AgentCommandRecord {
    /// The command as clients see it (`CommandInfo`).
    package var info: CommandInfo {
        var info = CommandInfo()
        info.commandID = commandID
        info.kind = kind.wire
        info.state = state.wire
        info.project = project
        info.agentID = agentID
        info.taskID = taskID
        info.engine = engine
        info.scheduler = scheduler
        info.scheduleName = scheduleName
        info.createdAt = createdAt
        info.deadline = deadline
        info.deliveredAt = deliveredAt
        info.receivedAt = receivedAt
        info.finishedAt = finishedAt
        info.resultMessage = resultMessage
        info.newTaskID = newTaskID
        info.late = late
        info.lateOK = lateOK
        return info
    }

    /// The frame the agent gets (`Response.agent_command`): the task or schedule by
    /// reference only, never its args.
    package var wireCommand: AgentCommand {
        var command = AgentCommand(commandID: commandID, kind: kind.wire)
        command.taskID = taskID
        command.engine = engine
        command.taskName = taskName
        command.scheduler = scheduler
        command.scheduleName = scheduleName
        command.deadline = deadline
        return command
    }
}

extension AgentCommandQuery {
    /// The domain query of a `ListCommands` request; `nil` when `states` holds `unspecified`.
    package init?(_ wire: ListCommandsQuery) {
        var states: [AgentCommandState] = []
        for state in wire.states {
            guard let domain = AgentCommandState(state) else { return nil }
            states.append(domain)
        }
        self.init(project: wire.project, agent: wire.agent, states: states, cursor: wire.cursor, limit: wire.limit)
    }
}
