import BrainProtocol

extension BrainState {
    /// `CancelRun`: abandons the run (error_type `cancelled`) and its unfinished children.
    @usableFromInline
    mutating func cancelRun(runID: String, reason: String, now: Int64) -> Result<RunInfo, BrainError> {
        guard let key = runKey(runID), !runs[key].isDeleted else {
            return .failure(BrainError(.notFound, "run \(runID) does not exist"))
        }
        guard !runs[key].status.isTerminal else {
            return .failure(BrainError(.failedPrecondition, "run \(runID) is already \(runs[key].status.name); only an unfinished run can be cancelled"))
        }
        let message = reason.isEmpty ? "cancelled by a client" : reason
        var pending = [key]
        while let next = pending.popLast() {
            if !runs[next].status.isTerminal {
                abandon(key: next, errorType: "cancelled", message: message, now: now)
            }
            for child in runs[next].childRunIDs {
                if let childKey = runKey(child) { pending.append(childKey) }
            }
        }
        return .success(runs[key].info)
    }

    /// `DeleteRun`: a soft delete; the run disappears from standard queries.
    @usableFromInline
    mutating func deleteRun(runID: String, now: Int64) -> Result<RunInfo, BrainError> {
        guard let key = runKey(runID) else {
            return .failure(BrainError(.notFound, "run \(runID) does not exist"))
        }
        guard !runs[key].isDeleted else {
            return .failure(
                BrainError(
                    .failedPrecondition,
                    "run \(runID) was already deleted at \(RFC3339.format(runs[key].deletedAt)); see it with `brainctl run show \(runID) --include-deleted`"
                ))
        }
        runs[key].deletedAt = now
        runs[key].updatedAt = now
        // Hidden from every query: no timeout or agent going offline touches it any more.
        runDeadlines[key] = nil
        openRunsByAgent[runs[key].agentID]?.remove(key)
        note(.run(runs[key].info))
        return .success(runs[key].info)
    }

    /// Moves an unfinished run to `abandoned`.
    mutating func abandon(key: Int, errorType: String, message: String, now: Int64) {
        guard RunStateMachine.next(runs[key].status, on: .abandon) != nil else { return }
        runs[key].status = .abandoned
        runs[key].errorType = errorType
        runs[key].errorMessage = message
        runs[key].updatedAt = now
        finish(key: key, now: now)
        note(.run(runs[key].info))
    }

    /// Abandons every unfinished run of an agent that went offline.
    mutating func abandonOpenRuns(ofAgent agentID: String, now: Int64) {
        guard let open = openRunsByAgent[agentID] else { return }
        for key in open.sorted() {
            abandon(key: key, errorType: "agent_offline", message: "agent went offline before the run finished", now: now)
        }
    }

    /// Book-keeping when a run reaches a terminal status. Seed 000 sets `completed_at`
    /// for `completed` and `failed` only: an abandoned run keeps it empty.
    mutating func finish(key: Int, now: Int64) {
        if runs[key].status != .abandoned { runs[key].completedAt = now }
        runDeadlines[key] = nil
        openRunsByAgent[runs[key].agentID]?.remove(key)
    }
}
