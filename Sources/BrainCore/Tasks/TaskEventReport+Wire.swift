import BrainProtocol

extension TaskEventKind {
    /// The domain kind of a wire kind; `nil` for `unspecified` (an event that says nothing).
    package init?(_ wire: WireTaskEventKind) {
        switch wire {
        case .unspecified: return nil
        case .taskSent: self = .taskSent
        case .started: self = .started
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .retry: self = .retry
        case .cancelled: self = .cancelled
        case .expired: self = .expired
        }
    }

    /// The kind as the wire spells it.
    package var wire: WireTaskEventKind {
        switch self {
        case .taskSent: .taskSent
        case .started: .started
        case .succeeded: .succeeded
        case .failed: .failed
        case .retry: .retry
        case .cancelled: .cancelled
        case .expired: .expired
        }
    }
}

extension TaskState {
    /// The domain state of a wire state; `nil` for `unspecified`.
    package init?(_ wire: WireTaskState) {
        switch wire {
        case .unspecified: return nil
        case .pending: self = .pending
        case .started: self = .started
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .retried: self = .retried
        case .lost: self = .lost
        }
    }

    /// The state as the wire spells it.
    package var wire: WireTaskState {
        switch self {
        case .pending: .pending
        case .started: .started
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .retried: .retried
        case .lost: .lost
        }
    }
}

extension TaskEventReport {
    /// The engine a task event names when it names none (`TaskEventReported.engine` "").
    package static let defaultEngine = defaultEngineLiteral.description
    /// ``defaultEngine`` as a literal, whose bytes an event read in place is compared with.
    static let defaultEngineLiteral: StaticString = "celery"
}

extension TaskEventReported {
    /// The wire form of a report (after redaction, what `--record` keeps of a task event).
    package init(_ report: TaskEventReport) {
        self = report.fields
        kind = report.kind.wire
    }
}
