import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A brain that closes a reconnect's connection right after answering its hello (the race
/// fixed in 666020a): the session must go round its reconnect loop again instead of
/// taking the dead connection for a live one and waiting for acks forever.
@Suite(.timeLimit(.minutes(1)))
struct AgentSessionHelloRaceTests {
    @Test func aReconnectWhoseConnectionClosesRightAfterWelcomeKeepsReconnectingUntilEverythingIsAcked() async throws {
        let count = 5
        let brain = try HelloRaceBrain(eventsOnFirstConnection: count)
        defer { brain.stop() }
        var options = AgentSession.Options(socketPath: brain.socketPath, hello: Hello(agentName: "hello-race", token: "t"))
        options.reconnectTimeoutSeconds = 10
        let session = AgentSession(options: options)
        try await session.start()
        let runID = "5b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"
        for seq in 1...UInt32(count) {
            try await session.publish(.step(StepReported(runID: runID, seq: seq, stepName: "step-\(seq)", status: .ok)))
        }

        let allAcked = try await eventually(10) { await session.ackedSeq == UInt64(count) }
        let acked = await session.ackedSeq
        let failure = await session.failure
        await session.close()

        #expect(allAcked, "only \(acked) of \(count) events acknowledged: the session stopped reconnecting")
        #expect(failure == nil)
        let seen = brain.publishedSeqs
        #expect(seen.count >= 3, "the fake brain saw \(seen.count) connections")
        #expect(seen.first == Array(1...UInt64(count)), "the first connection received \(seen.first ?? [])")
        #expect(seen.dropFirst(2).first == Array(1...UInt64(count)), "the third connection received \(seen.dropFirst(2).first ?? [])")
    }
}

/// A fake brain on a Unix socket, served by a thread of its own, one connection at a time:
/// 1. welcome (lastSeq 0), reads `eventsOnFirstConnection` events without acking any, closes;
/// 2. welcome, then closes at once, before the client can register its close handler;
/// 3. and later: welcome (lastSeq 0), then a cumulative ack after every event.
private final class HelloRaceBrain: @unchecked Sendable {
    // @unchecked: `seqs` and `stopped` are only touched while holding `lock`; the listening
    // socket and every accepted one belong to the serving thread.
    let socketPath: String
    private let listener: Int32
    private let eventsOnFirstConnection: Int
    private let lock = NSLock()
    private var seqs: [[UInt64]] = []
    private var stopped = false

    init(eventsOnFirstConnection: Int) throws {
        self.eventsOnFirstConnection = eventsOnFirstConnection
        socketPath = "/tmp/brain-hello-race-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        listener = try UnixSocket.listen(at: socketPath, backlog: 8)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The seqs of the events each connection received, in connection order.
    var publishedSeqs: [[UInt64]] { lock.withLock { seqs } }

    /// Ends the serving thread (within about 50 ms), which closes its sockets.
    func stop() { lock.withLock { stopped = true } }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        defer {
            Glibc.close(listener)
            unlink(socketPath)
        }
        while !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            let index = lock.withLock {
                seqs.append([])
                return seqs.count - 1
            }
            handle(FrameSocket(fd: fd), index: index)
            Glibc.close(fd)
        }
    }

    private func handle(_ socket: FrameSocket, index: Int) {
        guard let hello = read(socket), case .hello = hello.method else { return }
        let welcome = Welcome(
            agentID: "agent-1", heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 180_000, lastSeq: 0, registered: true,
            protocolVersion: WireConstants.protocolVersion, project: "")
        guard socket.write(.ok(hello.callID, .welcome(welcome))) else { return }
        switch index {
        case 0:
            // Takes the events and acks none of them, then goes away.
            while lock.withLock({ seqs[index].count }) < eventsOnFirstConnection, let request = read(socket) {
                record(request, index: index)
            }
        case 1:
            // Closed right after the welcome: the race.
            return
        default:
            while let request = read(socket) {
                guard let seq = record(request, index: index) else { continue }
                guard socket.write(.ok(0, .ack(ackedSeq: seq))) else { return }
            }
        }
    }

    /// Notes a published event's seq; returns it.
    @discardableResult
    private func record(_ request: BrainRequest, index: Int) -> UInt64? {
        guard case .publish(let event) = request.method else { return nil }
        lock.withLock { seqs[index].append(event.seq) }
        return event.seq
    }

    /// The next request, or nil when the peer closed, the bytes do not decode, or the fake is stopped.
    private func read(_ socket: FrameSocket) -> BrainRequest? {
        guard let body = socket.readFrame(until: { self.isStopped }) else { return nil }
        return try? body.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeRequest(bytes) }
    }
}

/// Length-prefixed frames on a blocking socket the caller owns.
private final class FrameSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// Writes one response, framed; false when the peer is gone.
    func write(_ response: BrainResponse) -> Bool {
        UnixSocket.writeAll(fd, UnixSocket.frame(response))
    }

    /// One frame's body; nil when the peer closed or `stop` says to give up.
    func readFrame(until stop: () -> Bool) -> [UInt8]? {
        while true {
            if buffer.count >= 4 {
                let length = buffer[0..<4].reduce(0) { $0 << 8 | Int($1) }
                if buffer.count >= 4 + length {
                    let body = Array(buffer[4..<(4 + length)])
                    buffer.removeFirst(4 + length)
                    return body
                }
            }
            if stop() { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<got])
        }
    }
}
