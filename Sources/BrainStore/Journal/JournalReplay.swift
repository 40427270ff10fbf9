public import BrainCore
import BrainProtocol

/// Applies journal records to a state, as the live brain did.
public enum JournalReplay {
    /// Applies one record. Records that no longer make sense (an event whose agent is
    /// gone) are skipped: replay never stops on the domain's own refusals, which the
    /// live brain recorded too.
    public static func apply(_ record: JournalRecord, to state: inout BrainState) {
        switch record {
        case .event(let agentID, let request, let now):
            guard let decoded = request.withUnsafeBytes({ try? WireCodec.decodeRequest($0) }),
                case .publish(let event) = decoded.method
            else { return }
            _ = state.apply(event, agentID: agentID, now: now)
        case .hello(let tokenHash, let request, let now):
            guard let decoded = request.withUnsafeBytes({ try? WireCodec.decodeRequest($0) }),
                case .hello(let hello) = decoded.method
            else { return }
            _ = state.hello(hello, tokenHash: tokenHash, now: now)
        case .createAgent(let name, let project, let tokenHash, let now):
            _ = state.createAgent(name: name, project: project, tokenHash: tokenHash, now: now)
        case .cancelRun(let runID, let reason, let now):
            _ = state.cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun(let runID, let now):
            _ = state.deleteRun(runID: runID, now: now)
        case .timeouts(let timeouts, let now):
            state.applyTimeouts(timeouts, now: now)
        case .error(let row, let now):
            state.recordError(
                phase: row.phase, runID: row.runID, project: row.project, agentName: row.agentName,
                errorType: row.errorType, message: row.message, stack: row.stack, payloadJSON: row.payloadJSON, now: now
            )
        }
    }
}
