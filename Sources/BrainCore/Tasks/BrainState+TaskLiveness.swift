import BrainProtocol

extension BrainState {
    /// Started tasks to call lost at `now`: their agent is offline and has been, since the
    /// later of going offline and the task starting, for longer than
    /// ``TaskSettings/lostGraceNs``. Oldest task first. Apply them with
    /// ``BrainCommand/taskLiveness(_:)``.
    ///
    /// An offline agent's `updatedAt` is when it went offline (nothing else touches an
    /// offline agent; a sign of life brings it back online).
    package func dueTaskLiveness(now: Int64) -> [LostTask] {
        let grace = taskSettings.lostGraceNs
        // Most ticks find no started task, or every agent online: then nothing is walked.
        guard taskTable.started.count > 0 else { return [] }
        let offline = agents.filter { $0.value.state == .offline }
        guard !offline.isEmpty else { return [] }
        var due: [(key: Int, task: LostTask)] = []
        for key in taskTable.started.keys {
            let task = taskTable.records[key]
            guard let agent = offline[task.agentID], now - max(agent.updatedAt, task.stateSince) > grace else { continue }
            let reason =
                "agent \(agent.name) (\(agent.agentID)) went offline at \(RFC3339.format(agent.updatedAt)) "
                + "and stayed offline longer than the grace period of \(grace / 1_000_000_000) s"
            due.append((key, LostTask(project: task.project, engine: task.engine, taskID: task.taskID, reason: reason)))
        }
        return due.sorted { $0.key < $1.key }.map(\.task)
    }

    /// Calls the tasks lost (those still `started`; a task that moved on since is left alone).
    /// A later real terminal event from the agent still overrides `lost`.
    @usableFromInline
    mutating func applyTaskLiveness(_ lost: [LostTask], now: Int64) {
        for item in lost {
            guard let key = taskTable.key(project: item.project, engine: item.engine, taskID: item.taskID),
                let next = taskTable.records[key].machine.losing()
            else { continue }
            taskTable.records[key].state = next.state
            taskTable.records[key].stateSince = now
            taskTable.records[key].updatedAt = now
            taskTable.records[key].stateReason = item.reason
            taskTable.reindex(key: key, from: .started, to: next.state)
            noteTask(key: key, now: now)
        }
    }

    /// Tasks `started` longer than `threshold` (default ``TaskSettings/stuckAfterNs``) by the
    /// brain's clock, longest first. Only shown: nothing resolves them but their events (or
    /// the lost decision, when their agent goes away).
    package func stuckTasks(now: Int64, olderThan threshold: Int64? = nil) -> [TaskRecord] {
        let threshold = threshold ?? taskSettings.stuckAfterNs
        var stuck: [TaskRecord] = []
        for key in taskTable.started.keys where now - taskTable.records[key].stateSince > threshold { stuck.append(taskTable.records[key]) }
        return stuck.sorted { ($0.stateSince, $0.key) < ($1.stateSince, $1.key) }
    }
}
