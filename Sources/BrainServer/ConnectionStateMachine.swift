/// One connection's life, apart from its channel: whether it said hello and as which agent,
/// whether it is being closed, and whether it is read (flow control, ``FlowControl``).
///
/// The connection's handler and the engine report what happened; the answers say what to
/// do (read or hold the read back, note an agent's sign of life, disconnect an agent). Pure
/// and synchronous: the tests drive it event by event. Checked once per frame on the hot
/// path, so the checks are a switch on a small enum, nothing more.
struct ConnectionStateMachine {
    /// Where the connection is in its life.
    enum State: Hashable, Sendable {
        /// Open, no hello yet: queries are answered, events refused.
        case awaitingHello
        /// Said hello as this agent.
        case agent(String)
        /// Being closed after a fatal error or by the brain's stop: nothing more is handled.
        case closing(agentID: String?)
        /// The channel closed and the engine forgot it.
        case closed

        /// Closing or closed.
        var handlesNothing: Bool {
            switch self {
            case .awaitingHello, .agent: false
            case .closing, .closed: true
            }
        }
    }

    /// What to do about SwiftNIO's request to read the socket.
    enum ReadAction: Hashable, Sendable {
        /// Pass it on.
        case read
        /// Hold it back until the replies have drained (it is passed on then).
        case hold
        /// Nothing: no read was wanted.
        case none
    }

    /// What to do once the channel closed.
    enum CloseAction: Hashable, Sendable {
        /// Forget the connection.
        case forget
        /// Forget it, and tell the state its agent disconnected.
        case disconnect(agentID: String)
        /// Nothing: it was already closed.
        case none
    }

    private(set) var state = State.awaitingHello {
        didSet { isClosing = state.handlesNothing }
    }
    /// Whether nothing more is handled: closing or closed. Kept beside ``state`` rather than
    /// read from it: it is asked several times per frame, and a switch over ``state`` copies
    /// the agent's name (a retain and a release) each time.
    private(set) var isClosing = false
    /// Set while the connection is not read because its replies wait unsent past the limit:
    /// its heartbeats then wait unread in the socket, so ``tick(unsent:)`` looks for another
    /// sign of life.
    private(set) var readPaused = false {
        didSet { if readPaused != oldValue { unsentAtLastTick = .max } }
    }
    /// SwiftNIO asked to read while reading was held back.
    private var readWanted = false
    /// The connection's unsent bytes at the last tick while paused: less now means the peer reads.
    private var unsentAtLastTick = Int.max
    /// Anything arrived in this read batch (a sign of life).
    private var heardFrom = false

    init() {}

    /// The agent the connection said hello as (kept while it closes, for the disconnection).
    var agentID: String? {
        switch state {
        case .agent(let agentID): agentID
        case .closing(let agentID): agentID
        case .awaitingHello, .closed: nil
        }
    }

    // MARK: Life

    /// A frame arrived. - Returns: whether to handle it (not once the connection closes).
    mutating func frameReceived() -> Bool {
        guard !isClosing else { return false }
        heardFrom = true
        return true
    }

    /// The state welcomed a hello: the connection speaks for `agentID` from now on (a
    /// re-hello may name another agent; the state decides whether it may).
    mutating func welcomed(agentID: String) {
        guard !isClosing else { return }
        state = .agent(agentID)
    }

    /// The read batch ended. - Returns: the agent to note as alive (something arrived).
    mutating func readBatchEnded() -> String? {
        defer { heardFrom = false }
        return heardFrom ? agentID : nil
    }

    /// A fatal problem: the connection answers it, then closes.
    /// - Returns: whether to send the error and close (false: it already closes).
    mutating func failed() -> Bool {
        guard !isClosing else { return false }
        state = .closing(agentID: agentID)
        return true
    }

    /// The brain stops: nothing more is handled, and the channel is closed at once (also
    /// one that was closing after an error reply, which would otherwise wait for its grace).
    mutating func stopping() {
        _ = failed()
    }

    /// The channel closed.
    mutating func channelClosed() -> CloseAction {
        let agentID = self.agentID
        guard state != .closed else { return .none }
        state = .closed
        readPaused = false
        readWanted = false
        return agentID.map { .disconnect(agentID: $0) } ?? .forget
    }

    // MARK: Flow control

    /// A read's frames stopped being handled: the replies reached their limit.
    mutating func repliesReachedLimit() {
        readPaused = true
    }

    /// SwiftNIO asks to read the socket.
    /// - Parameters:
    ///   - writable: whether the channel is writable (its unsent replies are under the mark).
    ///   - unreadWaiting: whether reads wait unhandled.
    mutating func readRequested(writable: Bool, unreadWaiting: Bool) -> ReadAction {
        if writable && !unreadWaiting { return .read }
        readWanted = true
        readPaused = true
        return .hold
    }

    /// The channel is writable and no read waits unhandled: reading resumes.
    /// - Returns: ``ReadAction/read`` when a read was held back.
    mutating func drained() -> ReadAction {
        readPaused = false
        guard readWanted else { return .none }
        readWanted = false
        return .read
    }

    /// The engine's tick, while paused. An agent whose connection is not read cannot be
    /// heard, through the brain's doing: it counts as alive as long as it still reads what
    /// it was sent. One that reads nothing either is as silent as any other.
    /// - Parameter unsent: the connection's bytes in SwiftNIO's buffer now.
    /// - Returns: the agent to note as alive.
    mutating func tick(unsent: Int) -> String? {
        guard readPaused, !isClosing else { return nil }
        defer { unsentAtLastTick = unsent }
        return unsent < unsentAtLastTick ? agentID : nil
    }
}
