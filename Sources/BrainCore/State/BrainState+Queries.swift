import BrainProtocol

/// Page sizes of the list queries.
package enum PageLimits {
    package static let defaultPage = 50
    package static let maxPage = 1_000

    static func clamp(_ requested: UInt32) -> Int {
        requested == 0 ? defaultPage : min(Int(requested), maxPage)
    }
}

extension BrainState {
    /// `ListAgents`: every agent, or those of one project, by name.
    package func listAgents(project: String) -> [AgentInfo] {
        agents.values.filter { project.isEmpty || $0.project == project }
            .sorted { ($0.project, $0.name) < ($1.project, $1.name) }
            .map(\.info)
    }

    /// `ListRuns`: newest first, filtered, one page.
    package func listRuns(_ query: ListRunsQuery) -> Result<RunList, BrainError> {
        let limit = PageLimits.clamp(query.limit)
        var start = runs.count - 1
        if !query.cursor.isEmpty {
            // The serial of the last run listed: the page goes on with the runs before it.
            guard query.cursor.hasPrefix("r"), let serial = Int(query.cursor.dropFirst()), serial >= 0, serial <= nextRunSerial else {
                return .failure(BrainError(.invalidArgument, "cursor \"\(query.cursor)\" is not one this brain gave out; start without a cursor"))
            }
            start = runKey(before: serial)
        }
        let statuses = Set(query.statuses)
        let agentFilter = query.agent
        let parent = query.parentRunID.lowercased()
        func matches(_ run: Run) -> Bool {
            if run.isDeleted, !query.includeDeleted { return false }
            if !statuses.isEmpty, !statuses.contains(run.status) { return false }
            if !agentFilter.isEmpty, run.agentName != agentFilter, run.agentID != agentFilter { return false }
            if !query.project.isEmpty, run.project != query.project { return false }
            if !parent.isEmpty, run.parentRunID != parent { return false }
            if !query.runType.isEmpty, run.runType != query.runType { return false }
            if query.createdSince != 0, run.createdAt < query.createdSince { return false }
            if query.createdUntil != 0, run.createdAt > query.createdUntil { return false }
            return true
        }
        var page: [RunInfo] = []
        var key = start
        while key >= 0, page.count < limit {
            if matches(runs[key]) { page.append(runs[key].info) }
            key -= 1
        }
        // A cursor only when another matching run follows: a full last page must not send
        // the caller to an empty one.
        var next = key
        while next >= 0, !matches(runs[next]) { next -= 1 }
        return .success(RunList(runs: page, nextCursor: next >= 0 ? "r\(runs[next].serial + 1)" : ""))
    }

    /// The key of the newest run older than serial `serial` (below it), or -1 when none is.
    private func runKey(before serial: Int) -> Int {
        // Serials rise with keys.
        runs.partitionPoint { $0.pointee.serial >= serial } - 1
    }

    /// `GetRun`: the run, its children and its steps (optionally a seq range).
    package func getRun(_ query: GetRunQuery) -> Result<RunDetail, BrainError> {
        getRunSelection(query).map { run, steps in
            RunDetail(run: run.info, childRunIDs: run.childRunIDs, steps: steps.map { $0.info(runID: run.runID) })
        }
    }

    /// The run and the steps a `GetRun` asks for, without building the reply: the server
    /// writes it straight from the stored steps (``getRun(_:)`` builds the same reply).
    package func getRunSelection(_ query: GetRunQuery) -> Result<(run: Run, steps: ArraySlice<Step>), BrainError> {
        guard let run = run(id: query.runID) else {
            return .failure(BrainError(.notFound, "run \(query.runID) does not exist"))
        }
        guard query.includeDeleted || !run.isDeleted else {
            return .failure(BrainError(.notFound, Self.deletedMessage(run)))
        }
        let from = max(query.fromSeq, 1)
        let to = query.toSeq == 0 ? UInt32.max : query.toSeq
        let first = run.stepIndex(seq: from).index
        var end = first
        while end < run.steps.count, run.steps[end].seq <= to { end += 1 }
        return .success((run, run.steps[first..<end]))
    }

    /// `ListSteps`: a run's steps from a seq, one page.
    package func listSteps(_ query: ListStepsQuery) -> Result<StepList, BrainError> {
        guard let run = run(id: query.runID) else {
            return .failure(BrainError(.notFound, "run \(query.runID) does not exist"))
        }
        guard !run.isDeleted else { return .failure(BrainError(.notFound, Self.deletedMessage(run))) }
        let limit = PageLimits.clamp(query.limit)
        var index = run.stepIndex(seq: max(query.fromSeq, 1)).index
        var steps: [StepInfo] = []
        while index < run.steps.count, steps.count < limit {
            steps.append(run.steps[index].info(runID: run.runID))
            index += 1
        }
        let next = index < run.steps.count ? run.steps[index].seq : 0
        return .success(StepList(steps: steps, nextSeq: next))
    }

    /// `ListPersistenceErrors`: newest first, filtered, one page.
    package func listErrors(_ query: ListPersistenceErrorsQuery) -> Result<PersistenceErrorList, BrainError> {
        let limit = PageLimits.clamp(query.limit)
        var below = UInt64.max
        if !query.cursor.isEmpty {
            guard query.cursor.hasPrefix("e"), let serial = UInt64(query.cursor.dropFirst()) else {
                return .failure(BrainError(.invalidArgument, "cursor \"\(query.cursor)\" is not one this brain gave out; start without a cursor"))
            }
            below = serial
        }
        let runID = query.runID.lowercased()
        func matches(_ row: PersistenceErrorRecord) -> Bool {
            if row.serial >= below || row.deletedAt != 0 { return false }
            if !runID.isEmpty, row.runID != runID { return false }
            if !query.phase.isEmpty, row.phase != query.phase { return false }
            if query.since != 0, row.createdAt < query.since { return false }
            return true
        }
        var page: [PersistenceErrorInfo] = []
        var lastSerial: UInt64 = 0
        var index = persistenceErrors.count - 1
        while index >= 0, page.count < limit {
            if matches(persistenceErrors[index]) {
                page.append(persistenceErrors[index].info)
                lastSerial = persistenceErrors[index].serial
            }
            index -= 1
        }
        // As for runs: a cursor only when another matching row follows.
        while index >= 0, !matches(persistenceErrors[index]) { index -= 1 }
        return .success(PersistenceErrorList(errors: page, nextCursor: index >= 0 ? "e\(lastSerial)" : ""))
    }

    /// NOT_FOUND's text for a soft-deleted run: it is hidden, not gone, and can still be looked at.
    static func deletedMessage(_ run: Run) -> String {
        "run \(run.runID) was deleted at \(RFC3339.format(run.deletedAt)); see it with `brainctl run show \(run.runID) --include-deleted`"
    }
}
