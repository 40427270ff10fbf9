import BrainProtocol

extension BrainState {
    /// What a new `Watch` starts with: the run it follows as it is now (so the watcher needs
    /// no separate GetRun), nothing for a project or agent watch, or why it cannot start.
    package func watchStart(_ query: WatchQuery) -> Result<RunInfo?, BrainError> {
        guard !query.runID.isEmpty else { return .success(nil) }
        guard let run = run(id: query.runID) else {
            return .failure(BrainError(.notFound, "run \(query.runID) does not exist"))
        }
        guard !run.isDeleted else { return .failure(BrainError(.notFound, Self.deletedMessage(run))) }
        return .success(run.info)
    }

    /// Whether `change` is one a `Watch` with `query` follows: its run (status and steps),
    /// every run and step of its project (or of all projects), or agents changing state.
    package func watch(_ query: WatchQuery, follows change: BrainChange) -> Bool {
        switch change {
        case .agent:
            return query.agents
        case .command, .schedule, .scheduleRemoved:
            // The wire's Watch does not ask for them yet (the protocol's `commands` and
            // `schedules` flags): the server maps them once it does.
            return false
        case .run(let run):
            if !query.runID.isEmpty { return run.runID == query.runID.lowercased() }
            return query.project.isEmpty || run.project == query.project
        case .step(let step):
            if !query.runID.isEmpty { return step.runID == query.runID.lowercased() }
            return query.project.isEmpty || self.run(id: step.runID)?.project == query.project
        }
    }
}
