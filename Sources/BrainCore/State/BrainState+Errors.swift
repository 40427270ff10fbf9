import BrainProtocol

extension BrainState {
    /// Records a refused agent event in the sink and returns it as the outcome.
    mutating func reject(_ error: BrainError, phase: String, runID: String, agent: Agent, payload: String, now: Int64) -> EventOutcome {
        recordError(
            phase: phase, runID: runID, project: agent.project, agentName: agent.name, errorType: Self.errorType(for: error.code),
            message: error.message, stack: "agent \(agent.name) (\(agent.agentID)) event", payloadJSON: payload, now: now
        )
        return .rejected(error)
    }

    /// Appends a row to the persistence-error sink (append-only); on about one write in
    /// `errorPruneEvery`, rows past the retention are pruned.
    @usableFromInline
    mutating func recordError(
        phase: String, runID: String = "", project: String = "", agentName: String = "", errorType: String,
        message: String, stack: String = "", payloadJSON: String = "", now: Int64
    ) {
        errorSerial += 1
        revision &+= 1
        persistenceErrors.append(
            PersistenceErrorRecord(
                serial: errorSerial, errorID: DeterministicID.make("error", String(errorSerial), String(now)), runID: runID.lowercased(), phase: phase,
                project: project, agentName: agentName, errorType: errorType, errorMessage: message, stack: stack,
                payloadJSON: payloadJSON, createdAt: now
            ))
        if configuration.errorPruneEvery > 0, errorSerial % UInt64(configuration.errorPruneEvery) == 0 {
            pruneErrors(now: now)
        }
    }

    /// Retention, as seed 001 has it: rows older than the retention are soft-deleted
    /// (`deleted_at` set, hidden from queries), and rows soft-deleted longer than the
    /// retention ago are dropped, so the sink holds at most about two retentions of rows.
    /// A retention of 0 keeps every row for ever. Also run at every snapshot.
    @usableFromInline
    mutating func pruneErrors(now: Int64) {
        guard configuration.errorRetentionNs > 0 else { return }
        let cutoff = now - configuration.errorRetentionNs
        // Rows are in creation order, so the soft-deleted ones are a prefix.
        guard let first = persistenceErrors.first, first.createdAt < cutoff else { return }
        var index = 0
        var changed = false
        while index < persistenceErrors.count, persistenceErrors[index].createdAt < cutoff {
            if persistenceErrors[index].deletedAt == 0 {
                persistenceErrors[index].deletedAt = now
                changed = true
            }
            index += 1
        }
        let purged = persistenceErrors.prefix { $0.deletedAt != 0 && $0.deletedAt < cutoff }.count
        if purged > 0 {
            persistenceErrors.removeFirst(purged)
            changed = true
        }
        if changed { revision &+= 1 }
    }

    /// Sink rows not soft-deleted: what queries and counts show.
    package var liveErrorCount: Int {
        persistenceErrors.count - persistenceErrors.prefix { $0.deletedAt != 0 }.count
    }

    /// The sink's error_type for a status code, in the seed's exception-class style.
    static func errorType(for code: StatusCode) -> String {
        switch code {
        case .notFound: "EntityNotFoundError"
        case .alreadyExists: "ConflictError"
        case .failedPrecondition: "IllegalTransitionError"
        case .invalidArgument: "ValidationError"
        case .permissionDenied: "PermissionError"
        case .unimplemented: "UnsupportedEventError"
        default: "BrainError"
        }
    }
}
