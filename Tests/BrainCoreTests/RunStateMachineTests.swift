import BrainProtocol
import Testing

@testable import BrainCore

/// The run lifecycle table: every status × every event.
@Suite("RunStateMachine")
struct RunStateMachineTests {
    /// The complete legal table; everything not listed is illegal.
    static let legal: [RunStatus: [RunEvent: RunStatus]] = [
        .queued: [.start: .running, .fail: .failed, .abandon: .abandoned],
        .running: [.persist: .persisting, .complete: .completed, .fail: .failed, .abandon: .abandoned],
        .persisting: [.complete: .completed, .fail: .failed, .abandon: .abandoned],
    ]

    @Test("next(status, on: event) follows the legal table exactly", arguments: RunStatus.allCases, RunEvent.allCases)
    func transitionTable(_ status: RunStatus, _ event: RunEvent) {
        #expect(RunStateMachine.next(status, on: event) == Self.legal[status]?[event])
    }

    @Test("terminal and unspecified statuses accept no event", arguments: [RunStatus.completed, .failed, .abandoned, .unspecified])
    func finalStatuses(_ status: RunStatus) {
        for event in RunEvent.allCases {
            #expect(RunStateMachine.next(status, on: event) == nil, "\(status.name) on \(event)")
        }
    }

    @Test("spot checks: no skipping ahead from queued, no going back")
    func spotChecks() {
        #expect(RunStateMachine.next(.queued, on: .persist) == nil)
        #expect(RunStateMachine.next(.queued, on: .complete) == nil)
        #expect(RunStateMachine.next(.running, on: .start) == nil)
        #expect(RunStateMachine.next(.persisting, on: .persist) == nil)
        #expect(RunStateMachine.next(.persisting, on: .start) == nil)
    }

    @Test("initialStatus: seed 000's default is running; queued starts queued, others refused", arguments: RunStatus.allCases)
    func initialStatus(_ requested: RunStatus) {
        let expected: RunStatus? =
            switch requested {
            case .queued: .queued
            case .unspecified, .running: .running
            default: nil
            }
        #expect(RunStateMachine.initialStatus(requested) == expected)
    }

    @Test("RunEvent(target:) names the event that reaches each status", arguments: RunStatus.allCases)
    func eventForTarget(_ target: RunStatus) {
        let expected: RunEvent? =
            switch target {
            case .running: .start
            case .persisting: .persist
            case .completed: .complete
            case .failed: .fail
            case .abandoned: .abandon
            case .queued, .unspecified: nil
            }
        #expect(RunEvent(target: target) == expected)
        if let event = expected {
            // Whenever an event is legal it leads to the status it was derived from.
            for status in RunStatus.allCases {
                if let next = RunStateMachine.next(status, on: event) { #expect(next == target) }
            }
        }
    }

    @Test("isTerminal holds for completed, failed and abandoned only", arguments: RunStatus.allCases)
    func terminalStatuses(_ status: RunStatus) {
        #expect(status.isTerminal == [.completed, .failed, .abandoned].contains(status))
    }

    @Test("refusal messages say why")
    func refusalMessages() {
        #expect(RunStateMachine.refusal(.completed, to: .running, runID: "r1").contains("already completed"))
        #expect(RunStateMachine.refusal(.running, to: .queued, runID: "r1").contains("cannot move back to queued"))
        #expect(RunStateMachine.refusal(.queued, to: .persisting, runID: "r1").contains("queued and cannot become persisting"))
    }

    @Test("status names parse back, case-insensitively; unspecified does not", arguments: RunStatus.allCases)
    func statusNames(_ status: RunStatus) {
        let parsed = RunStatus(name: status.name.uppercased())
        #expect(parsed == (status == .unspecified ? nil : status))
    }
}
