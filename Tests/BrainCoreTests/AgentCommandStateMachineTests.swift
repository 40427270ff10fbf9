import Testing

@testable import BrainCore

/// ``AgentCommandStateMachine``: every state against every event, by table.
@Suite("Command to agent state machine")
struct AgentCommandStateMachineTests {
    typealias Machine = AgentCommandStateMachine

    struct Row: CustomTestStringConvertible, Sendable {
        var from: Machine
        var event: Machine.Event
        var to: Machine
        var transition: Machine.Transition

        init(
            _ from: AgentCommandState, _ event: Machine.Event, _ to: AgentCommandState, _ transition: Machine.Transition, late: Bool = false,
            toLate: Bool = false, lateOK: Bool = false
        ) {
            self.from = Machine(state: from, late: late, lateOK: late && lateOK)
            self.event = event
            self.to = Machine(state: to, late: toLate, lateOK: toLate && lateOK)
            self.transition = transition
        }

        var testDescription: String {
            "\(from.state.name)\(from.late ? " (late)" : "") + \(event) → \(to.state.name)\(to.late ? " (late)" : "") \(transition.rawValue)"
        }
    }

    static let rows: [Row] = [
        // Delivery.
        Row(.pending, .delivered, .delivered, .moved),
        Row(.delivered, .delivered, .delivered, .unchanged),
        Row(.acknowledged, .delivered, .acknowledged, .unchanged),
        Row(.succeeded, .delivered, .succeeded, .unchanged),
        Row(.timedOut, .delivered, .timedOut, .unchanged),
        // Receipt: may overtake the record of delivery; a second one changes nothing.
        Row(.pending, .received, .acknowledged, .moved),
        Row(.delivered, .received, .acknowledged, .moved),
        Row(.acknowledged, .received, .acknowledged, .unchanged),
        Row(.failed, .received, .failed, .unchanged),
        Row(.timedOut, .received, .timedOut, .unchanged),
        // The first result counts.
        Row(.pending, .result(ok: true), .succeeded, .moved),
        Row(.delivered, .result(ok: false), .failed, .moved),
        Row(.acknowledged, .result(ok: true), .succeeded, .moved),
        Row(.acknowledged, .result(ok: false), .failed, .moved),
        Row(.succeeded, .result(ok: false), .succeeded, .unchanged),
        Row(.failed, .result(ok: true), .failed, .unchanged),
        // The deadline.
        Row(.pending, .deadlinePassed, .timedOut, .moved),
        Row(.delivered, .deadlinePassed, .timedOut, .moved),
        Row(.acknowledged, .deadlinePassed, .timedOut, .moved),
        Row(.succeeded, .deadlinePassed, .succeeded, .unchanged),
        Row(.failed, .deadlinePassed, .failed, .unchanged),
        Row(.timedOut, .deadlinePassed, .timedOut, .unchanged),
        // A result after the deadline: kept, marked late, with its outcome; the state stays.
        Row(.timedOut, .result(ok: true), .timedOut, .markedLate, toLate: true, lateOK: true),
        Row(.timedOut, .result(ok: false), .timedOut, .markedLate, toLate: true, lateOK: false),
        Row(.timedOut, .result(ok: false), .timedOut, .unchanged, late: true, toLate: true, lateOK: true),
    ]

    @Test(arguments: rows)
    func transition(_ row: Row) {
        let (next, transition) = row.from.on(row.event)
        #expect(next == row.to)
        #expect(transition == row.transition)
    }

    @Test func everyCommandEndsInATerminalState() {
        let events: [Machine.Event] = [.delivered, .received, .result(ok: true), .result(ok: false), .deadlinePassed]
        for state in AgentCommandState.allCases {
            // Whatever happened before, the deadline or a result leaves it terminal.
            for last in [Machine.Event.deadlinePassed, .result(ok: true)] {
                #expect(Machine(state: state).on(last).next.state.isTerminal)
            }
            for event in events where state.isTerminal {
                #expect(Machine(state: state).on(event).next.state == state, "\(state) is terminal")
            }
        }
    }

    @Test func namesRoundTrip() {
        for state in AgentCommandState.allCases { #expect(AgentCommandState(name: state.name) == state) }
        for kind in AgentCommandKind.allCases { #expect(AgentCommandKind(name: kind.name) == kind) }
        #expect(AgentCommandState.timedOut.name == "timed_out")
    }
}
