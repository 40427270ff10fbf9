import BrainProtocol

extension TaskError {
    /// The error as clients see it.
    package var info: TaskErrorInfo { TaskErrorInfo(excType: excType, excMessage: excMessage, tracebackRedacted: tracebackRedacted) }
}

extension TaskRecord {
    /// Whether the task has been `started` for longer than `threshold` by the brain's clock
    /// (the rule of ``BrainState/stuckTasks(now:olderThan:)``).
    package func isStuck(now: Int64, threshold: Int64) -> Bool {
        state == .started && now - stateSince > threshold
    }

    /// The task as clients see it; `stuck` is judged at `now` against `stuckAfterNs`.
    package func info(now: Int64, stuckAfterNs: Int64) -> TaskInfo {
        var info = TaskInfo()
        info.taskID = taskID
        info.project = project
        info.engine = engine
        info.name = name
        info.queue = queue
        info.state = state.wire
        info.argsJSON = argsJSON
        info.kwargsJSON = kwargsJSON
        info.error = error?.info
        info.retriedAs = retriedAs
        info.groupID = groupID
        info.attempt = attempt
        info.enqueuedAt = enqueuedAt
        info.startedAt = startedAt
        info.finishedAt = finishedAt
        info.createdAt = createdAt
        info.updatedAt = updatedAt
        info.agentID = agentID
        info.stateReason = stateReason
        info.stuck = isStuck(now: now, threshold: stuckAfterNs)
        info.eventCount = UInt32(clamping: events.count)
        return info
    }

    /// The task with its events in the order the brain applied them (`TaskDetail`): by the
    /// brain's receipt time, and one agent's events of one read (one receipt time) by their
    /// seq. The record keeps them by the agent's clock, the merge's order; the wire promises
    /// arrival order, which is what makes the skew column readable.
    package func detail(now: Int64, stuckAfterNs: Int64) -> TaskDetail {
        // A total order (the agent id breaks ties between agents read at the same instant), so
        // the sort's result does not depend on the order the record holds them in.
        let applied = events.sorted { ($0.createdAt, $0.agentID, $0.agentSeq) < ($1.createdAt, $1.agentID, $1.agentSeq) }
        return TaskDetail(task: info(now: now, stuckAfterNs: stuckAfterNs), events: applied.map(\.info))
    }
}

extension TaskEvent {
    /// The event as clients see it.
    package var info: TaskEventInfo {
        var info = TaskEventInfo()
        info.kind = kind.wire
        info.attempt = attempt
        info.ts = ts
        info.createdAt = createdAt
        info.agentID = agentID
        info.agentSeq = agentSeq
        info.error = error?.info
        info.payloadJSON = payloadJSON
        info.rule = rule.rawValue
        return info
    }
}

extension TaskStateCounts {
    /// The counts as the wire carries them.
    package var wire: WireTaskStateCounts {
        var counts = WireTaskStateCounts()
        for state in TaskState.allCases { counts[state.wire] = UInt64(max(0, self[state])) }
        return counts
    }
}

extension TaskNameStats {
    /// The statistics as the wire carries them (absent percentiles are 0, as the proto says).
    package var wire: WireTaskNameStats {
        var stats = WireTaskNameStats()
        stats.name = name
        stats.counts = counts.wire
        stats.runtimeSamples = UInt32(clamping: runtimeSamples)
        stats.runtimeP50Ns = runtimeP50Ns ?? 0
        stats.runtimeP99Ns = runtimeP99Ns ?? 0
        stats.failureRate = failureRate
        return stats
    }
}

extension TaskQuery {
    /// The domain query of a `ListTasks` request (its `stuck_only` is the caller's: it needs a
    /// clock); `nil` when a state is `unspecified`.
    package init?(_ query: ListTasksQuery) {
        var states: [TaskState] = []
        for wire in query.states {
            guard let state = TaskState(wire) else { return nil }
            states.append(state)
        }
        self.init(
            project: query.project, states: states, engine: query.engine, name: query.name, queue: query.queue, agent: query.agent,
            createdSince: query.createdSince, createdUntil: query.createdUntil, search: query.search, cursor: query.cursor, limit: query.limit
        )
    }
}

extension TaskStatsQuery {
    /// The domain query of a `GetTaskStats` request.
    package init(_ query: GetTaskStatsQuery) {
        self.init(project: query.project, engine: query.engine, name: query.name, createdSince: query.createdSince, createdUntil: query.createdUntil)
    }
}
