import BrainCore
import BrainProtocol

extension BrainEngine {
    func startWatch(_ query: WatchQuery, callID: UInt64, from context: ConnectionContext) {
        guard context.watches.count < configuration.maxWatchesPerConnection else {
            context.append(.failure(callID, BrainError(.resourceExhausted, "this connection already has \(context.watches.count) watches (the limit); cancel one or open another connection")))
            return
        }
        if !query.runID.isEmpty {
            guard let run = state.run(id: query.runID), !run.isDeleted else {
                context.append(.failure(callID, BrainError(.notFound, "run \(query.runID) does not exist")))
                return
            }
            // Start with the run as it is, so the watcher needs no separate GetRun.
            context.append(.ok(callID, .watchEvent(.run(run.info))))
        }
        context.watches[callID] = query
        watchCount += 1
        updateChangeCollection()
    }

    /// Collect changes only while someone watches: building them costs allocations.
    func updateChangeCollection() {
        state.collectChanges = watchCount > 0
    }

    /// Sends the state's pending changes to every watch that follows them.
    func publishChanges() {
        guard state.collectChanges else { return }
        let changes = state.drainChanges()
        guard !changes.isEmpty else { return }
        for context in connections.values where !context.watches.isEmpty && !context.closing {
            for (callID, query) in context.watches.sorted(by: { $0.key < $1.key }) {
                for change in changes where matches(change, query) {
                    context.append(.ok(callID, .watchEvent(watchEvent(change))))
                }
            }
            context.flush()
        }
    }

    private func watchEvent(_ change: BrainChange) -> WatchEvent {
        switch change {
        case .run(let run): .run(run)
        case .step(let step): .step(step)
        case .agent(let agent): .agent(agent)
        }
    }

    private func matches(_ change: BrainChange, _ query: WatchQuery) -> Bool {
        switch change {
        case .agent:
            return query.agents
        case .run(let run):
            if !query.runID.isEmpty { return run.runID == query.runID.lowercased() }
            return query.project.isEmpty || run.project == query.project
        case .step(let step):
            if !query.runID.isEmpty { return step.runID == query.runID.lowercased() }
            return query.project.isEmpty || state.run(id: step.runID)?.project == query.project
        }
    }
}
