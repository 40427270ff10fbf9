import BrainProtocol

extension BrainState {
    /// What each project's retention (``RetentionSettings``) removes at `now`, at most `limit`
    /// items (a sweep is applied on the event loop: many small sweeps never stall ingestion
    /// the way one large one would; the rest is found by the next).
    ///
    /// The rules:
    /// - only finished records go: terminal runs (by their last change, brain clock), terminal
    ///   tasks (by when they entered their state), events of terminal tasks, sink rows, finished
    ///   commands to agents (by the tasks' retention, from when they finished); nothing
    ///   unfinished is ever removed, and a run goes only with all of its child runs;
    /// - a retention of 0 keeps that kind for ever;
    /// - failed items are kept exactly as long as succeeded ones (one setting per kind), so a
    ///   failed one is never removed before a succeeded one of the same age.
    package func dueRetention(now: Int64, limit: Int = 10_000) -> RetentionSweep {
        var sweep = RetentionSweep()
        var budget = max(limit, 0)
        func cutoff(_ project: String, _ kind: KeyPath<RetentionSettings, Int64>) -> Int64? {
            let retention = (projects[project.isEmpty ? Project.defaultName : project]?.settings.retention ?? RetentionSettings())[keyPath: kind]
            return retention > 0 ? now - retention : nil
        }
        // Runs: newest first, so a parent is judged after its children (created after it).
        var removable: Set<String> = []
        for run in runs.reversed() where budget > 0 {
            guard run.status.isTerminal, let before = cutoff(run.project, \.runsNs), run.updatedAt < before,
                run.childRunIDs.allSatisfy({ removable.contains($0) || self.run(id: $0) == nil })
            else { continue }
            removable.insert(run.runID)
            sweep.runIDs.append(run.runID)
            budget -= 1
        }
        sweep.runIDs.reverse()
        for task in taskTable.records where budget > 0 && task.state.isTerminal {
            let ref = TaskRef(project: task.project, engine: task.engine, taskID: task.taskID)
            if let before = cutoff(task.project, \.tasksNs), task.stateSince < before {
                sweep.tasks.append(ref)
                budget -= 1
            } else if let before = cutoff(task.project, \.taskEventsNs), let first = task.events.map(\.createdAt).min(), first < before {
                sweep.taskEvents.append(TaskEventTrim(task: ref, createdBefore: before))
                budget -= 1
            }
        }
        for row in persistenceErrors where budget > 0 {
            guard let before = cutoff(row.project, \.sinkRowsNs), row.createdAt < before else { continue }
            sweep.sinkSerials.append(row.serial)
            budget -= 1
        }
        for command in commandTable.records where budget > 0 && command.state.isTerminal {
            guard let before = cutoff(command.project, \.tasksNs), command.finishedAt < before else { continue }
            sweep.commandIDs.append(command.commandID)
            budget -= 1
        }
        return sweep
    }

    /// Removes what a sweep lists, from memory and so from the next snapshot. Runs and tasks
    /// are renumbered (their keys are positions); list cursors name their serials, which never
    /// move. Anything that became unfinished or went since is left alone.
    @usableFromInline
    mutating func applyRetention(_ sweep: RetentionSweep, now: Int64) {
        if !sweep.runIDs.isEmpty { removeRuns(Set(sweep.runIDs.compactMap { runKey($0) }.filter { runs[$0].status.isTerminal })) }
        if !sweep.tasks.isEmpty || !sweep.taskEvents.isEmpty { sweepTasks(sweep) }
        if !sweep.sinkSerials.isEmpty {
            let serials = Set(sweep.sinkSerials)
            let before = persistenceErrors.count
            persistenceErrors.removeAll { serials.contains($0.serial) }
            if persistenceErrors.count != before { revision &+= 1 }
        }
        if !sweep.commandIDs.isEmpty { removeCommands(sweep.commandIDs) }
    }

    /// Drops finished commands and renumbers the rest (their keys are positions).
    private mutating func removeCommands(_ commandIDs: [String]) {
        let gone = Set(commandIDs.compactMap { commandTable.key($0) }.filter { commandTable.records[$0].state.isTerminal })
        guard !gone.isEmpty else { return }
        var records = commandTable.records.filter { !gone.contains($0.key) }
        for index in records.indices { records[index].key = index }
        // The records are consistent (they were the table's), so the rebuild cannot fail.
        commandTable = (try? AgentCommandTable(restoring: records, issued: commandTable.issued)) ?? commandTable
        revision &+= 1
    }

    /// Drops the runs at `keys` and renumbers the rest, rebuilding every index over run keys.
    private mutating func removeRuns(_ keys: Set<Int>) {
        guard !keys.isEmpty else { return }
        var kept = RunTable()
        var newKey: [Int: Int] = [:]
        for run in runs where !keys.contains(run.key) {
            var moved = run
            newKey[run.key] = kept.count
            moved.key = kept.count
            kept.append(moved)
        }
        runs = kept
        runKeys = [:]
        stepCount = 0
        for run in runs {
            if let key = RunKey(run.runID) { runKeys[key] = run.key }
            stepCount += UInt64(run.steps.count)
        }
        openRunsByAgent = openRunsByAgent.mapValues { Set($0.compactMap { newKey[$0] }) }.filter { !$0.value.isEmpty }
        runDeadlines = Dictionary(uniqueKeysWithValues: runDeadlines.compactMap { entry in newKey[entry.key].map { ($0, entry.value) } })
        // The cache holds a run key, which has just moved.
        recentStepRun = RecentRunID()
        revision &+= 1
    }

    /// Drops the swept tasks (renumbering the rest) and trims old events of kept ones.
    private mutating func sweepTasks(_ sweep: RetentionSweep) {
        var records = taskTable.records
        var changed = false
        for trim in sweep.taskEvents {
            guard let key = taskTable.key(project: trim.task.project, engine: trim.task.engine, taskID: trim.task.taskID), records[key].state.isTerminal
            else { continue }
            let before = records[key].events.count
            records[key].events.removeAll { $0.createdAt < trim.createdBefore }
            changed = changed || records[key].events.count != before
        }
        let gone = Set(
            sweep.tasks.compactMap { ref in taskTable.key(project: ref.project, engine: ref.engine, taskID: ref.taskID) }.filter {
                records[$0].state.isTerminal
            })
        if !gone.isEmpty {
            records = ChunkedArray(records.lazy.filter { !gone.contains($0.key) })
            for index in records.indices { records[index].key = index }
            changed = true
        }
        guard changed else { return }
        // The records are consistent (they were the table's), so the rebuild cannot fail.
        taskTable = (try? TaskTable(restoring: records, nextSerial: taskTable.nextSerial)) ?? taskTable
        revision &+= 1
    }
}
