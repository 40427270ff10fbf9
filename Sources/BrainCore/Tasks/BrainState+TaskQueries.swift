import BrainProtocol

extension BrainState {
    /// `ListTasks`: newest first (by first event), filtered, one page.
    package func listTasks(_ query: TaskQuery) -> Result<TaskPage, BrainError> {
        let limit = PageLimits.clamp(query.limit)
        let records = taskTable.records
        var start = records.count - 1
        if !query.cursor.isEmpty {
            // The serial of the last task listed: the page goes on with the tasks before it.
            guard query.cursor.hasPrefix("t"), let serial = Int(query.cursor.dropFirst()), serial >= 0, serial <= taskTable.nextSerial else {
                return .failure(BrainError(.invalidArgument, "cursor \"\(query.cursor)\" is not one this brain gave out; start without a cursor"))
            }
            start = taskTable.key(before: serial)
        }
        guard query.search.utf8.count <= TaskQuery.maxSearchBytes else {
            return .failure(BrainError(.invalidArgument, "search is \(query.search.utf8.count) bytes; the limit is \(TaskQuery.maxSearchBytes)"))
        }
        let states = Set(query.states)
        let needle = Array(query.search.utf8.map(Self.lowercased))
        func matches(_ task: TaskRecord) -> Bool {
            if !query.project.isEmpty, task.project != query.project { return false }
            if !states.isEmpty, !states.contains(task.state) { return false }
            if !query.engine.isEmpty, task.engine != query.engine { return false }
            if !query.name.isEmpty, task.name != query.name { return false }
            if !query.queue.isEmpty, task.queue != query.queue { return false }
            if !query.agent.isEmpty, task.agentID != query.agent, agents[task.agentID]?.name != query.agent { return false }
            if query.createdSince != 0, task.createdAt < query.createdSince { return false }
            if query.createdUntil != 0, task.createdAt > query.createdUntil { return false }
            if query.startedBefore != 0, task.state != .started || task.stateSince >= query.startedBefore { return false }
            if !needle.isEmpty, !Self.contains(task.argsJSON, needle), !Self.contains(task.kwargsJSON, needle) { return false }
            return true
        }
        var page: [TaskRecord] = []
        var key = start
        while key >= 0, page.count < limit {
            if matches(records[key]) { page.append(records[key]) }
            key -= 1
        }
        // As for runs: a cursor only when another matching task follows.
        var next = key
        while next >= 0, !matches(records[next]) { next -= 1 }
        return .success(TaskPage(tasks: page, nextCursor: next >= 0 ? "t\(records[next].serial + 1)" : ""))
    }

    /// `GetTask`: the task with its events in order (by the agent's clock, then by arrival).
    /// `project` and `engine` may be "" when the id alone names one task.
    package func task(id taskID: String, project: String = "", engine: String = "") -> Result<TaskRecord, BrainError> {
        let found = taskTable.keys(taskID: taskID).map { taskTable.records[$0] }.filter { task in
            (project.isEmpty || task.project == project) && (engine.isEmpty || task.engine == engine)
        }
        guard let first = found.first else { return .failure(BrainError(.notFound, "task \(taskID) does not exist")) }
        guard found.count == 1 else {
            let places = found.map { "\($0.engine) in project \($0.project)" }.joined(separator: ", ")
            return .failure(BrainError(.invalidArgument, "task id \(taskID) names \(found.count) tasks (\(places)); give the project and engine"))
        }
        return .success(first)
    }

    /// `TaskStats`: per task name, counts by state, runtime p50 and p99 and the failure rate;
    /// by name.
    package func taskStats(_ query: TaskStatsQuery) -> [TaskNameStats] {
        var counts: [String: TaskStateCounts] = [:]
        var runtimes: [String: [Int64]] = [:]
        for task in taskTable.records {
            if !query.project.isEmpty, task.project != query.project { continue }
            if !query.engine.isEmpty, task.engine != query.engine { continue }
            if !query.name.isEmpty, task.name != query.name { continue }
            if query.createdSince != 0, task.createdAt < query.createdSince { continue }
            if query.createdUntil != 0, task.createdAt > query.createdUntil { continue }
            counts[task.name, default: TaskStateCounts()][task.state] += 1
            if let runtime = task.runtimeNs { runtimes[task.name, default: []].append(runtime) }
        }
        return counts.keys.sorted().map { name in
            let stateCounts = counts[name] ?? TaskStateCounts()
            let sorted = (runtimes[name] ?? []).sorted()
            let failures = stateCounts[.failed] + stateCounts[.lost]
            let finished = failures + stateCounts[.succeeded]
            return TaskNameStats(
                name: name, counts: stateCounts, runtimeSamples: sorted.count, runtimeP50Ns: TaskNameStats.percentile(50, of: sorted),
                runtimeP99Ns: TaskNameStats.percentile(99, of: sorted), failureRate: finished == 0 ? nil : Double(failures) / Double(finished)
            )
        }
    }

    /// Whether `text` holds `needle` (lowercase ASCII), ignoring ASCII case; no allocation.
    static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let first = needle.first else { return true }
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) where lowercased(bytes[start]) == first {
                var offset = 1
                while offset < needle.count, lowercased(bytes[start + offset]) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            return false
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
}
