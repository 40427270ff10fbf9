public import BrainProtocol

/// An agent's session with the brain: hello, heartbeats on a timer, events numbered and
/// kept until acknowledged, reconnect with backoff and resend after a brain restart.
public actor AgentSession {
    /// Settings of a session.
    public struct Options: Sendable {
        public var socketPath: String
        public var hello: Hello
        /// Most events kept unacknowledged; publishing more fails with RESOURCE_EXHAUSTED.
        public var maxUnacked = 100_000
        /// How long to keep trying to reconnect before giving up.
        public var reconnectTimeoutSeconds: Double = 30

        /// - Parameters:
        ///   - socketPath: the brain's socket; by default ``DefaultPaths/socket`` (`$BRAIN_SOCKET`,
        ///     else `$XDG_RUNTIME_DIR/brain/brain.sock`, else `/tmp/brain-<uid>/brain.sock`).
        ///   - hello: the agent's name, token and adapters.
        public init(socketPath: String = DefaultPaths.socket, hello: Hello) {
            self.socketPath = socketPath
            self.hello = hello
        }
    }

    public let options: Options
    private var connection: BrainConnection?
    public private(set) var welcome: Welcome?
    private var nextSeq: UInt64 = 1
    public private(set) var ackedSeq: UInt64 = 0
    private var unacked: [(seq: UInt64, event: AgentEvent.Kind)] = []
    private var unackedStart = 0
    /// Events the brain refused, with its reasons.
    public private(set) var rejections: [(seq: UInt64, error: BrainError)] = []
    private var heartbeatTask: Task<Void, Never>?
    private var reconnectTask: Task<Void, Never>?
    private var closed = false
    private var generation = 0
    /// Set when reconnecting gave up or the brain refused a reconnect's hello.
    public private(set) var failure: BrainError?
    /// Acks, refusals and closes arrive here in order and are handled by one task, so a
    /// refusal is recorded before the ack that covers it.
    private let inbox: AsyncStream<Inbound>.Continuation
    /// The commands the brain sends this agent (`Response.agent_command`), in the order they
    /// arrive; see `AgentSession+Commands.swift`. Ends when the session closes.
    public nonisolated let commands: AsyncStream<AgentCommand>
    private let commandSink: AsyncStream<AgentCommand>.Continuation

    private enum Inbound: Sendable {
        case response(BrainResponse)
        case closed(generation: Int)
    }

    public init(options: Options) {
        self.options = options
        let (stream, continuation) = AsyncStream<Inbound>.makeStream()
        inbox = continuation
        (commands, commandSink) = AsyncStream<AgentCommand>.makeStream()
        // Ends when close() finishes the inbox.
        Task { [weak self] in
            for await message in stream {
                guard let self else { return }
                await self.receive(message)
            }
        }
    }

    private func receive(_ message: Inbound) {
        switch message {
        case .response(let response): unsolicited(response)
        case .closed(let generation): connectionClosed(generation: generation)
        }
    }

    /// Connects and says hello.
    /// - Throws: the brain's refusal (UNAUTHENTICATED, FAILED_PRECONDITION, ...) or UNAVAILABLE.
    @discardableResult
    public func start() async throws(BrainError) -> Welcome {
        try await connectOnce()
    }

    private func connectOnce() async throws(BrainError) -> Welcome {
        let connection = try await BrainConnection.connect(socketPath: options.socketPath)
        let result: BrainResponse.Result
        do {
            result = try await connection.call(.hello(options.hello))
        } catch {
            await connection.close()
            throw error
        }
        guard case .welcome(let welcome) = result else {
            await connection.close()
            throw BrainError(.internal, "the brain answered hello without a welcome")
        }
        generation += 1
        let generation = self.generation
        let inbox = self.inbox
        connection.onUnsolicited(
            { response in
                inbox.yield(.response(response))
            },
            onClose: { _ in
                inbox.yield(.closed(generation: generation))
            })
        self.connection = connection
        self.welcome = welcome
        acknowledge(through: welcome.lastSeq)
        if nextSeq <= welcome.lastSeq { nextSeq = welcome.lastSeq + 1 }
        // Resend everything the brain does not hold yet.
        let pendingEvents = unacked[unackedStart...].map { BrainRequest.Method.publish(AgentEvent(seq: $0.seq, kind: $0.event)) }
        if !pendingEvents.isEmpty { connection.send(pendingEvents) }
        startHeartbeats(intervalMs: welcome.heartbeatIntervalMs)
        return welcome
    }

    /// Publishes one event; returns its seq. It is sent now if connected, else on reconnect.
    /// - Throws: RESOURCE_EXHAUSTED when `maxUnacked` events already wait for an ack.
    @discardableResult
    public func publish(_ event: AgentEvent.Kind) throws(BrainError) -> UInt64 {
        try publish([event]).first ?? 0
    }

    /// Publishes several events in one write; returns their seqs.
    @discardableResult
    public func publish(_ events: [AgentEvent.Kind]) throws(BrainError) -> [UInt64] {
        guard !closed else { throw BrainError(.failedPrecondition, "the session is closed") }
        if let failure { throw failure }
        guard pendingCount + events.count <= options.maxUnacked else {
            throw BrainError(
                .resourceExhausted,
                "\(pendingCount) events wait for an acknowledgement (the limit is \(options.maxUnacked)); wait with flush() or raise maxUnacked")
        }
        var seqs: [UInt64] = []
        var methods: [BrainRequest.Method] = []
        for event in events {
            let seq = nextSeq
            nextSeq += 1
            unacked.append((seq, event))
            seqs.append(seq)
            methods.append(.publish(AgentEvent(seq: seq, kind: event)))
        }
        if let connection, connection.isActive { connection.send(methods) }
        return seqs
    }

    /// Events published and not yet acknowledged.
    public var pendingCount: Int { unacked.count - unackedStart }

    /// The seq of the last event published.
    public var lastPublishedSeq: UInt64 { nextSeq - 1 }

    /// Waits until every published event is acknowledged.
    /// - Throws: DEADLINE_EXCEEDED after `timeoutSeconds`.
    public func flush(timeoutSeconds: Double = 30) async throws(BrainError) {
        let target = lastPublishedSeq
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1_000))
        while ackedSeq < target {
            if let failure { throw failure }
            if ContinuousClock.now >= deadline {
                throw BrainError(.deadlineExceeded, "\(target - ackedSeq) events still unacknowledged after \(timeoutSeconds)s")
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Stops heartbeats and closes the connection. Unacknowledged events are dropped.
    public func close() async {
        closed = true
        heartbeatTask?.cancel()
        reconnectTask?.cancel()
        inbox.finish()
        commandSink.finish()
        await connection?.close()
        connection = nil
    }

    // MARK: Internals

    private func unsolicited(_ response: BrainResponse) {
        switch response.result {
        case .ack(let seq)?:
            acknowledge(through: seq)
        case .rejected(let seq)?:
            rejections.append((seq, response.error ?? BrainError(.unknown, "refused")))
        case .agentCommand(let command)?:
            commandSink.yield(command)
        default:
            break
        }
    }

    private func acknowledge(through seq: UInt64) {
        guard seq > ackedSeq else { return }
        ackedSeq = seq
        while unackedStart < unacked.count, unacked[unackedStart].seq <= seq { unackedStart += 1 }
        if unackedStart > 4_096, unackedStart * 2 > unacked.count {
            unacked.removeFirst(unackedStart)
            unackedStart = 0
        }
    }

    private func startHeartbeats(intervalMs: UInt32) {
        heartbeatTask?.cancel()
        let interval = max(10, Int(intervalMs))
        heartbeatTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(interval))
                await self?.sendHeartbeat()
            }
        }
    }

    private func sendHeartbeat() {
        connection?.send([.heartbeat(sentAt: 0)])
    }

    private func connectionClosed(generation: Int) {
        guard !closed, generation == self.generation else { return }
        connection = nil
        heartbeatTask?.cancel()
        guard reconnectTask == nil else { return }
        reconnectTask = Task { [weak self] in await self?.reconnectLoop() }
    }

    private func reconnectLoop() async {
        let deadline = ContinuousClock.now + .milliseconds(Int(options.reconnectTimeoutSeconds * 1_000))
        var delay = 50
        while !closed, ContinuousClock.now < deadline {
            do {
                _ = try await connectOnce()
                // The new connection may have closed already while hello was answered (a
                // brain killed again at once): its close was handled while this loop ran
                // and started no reconnect of its own, so go round instead of stopping.
                if let connection, connection.isActive {
                    reconnectTask = nil
                    return
                }
            } catch  where error.code == .unavailable {
                try? await Task.sleep(for: .milliseconds(delay))
                delay = min(delay * 2, 1_000)
            } catch {
                // The brain answered and refused (a wrong token, say): retrying cannot help.
                failure = error
                reconnectTask = nil
                return
            }
        }
        if !closed {
            failure = BrainError(
                .unavailable,
                "could not reconnect to the brain at \(options.socketPath) within \(options.reconnectTimeoutSeconds)s; \(pendingCount) events are unacknowledged"
            )
        }
        reconnectTask = nil
    }
}
