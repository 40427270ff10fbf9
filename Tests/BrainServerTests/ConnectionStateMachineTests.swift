import Testing

@testable import BrainServer

/// One connection's life, event by event: hello, closing after a fatal error or at the
/// brain's stop, the disconnection of its agent, and reading held back while its replies
/// wait unsent.
struct ConnectionStateMachineTests {
    /// One thing that happens to the connection.
    enum Step: Sendable {
        case frame
        case welcomed(String)
        case batchEnds
        case fails
        case stops
        case channelCloses
        case repliesReachLimit
        /// SwiftNIO asks to read.
        case readRequested(writable: Bool, unreadWaiting: Bool)
        case drained
        /// The engine's tick, with the connection's unsent bytes.
        case tick(unsent: Int)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var log: [String]
        var state: ConnectionStateMachine.State
        var readPaused = false

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a new connection awaits its hello and handles frames", steps: [.frame], log: ["handle"], state: .awaitingHello),
        Case(
            name: "a welcomed hello makes it the agent's, and a frame in a batch is its sign of life",
            steps: [.frame, .welcomed("a1"), .batchEnds, .batchEnds],
            log: ["handle", "alive a1"], state: .agent("a1")
        ),
        Case(
            name: "before hello a batch is nobody's sign of life",
            steps: [.frame, .batchEnds], log: ["handle"], state: .awaitingHello
        ),
        Case(
            name: "a re-hello may name another agent",
            steps: [.welcomed("a1"), .welcomed("a2")], log: [], state: .agent("a2")
        ),
        Case(
            name: "a fatal error closes once, keeps the agent for its disconnection, and nothing more is handled",
            steps: [.welcomed("a1"), .fails, .fails, .frame, .welcomed("a2"), .channelCloses, .channelCloses],
            log: ["reply and close", "ignore", "drop frame", "disconnect a1", "none"], state: .closed
        ),
        Case(
            name: "a connection without hello is only forgotten",
            steps: [.channelCloses], log: ["forget"], state: .closed
        ),
        Case(
            name: "the brain's stop ends the handling of every connection, closing or not",
            steps: [.welcomed("a1"), .stops, .frame, .fails, .stops, .channelCloses],
            log: ["drop frame", "ignore", "disconnect a1"], state: .closed
        ),
        Case(
            name: "SwiftNIO's read passes while the connection is writable and nothing waits",
            steps: [.readRequested(writable: true, unreadWaiting: false)], log: ["read"], state: .awaitingHello
        ),
        Case(
            name: "an unwritable connection is not read until it drains",
            steps: [.readRequested(writable: false, unreadWaiting: false), .drained, .drained],
            log: ["hold", "read", "none"], state: .awaitingHello
        ),
        Case(
            name: "reads that wait unhandled hold the next read back",
            steps: [.repliesReachLimit, .readRequested(writable: true, unreadWaiting: true)],
            log: ["hold"], state: .awaitingHello, readPaused: true
        ),
        Case(
            name: "a paused agent that reads what it was sent counts as alive; one that reads nothing does not",
            steps: [.welcomed("a1"), .repliesReachLimit, .tick(unsent: 900), .tick(unsent: 800), .tick(unsent: 800), .tick(unsent: 900)],
            log: ["alive a1", "alive a1"], state: .agent("a1"), readPaused: true
        ),
        Case(
            name: "a tick finds nothing on a connection that is read, or closing",
            steps: [.welcomed("a1"), .tick(unsent: 10), .repliesReachLimit, .fails, .tick(unsent: 5)],
            log: ["reply and close"], state: .closing(agentID: "a1"), readPaused: true
        ),
        Case(
            name: "each pause starts the reading count afresh",
            steps: [.welcomed("a1"), .repliesReachLimit, .tick(unsent: 500), .drained, .repliesReachLimit, .tick(unsent: 900)],
            log: ["alive a1", "none", "alive a1"], state: .agent("a1"), readPaused: true
        ),
    ]

    @Test(arguments: cases)
    func theConnectionDoesWhatTheTableSays(_ testCase: Case) {
        var machine = ConnectionStateMachine()
        var log: [String] = []
        for step in testCase.steps {
            switch step {
            case .frame: log.append(machine.frameReceived() ? "handle" : "drop frame")
            case .welcomed(let agentID): machine.welcomed(agentID: agentID)
            case .batchEnds: if let agentID = machine.readBatchEnded() { log.append("alive \(agentID)") }
            case .fails: log.append(machine.failed() ? "reply and close" : "ignore")
            case .stops: machine.stopping()
            case .channelCloses:
                switch machine.channelClosed() {
                case .forget: log.append("forget")
                case .disconnect(let agentID): log.append("disconnect \(agentID)")
                case .none: log.append("none")
                }
            case .repliesReachLimit: machine.repliesReachedLimit()
            case .readRequested(let writable, let unreadWaiting): log.append("\(machine.readRequested(writable: writable, unreadWaiting: unreadWaiting))")
            case .drained: log.append("\(machine.drained())")
            case .tick(let unsent): if let agentID = machine.tick(unsent: unsent) { log.append("alive \(agentID)") }
            }
            // The flag asked per frame always says what the state says.
            #expect(machine.isClosing == machine.state.handlesNothing, "after \(step)")
        }
        #expect(log == testCase.log)
        #expect(machine.state == testCase.state)
        #expect(machine.readPaused == testCase.readPaused)
    }
}
