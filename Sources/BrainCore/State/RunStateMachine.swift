import BrainProtocol

/// What can happen to a run's status.
package enum RunEvent: Hashable, Sendable, CaseIterable {
    case start
    case persist
    case complete
    case fail
    case abandon

    /// The event that moves a run to `status`, if any does.
    package init?(target status: RunStatus) {
        switch status {
        case .running: self = .start
        case .persisting: self = .persist
        case .completed: self = .complete
        case .failed: self = .fail
        case .abandoned: self = .abandon
        case .queued, .unspecified: return nil
        }
    }
}

/// The run lifecycle: `queued → running → persisting → completed`, `persisting` optional,
/// `failed` and `abandoned` from any non-terminal state; terminal states are final.
package enum RunStateMachine {
    /// The status after `event`, or `nil` when the transition is illegal.
    package static func next(_ status: RunStatus, on event: RunEvent) -> RunStatus? {
        switch (status, event) {
        case (.queued, .start): .running
        case (.running, .persist): .persisting
        case (.running, .complete), (.persisting, .complete): .completed
        case (.queued, .fail), (.running, .fail), (.persisting, .fail): .failed
        case (.queued, .abandon), (.running, .abandon), (.persisting, .abandon): .abandoned
        default: nil
        }
    }

    /// The statuses a run may be created in; seed 000's default is `running`.
    package static func initialStatus(_ requested: RunStatus) -> RunStatus? {
        switch requested {
        case .queued: .queued
        case .unspecified, .running: .running
        default: nil
        }
    }

    /// Why a transition is refused, in words a person can act on.
    package static func refusal(_ status: RunStatus, to target: RunStatus, runID: String) -> String {
        if status.isTerminal {
            return "run \(runID) is already \(status.name); a finished run cannot become \(target.name)"
        }
        switch target {
        case .queued, .unspecified:
            return "run \(runID) cannot move back to \(target.name); send running, persisting, completed, failed or abandoned"
        default:
            return
                "run \(runID) is \(status.name) and cannot become \(target.name) (allowed: queued → running → persisting → completed, failed or abandoned from any unfinished state)"
        }
    }
}
