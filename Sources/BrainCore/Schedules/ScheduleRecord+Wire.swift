import BrainProtocol

extension ScheduleType {
    /// The domain type of a wire type. `unspecified` (an agent that said nothing, or a type
    /// newer than this brain) becomes ``unsupported``: listed, with no next run, never guessed.
    package init(_ wire: WireScheduleType) {
        switch wire {
        case .cron: self = .cron
        case .interval: self = .interval
        case .date: self = .date
        case .unspecified, .unsupported: self = .unsupported
        }
    }

    /// The type as the wire spells it.
    package var wire: WireScheduleType {
        switch self {
        case .cron: .cron
        case .interval: .interval
        case .date: .date
        case .unsupported: .unsupported
        }
    }
}

extension CronDayFieldDialect {
    /// The domain dialect of a wire dialect.
    package init(_ wire: WireCronDialect) {
        switch wire {
        case .vixie: self = .vixie
        case .celery: self = .celery
        }
    }

    /// The dialect as the wire spells it.
    package var wire: WireCronDialect {
        switch self {
        case .vixie: .vixie
        case .celery: .celery
        }
    }
}

extension ScheduleRecord {
    /// The schedule as clients see it (`ScheduleInfo`).
    package var info: ScheduleInfo {
        var info = ScheduleInfo()
        info.project = project
        info.agentID = agentID
        info.scheduler = scheduler
        info.name = name
        info.task = task
        info.type = type.wire
        info.expression = expression
        info.dialect = dialect.wire
        info.argsJSON = argsJSON
        info.kwargsJSON = kwargsJSON
        info.enabled = enabled
        info.metadataJSON = metadataJSON
        info.lastRunAt = lastRunAt
        info.nextRunAt = nextRunAt
        info.createdAt = createdAt
        info.updatedAt = updatedAt
        info.problem = problem
        return info
    }
}

extension ScheduleQuery {
    /// The domain query of a `ListSchedules` request; `nil` when its enabled filter is not
    /// 0 (any), 1 (enabled) or 2 (disabled).
    package init?(_ wire: ListSchedulesQuery) {
        let enabled: Bool?
        switch wire.enabledFilter {
        case 0: enabled = nil
        case 1: enabled = true
        case 2: enabled = false
        default: return nil
        }
        self.init(project: wire.project, agent: wire.agent, enabled: enabled, dueBefore: wire.dueBefore, cursor: wire.cursor, limit: wire.limit)
        scheduler = wire.scheduler
        name = wire.name
    }
}
