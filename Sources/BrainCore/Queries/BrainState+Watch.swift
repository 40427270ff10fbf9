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
    /// every run and step of its project (or of all projects) unless `runs_off`, agents
    /// changing state, and, when asked for, the tasks, schedules and commands of its project
    /// (or of all projects).
    package func watch(_ query: WatchQuery, follows change: BrainChange) -> Bool {
        func inProject(_ project: String) -> Bool { query.project.isEmpty || project == query.project }
        switch change {
        case .agent:
            return query.agents
        case .task(let task):
            return query.tasks && inProject(task.project)
        case .command(let command):
            return query.commands && inProject(command.project)
        case .schedule(let schedule), .scheduleRemoved(let schedule):
            return query.schedules && inProject(schedule.project)
        case .run(let run):
            if query.runsOff { return false }
            if !query.runID.isEmpty { return run.runID == query.runID.lowercased() }
            return inProject(run.project)
        case .step(let step):
            if query.runsOff { return false }
            if !query.runID.isEmpty { return step.runID == query.runID.lowercased() }
            return query.project.isEmpty || self.run(id: step.runID)?.project == query.project
        }
    }
}
