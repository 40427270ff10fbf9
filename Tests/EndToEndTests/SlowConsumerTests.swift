import BrainClient
import BrainFraming
import BrainProtocol
import Foundation
import NIOCore
import Testing
import _BrainTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that send but do not read (issue #12, part 3): the brain's memory for such a
/// connection stays bounded, and every other connection keeps being served.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SlowConsumerTests {
    /// The most the brain's resident memory may grow while a client does not read.
    static let rssBudget = 64 << 20

    /// A run with `steps` steps whose outputs are `outputBytes` long, so each GetRun reply is
    /// several KiB: 100,000 unread replies would be hundreds of MiB if the brain kept them.
    static func makeRun(_ brain: BrainProcess, runID: String, steps: UInt32, outputBytes: Int) async throws {
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "slow-consumer", token: "t")))
        try await session.start()
        var events: [AgentEvent.Kind] = [.runCreated(RunCreated(runID: runID, goal: "a run to ask about"))]
        for seq in 1...steps {
            var step = StepReported(runID: runID, seq: seq, stepName: "step-\(seq)", status: .ok)
            step.outputJSON = "{\"pad\":\"\(String(repeating: "x", count: outputBytes))\"}"
            events.append(.step(step))
        }
        try await session.publish(events)
        try await session.flush()
        await session.close()
    }

    @Test func aConnectionThatNeverReadsItsRepliesIsNoLongerReadAndTheBrainStaysSmall() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let pid = try #require(brain.pid)
        let runID = "0c7d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"
        try await Self.makeRun(brain, runID: runID, steps: 12, outputBytes: 250)
        let detail = try await brain.getRun(runID)
        #expect(detail.steps.count == 12)

        let other = try await brain.connect()
        _ = try await other.call(.getRun(GetRunQuery(runID: runID)))
        // How long a GetRun takes on this machine right now, before anything misbehaves: the
        // bound below scales with it, as a full parallel `swift test` on 2 cores slows every call.
        let clock = ContinuousClock()
        var baseline = Duration.zero
        for _ in 0..<5 {
            let started = clock.now
            _ = try await other.call(.getRun(GetRunQuery(runID: runID)), timeout: .seconds(10))
            baseline = max(baseline, clock.now - started)
            try await Task.sleep(for: .milliseconds(50))
        }
        let before = try Self.residentBytes(pid)

        // 100,000 GetRun calls in one stream of bytes (about 5 MB), written from a thread of
        // its own: once the brain stops reading, the write blocks until the replies are read.
        let count = 100_000
        var requests = ByteBufferAllocator().buffer(capacity: count * 64)
        for callID in 1...UInt64(count) {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .getRun(GetRunQuery(runID: runID))), into: &requests)
        }
        let bytes = Array(requests.readableBytesView)
        let raw = try RawSocket(path: brain.socketPath)
        let written = BlockingJob { try raw.writeAll(bytes) }

        // Meanwhile another connection is answered promptly, and the brain stays small.
        var peak = before
        var slowest = Duration.zero
        let until = clock.now + .seconds(4)
        while clock.now < until {
            let started = clock.now
            guard case .run(let answer) = try await other.call(.getRun(GetRunQuery(runID: runID)), timeout: .seconds(15)) else {
                Issue.record("GetRun on the other connection answered without a run")
                return
            }
            #expect(answer.steps.count == 12)
            slowest = max(slowest, clock.now - started)
            peak = max(peak, try Self.residentBytes(pid))
            try await Task.sleep(for: .milliseconds(50))
        }
        let growth = peak - before
        print("slow reader: brain RSS \(before >> 20) MiB before, peak \(peak >> 20) MiB (+\(growth >> 10) KiB); slowest other call \(slowest)")
        #expect(growth < Self.rssBudget, "the brain grew by \(growth >> 20) MiB while one connection did not read its replies")
        // Generous: alone a debug build answers in 10-90 ms; a full parallel `swift test` on 2
        // shared cores saw up to 4.7 s, with every call slow. What this guards is that the other
        // connection is served at all while one does not read (before flow control it waited
        // for the whole pipeline), so the bound is 3 s or 20 calls' time, whichever is longer.
        let bound = max(.seconds(3), baseline * 20)
        #expect(slowest < bound, "another connection waited \(slowest) for a GetRun (baseline \(baseline), bound \(bound))")

        // Now read every reply: the brain resumes reading, and all 100,000 calls are answered in order.
        let replies = BlockingJob { () throws -> Int in
            var next: UInt64 = 1
            while next <= UInt64(count) {
                let frame = try raw.readFrame()
                let response = try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
                guard response.callID == next, case .run(let run) = response.result, run.steps.count == 12 else {
                    throw BrainError(.internal, "reply \(next) was call \(response.callID): \(String(describing: response.error))")
                }
                next += 1
            }
            return count
        }
        #expect(try await replies.value(timeout: 120) == count)
        try await written.value(timeout: 10)
        // The connection still works.
        var status = ByteBufferAllocator().buffer(capacity: 16)
        WireCodec.writeFrame(BrainRequest(callID: 424_242, method: .getStatus), into: &status)
        try raw.writeAll(Array(status.readableBytesView))
        let last = try await BlockingJob { () throws -> BrainResponse in
            let frame = try raw.readFrame()
            return try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
        }.value(timeout: 10)
        #expect(last.callID == 424_242)
        if case .statusReply = last.result {} else { Issue.record("GetStatus answered \(String(describing: last.result))") }
        raw.close()
        await other.close()
        brain.stop()
    }

    @Test func aWatchThatIsNeverReadEndsWithResourceExhaustedAndTheBrainStaysSmall() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let pid = try #require(brain.pid)

        // Sixteen watches of everything on one connection that then reads nothing: each step
        // becomes sixteen events, far more than the brain may keep for the connection.
        let raw = try RawSocket(path: brain.socketPath)
        let watches = 16
        var requests = ByteBufferAllocator().buffer(capacity: 1_024)
        for callID in 1...UInt64(watches) {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .watch(WatchQuery())), into: &requests)
        }
        try raw.writeAll(Array(requests.readableBytesView))
        let other = try await brain.connect()
        _ = try await other.call(.getStatus)
        let before = try Self.residentBytes(pid)

        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "busy", token: "t")))
        try await session.start()
        let runs = 60
        let steps: UInt32 = 250
        let output = "{\"pad\":\"\(String(repeating: "y", count: 1_000))\"}"
        var peak = before
        var slowest = Duration.zero
        let clock = ContinuousClock()
        for run in 0..<runs {
            let runID = String(format: "1d2e3f4a-5b6c-4d7e-8f9a-%012d", run)
            var events: [AgentEvent.Kind] = [.runCreated(RunCreated(runID: runID, goal: "run \(run)"))]
            for seq in 1...steps {
                var step = StepReported(runID: runID, seq: seq, stepName: "step-\(seq)", status: .ok)
                step.outputJSON = output
                events.append(.step(step))
            }
            events.append(.runStatus(RunStatusChanged(runID: runID, status: .completed)))
            try await session.publish(events)
            // The agent's acks and another client's calls are not held up by the stalled watcher.
            try await session.flush(timeoutSeconds: 10)
            let started = clock.now
            _ = try await other.call(.getStatus, timeout: .seconds(5))
            slowest = max(slowest, clock.now - started)
            peak = max(peak, try Self.residentBytes(pid))
        }
        await session.close()
        let growth = peak - before
        // 15,000 steps of about 1 KiB are kept in the state (~20 MiB); the 16 watches saw
        // ~260 MiB of events, which the brain must not have held.
        print("slow watcher: brain RSS \(before >> 20) MiB before, peak \(peak >> 20) MiB (+\(growth >> 10) KiB); slowest other call \(slowest)")
        #expect(growth < Self.rssBudget, "the brain grew by \(growth >> 20) MiB while a watcher did not read")
        #expect(slowest < .seconds(1), "another connection waited \(slowest) for GetStatus")

        // Reading now: every stream ended with RESOURCE_EXHAUSTED and end_of_stream, saying why.
        let ends = try await BlockingJob { () throws -> [BrainResponse] in
            var ended: [UInt64: BrainResponse] = [:]
            while ended.count < watches {
                let frame = try raw.readFrame()
                let response = try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
                if response.endOfStream { ended[response.callID] = response }
            }
            return ended.keys.sorted().compactMap { ended[$0] }
        }.value(timeout: 60)
        #expect(ends.map(\.callID) == Array(1...UInt64(watches)))
        for end in ends {
            #expect(end.error?.code == .resourceExhausted)
            let message = end.error?.message ?? ""
            #expect(message.contains("watch stream ended: the client read too slowly"), "\(message)")
            #expect(message.contains("events were waiting"), "\(message)")
            #expect(message.contains("reconnect and resume from GetRun/ListRuns"), "\(message)")
        }
        // The connection itself still works.
        var status = ByteBufferAllocator().buffer(capacity: 16)
        WireCodec.writeFrame(BrainRequest(callID: 77, method: .getStatus), into: &status)
        try raw.writeAll(Array(status.readableBytesView))
        let answer = try await BlockingJob { () throws -> BrainResponse in
            while true {
                let frame = try raw.readFrame()
                let response = try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
                if response.callID == 77 { return response }
            }
        }.value(timeout: 10)
        if case .statusReply = answer.result {} else { Issue.record("GetStatus answered \(String(describing: answer.result))") }
        raw.close()
        await other.close()
        brain.stop()
    }

    @Test func anAgentThatReadsSlowlyIsThrottledNotMarkedOffline() async throws {
        // A heartbeat timeout far shorter than the pauses the slow reader causes (2 s and more).
        let brain = try BrainProcess(arguments: ["--heartbeat-interval", "200ms", "--heartbeat-timeout", "1s"])
        try await brain.start()
        let askedAbout = "3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e"
        try await Self.makeRun(brain, runID: askedAbout, steps: 12, outputBytes: 250)

        // One agent connection: hello, a run of its own, then 2,000 GetRun calls (~7 MiB of
        // replies) that it reads at about 800 KiB/s, so the brain stops reading it for two
        // seconds or more at a time. Like any agent it sends a heartbeat every 100 ms, which
        // wait unread in the socket while the brain is not reading.
        let raw = try RawSocket(path: brain.socketPath)
        let ownRun = "4c5d6e7f-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
        let calls = 2_000
        var frames = ByteBufferAllocator().buffer(capacity: calls * 64)
        WireCodec.writeFrame(BrainRequest(callID: 1, method: .hello(Hello(agentName: "throttled", token: "throttled-token"))), into: &frames)
        let created = AgentEvent(seq: 1, kind: .runCreated(RunCreated(runID: ownRun, goal: "outlive the pauses")))
        WireCodec.writeFrame(BrainRequest(callID: 0, method: .publish(created)), into: &frames)
        for callID in 2...UInt64(calls + 1) {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .getRun(GetRunQuery(runID: askedAbout))), into: &frames)
        }
        var heartbeat = ByteBufferAllocator().buffer(capacity: 16)
        WireCodec.writeFrame(BrainRequest(callID: 0, method: .heartbeat(sentAt: 0)), into: &heartbeat)
        let bytes = Array(frames.readableBytesView)
        let heartbeatBytes = Array(heartbeat.readableBytesView)
        let stop = StopFlag()
        let written = BlockingJob { () throws -> Void in
            try raw.writeAll(bytes)
            while !stop.isSet {
                try raw.writeAll(heartbeatBytes)
                usleep(100_000)
            }
        }
        let replies = BlockingJob { () throws -> Int in
            var runs = 0
            var sinceNap = 0
            while runs < calls {
                let frame = try raw.readFrame()
                sinceNap += frame.count
                if sinceNap >= 32_768 {
                    usleep(40_000)
                    sinceNap = 0
                }
                let response = try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
                if let error = response.error { throw error }
                if case .run = response.result { runs += 1 }
            }
            return runs
        }

        let other = try await brain.connect()
        var states: Set<String> = []
        var polls = 0
        while !replies.isDone {
            guard case .agents(let agents) = try await other.call(.listAgents(project: ""), timeout: .seconds(5)) else {
                Issue.record("ListAgents answered without agents")
                break
            }
            if let agent = agents.first(where: { $0.name == "throttled" }) { states.insert("\(agent.state)") }
            polls += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await replies.value(timeout: 1) == calls)
        stop.set()
        try await written.value(timeout: 10)
        print("throttled agent: \(polls) polls while it read slowly, states seen: \(states.sorted())")
        #expect(polls > 20, "the replies were read too fast to pause the connection")
        #expect(states == ["online"], "the agent was \(states.sorted()) while the brain was not reading it")
        let run = try await brain.getRun(ownRun)
        #expect(run.run.status == .running)
        raw.close()
        await other.close()
        brain.stop()
    }

    @Test func bothLimitsAreSettingsCheckedAtStart() async throws {
        let brain = try BrainProcess()
        let (tooSmall, tooSmallText) = try brain.startExpectingFailure(arguments: ["--max-unsent-reply-bytes", "1000"])
        #expect(tooSmall != 0)
        #expect(tooSmallText.contains("--max-unsent-reply-bytes must be between 65536 and 1073741824"), "\(tooSmallText)")
        let (notANumber, notANumberText) = try brain.startExpectingFailure(environment: ["BRAIN_MAX_WATCH_QUEUE_BYTES": "lots"])
        #expect(notANumber != 0)
        #expect(notANumberText.contains("BRAIN_MAX_WATCH_QUEUE_BYTES=lots is not a whole number (--max-watch-queue-bytes)"), "\(notANumberText)")

        // The smallest settings: a watch that is not read ends as soon as an event has to wait.
        try await brain.start(arguments: ["--max-unsent-reply-bytes", "65536", "--max-watch-queue-bytes", "0"])
        let raw = try RawSocket(path: brain.socketPath)
        var watch = ByteBufferAllocator().buffer(capacity: 64)
        WireCodec.writeFrame(BrainRequest(callID: 5, method: .watch(WatchQuery())), into: &watch)
        try raw.writeAll(Array(watch.readableBytesView))
        let runID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
        // About 2 MiB of events: more than the limit and the socket's own buffers together.
        try await Self.makeRun(brain, runID: runID, steps: 2_000, outputBytes: 1_000)
        let end = try await BlockingJob { () throws -> BrainResponse in
            while true {
                let frame = try raw.readFrame()
                let response = try frame.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
                if response.endOfStream { return response }
            }
        }.value(timeout: 30)
        #expect(end.callID == 5)
        #expect(end.error?.code == .resourceExhausted)
        #expect(end.error?.message.contains("the limit is 0 bytes, --max-watch-queue-bytes") == true, "\(String(describing: end.error))")
        #expect(brain.readOutput().contains("watch stream ended: the client read too slowly"))
        raw.close()
        brain.stop()
    }

    /// The process's resident set (`VmRSS` in /proc/PID/status), in bytes.
    static func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { throw BrainError(.internal, "no VmRSS in /proc/\(pid)/status") }
        return kib << 10
    }
}

/// A plain blocking Unix socket: the test decides exactly when, and whether, replies are read.
final class RawSocket: @unchecked Sendable {
    // @unchecked: one thread writes and one reads at a time; the fd itself is thread-safe.
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(path: String) throws {
        fd = try UnixSocket.connect(to: path)
    }

    func writeAll(_ bytes: [UInt8]) throws {
        guard UnixSocket.writeAll(fd, bytes) else { throw BrainError(.internal, "send: errno \(errno)") }
    }

    /// One frame's body.
    func readFrame() throws -> [UInt8] {
        let header = try take(4)
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        return try take(length)
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while buffer.count - start < count {
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { throw BrainError(.unavailable, "the brain closed the connection (recv \(got), errno \(errno))") }
            buffer.append(contentsOf: chunk[0..<got])
        }
        defer { start += count }
        return Array(buffer[start..<(start + count)])
    }

    func close() { Glibc.close(fd) }
}

/// A flag one thread sets and another polls.
final class StopFlag: @unchecked Sendable {
    // @unchecked: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Blocking work on a thread of its own (not Swift concurrency's few threads, which a
/// blocked `send` or `recv` would take from every other task).
final class BlockingJob<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `result` is only touched while holding `lock`.
    private let lock = NSLock()
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try work() }
            lock.withLock { result = outcome }
        }
        thread.start()
    }

    /// Whether the work has ended.
    var isDone: Bool { lock.withLock { result != nil } }

    /// Waits (polling) for the work to end, at most `timeout` seconds.
    func value(timeout: Double) async throws -> Value {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let done = lock.withLock({ result }) { return try done.get() }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BrainError(.deadlineExceeded, "blocking work did not end within \(timeout)s")
    }
}
