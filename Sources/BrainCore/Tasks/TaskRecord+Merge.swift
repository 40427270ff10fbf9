import BrainProtocol

extension TaskRecord {
    /// Merges one event into the task (``TaskStateMachine`` decides the state) and keeps it in
    /// the history; returns the rule that decided. `first` for the event that creates the task.
    ///
    /// Besides the state: the event that sets the state also sets the task's name, queue,
    /// group, args and kwargs when it carries them; any other event only fills those that are
    /// still empty. Times belong to the current attempt (a new attempt clears the started and
    /// finished times and the error); `enqueued_at` keeps the earliest `task_sent`. `names`
    /// hands out the task names (one string per name, whichever task holds it).
    mutating func absorb(_ report: some TaskEventSource, agentID reporter: String, now: Int64, first: Bool, names: inout TextInterner) -> TaskMergeRule {
        let (next, rule) =
            first
            ? (TaskStateMachine.start(report.kind, attempt: report.attempt, ts: report.ts), .created)
            : machine.merging(report.kind, attempt: report.attempt, ts: report.ts)
        if rule == .newAttempt {
            startedAt = 0
            finishedAt = 0
            error = nil
        }
        let applied = rule.changesState
        // Built once (from three texts), for the record and the event.
        let eventError = report.error
        if applied {
            state = next.state
            attempt = next.attempt
            stateTs = next.stateTs
            stateSince = now
            stateReason = ""
            // Who sent a task is not who runs it: only the first event's sender or a worker's event names the agent.
            if first || report.kind != .taskSent { agentID = reporter }
        }
        report.fillName(&name, overwrite: applied, names: &names)
        report.fill(&queue, with: .queue, overwrite: applied)
        report.fill(&groupID, with: .groupID, overwrite: applied)
        report.fill(&argsJSON, with: .args, overwrite: applied)
        report.fill(&kwargsJSON, with: .kwargs, overwrite: applied)
        report.fill(&retriedAs, with: .retriedAs, overwrite: true)
        if rule != .olderAttempt { takeTimes(of: report, applied: applied) }
        if applied {
            switch report.kind {
            case .succeeded: error = nil
            case .failed, .retry: error = eventError
            case .expired: stateReason = "expired"
            case .taskSent, .started, .cancelled: break
            }
        } else if rule == .sameState, error == nil, report.kind == .failed || report.kind == .retry {
            error = eventError
        }
        let event = TaskEvent(
            kind: report.kind, attempt: report.attempt, ts: report.ts, createdAt: now, agentID: reporter, agentSeq: report.seq,
            error: eventError, payloadJSON: report.payloadJSON, rule: rule
        )
        // After every event with the same timestamp or earlier: by the agent's clock, then by
        // arrival. Most events come in order, and appending them is cheaper than an insert.
        // (`events.last` would copy the last event, retaining its texts, to read its time.)
        if events.isEmpty || events[events.count - 1].ts <= report.ts {
            events.append(consume event)
            updatedAt = now
            return rule
        }
        var low = 0
        var high = events.count
        while low < high {
            let middle = (low + high) / 2
            if events[middle].ts <= report.ts { low = middle + 1 } else { high = middle }
        }
        events.insert(event, at: low)
        updatedAt = now
        return rule
    }

    private mutating func takeTimes(of report: some TaskEventSource, applied: Bool) {
        switch report.kind {
        case .taskSent:
            if enqueuedAt == 0 || report.ts < enqueuedAt { enqueuedAt = report.ts }
        case .started:
            if applied || startedAt == 0 { startedAt = report.ts }
        case .succeeded, .failed, .cancelled, .expired:
            if applied { finishedAt = report.ts }
        case .retry:
            break
        }
    }
}
