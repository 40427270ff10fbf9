import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Full disks and snapshots under load, on a real daemon. (The same faults are injected
/// in-process, on any machine, by BrainStoreTests' JournalFaultTests and SnapshotFaultTests
/// and BrainServerTests' ServerDurabilityTests; here a real full file system proves them.)
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PersistenceFaultTests {
    /// A small tmpfs as the data directory; false when this machine cannot mount one.
    static func mountSmallDisk(at path: String, kilobytes: Int) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitWithoutSpinning()
        return process.terminationStatus == 0
    }

    static func unmount(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = [path]
        try? process.run()
        process.waitWithoutSpinning()
    }

    /// Whether a tmpfs can be mounted here (root with CAP_SYS_ADMIN; a default container cannot).
    static let canMountTmpfs: Bool = {
        let probe = NSTemporaryDirectory() + "brain-tmpfs-probe-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mountSmallDisk(at: probe, kilobytes: 64) else { return false }
        unmount(probe)
        return true
    }()

    /// Under `CI=true` the test runs even where it cannot mount, and fails there: CI must
    /// give it a machine that can, not skip it silently.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test(.enabled(if: canMountTmpfs || isCI, "mounting a tmpfs needs root with CAP_SYS_ADMIN (CI=true runs it and fails without)"))
    func aFullDiskStopsAcksWithUnavailableAndWritingResumesWhenSpaceReturns() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        guard Self.mountSmallDisk(at: brain.dataDirectory, kilobytes: 512) else {
            Issue.record("CI=true, but this machine cannot mount a tmpfs: run the suite where it can (root with CAP_SYS_ADMIN)")
            return
        }
        defer { Self.unmount(brain.dataDirectory) }
        try await brain.start()
        // Fill the disk, leaving a little room for the journal.
        let filler = "\(brain.dataDirectory)/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: Data(count: 480 * 1024))

        let connection = try await brain.connect()
        let unsolicited = ConnectionSignal()
        connection.onUnsolicited({ unsolicited.record($0) }, onClose: { _ in unsolicited.close() })
        guard case .welcome = try await connection.call(.hello(Hello(agentName: "full", token: "t"))) else {
            Issue.record("no welcome")
            return
        }
        var created = RunCreated(runID: "00000000-0000-4000-8000-00000000f011", goal: "fill")
        created.initialStatus = .running
        connection.send([.publish(AgentEvent(seq: 1, kind: .runCreated(created)))])
        var seq: UInt64 = 1
        let big = "{\"blob\":\"" + String(repeating: "z", count: 4_000) + "\"}"
        for index in 1...40 {
            seq += 1
            var step = StepReported(runID: created.runID, seq: UInt32(index), stepName: "s", status: .ok)
            step.outputJSON = big
            connection.send([.publish(AgentEvent(seq: seq, kind: .step(step)))])
        }
        let refused = try await eventually(5) {
            unsolicited.responses.contains { $0.error?.code == .unavailable }
        }
        #expect(refused, "a journal write on a full disk answers UNAVAILABLE")
        let unavailable = unsolicited.responses.first { $0.error?.code == .unavailable }
        #expect(unavailable?.error?.message.contains("journal write failed") == true)
        let lastAckBefore =
            unsolicited.responses.compactMap { response -> UInt64? in
                if case .ack(let seq) = response.result { return seq }
                return nil
            }.max() ?? 0
        #expect(lastAckBefore < seq, "acks stop while the journal cannot be written")

        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((status["persistence_fault"] as? String)?.contains("journal") == true)
        // A snapshot on the full disk fails, keeps serving, and is recorded.
        let (snapshotStatus, _, snapshotError) = try brain.brainctl(["snapshot"])
        #expect(snapshotStatus == 1)
        #expect(snapshotError.contains("UNAVAILABLE"))

        // Space comes back: the held events are written and acknowledged.
        try FileManager.default.removeItem(atPath: filler)
        let acked = try await eventually(5) {
            unsolicited.responses.contains { if case .ack(let acked) = $0.result { return acked == seq } else { return false } }
        }
        #expect(acked, "every event is acknowledged once the journal can be written again")
        let held = try await brain.getRun(created.runID)
        #expect(held.steps.map(\.seq) == Array(1...40), "the events held through the fault are each there once")
        #expect(held.steps.allSatisfy { $0.outputJSON == big })
        #expect(try brain.brainctl(["snapshot"]).0 == 0, "a snapshot works again and clears the fault")
        let healed = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect(healed["persistence_fault"] is NSNull)
        let errors = try brain.brainctlItems(["errors", "--phase", "snapshot"])
        #expect(!errors.isEmpty, "the failed snapshot is in the persistence-error sink")
        await connection.close()
        brain.stop()
    }

    /// The events of run `index` with large outputs, so that a few dozen runs make a
    /// snapshot of several MiB.
    static func largeRun(_ index: Int) -> [AgentEvent.Kind] {
        CrashRecoveryTests.events(ofRun: index).map { event in
            guard case .step(var step) = event else { return event }
            step.outputJSON = "{\"payload\":\"" + String(repeating: "y", count: 3_000) + "\"}"
            return .step(step)
        }
    }

    /// A snapshot that takes seconds (several MiB at 1 MiB/s while agents stream) must not
    /// hold acks or calls back: while its temporary file is being written, acks keep
    /// coming and a status call is answered. A snapshot that blocked the event loop, or
    /// acks that waited for it, fail this: nothing would move while the file is written.
    ///
    /// The agent and the watcher run on threads of their own with blocking sockets: the
    /// cooperative threads every suite shares can stall for seconds on this 2-core machine
    /// (some tests block them waiting for a process), which would look like a brain stall.
    @Test func aSnapshotTakenDuringIngestionIsConsistentAndDoesNotStopIt() async throws {
        let brain = try BrainProcess(arguments: [
            "--snapshot-interval", "0", "--snapshot-after-changes", "0", "--snapshot-rate-limit", "1",
        ])
        try await brain.start()
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "steady", token: "t")))
        try await session.start()
        for index in 0..<60 { try await session.publish(Self.largeRun(index)) }
        try await session.flush()
        await session.close()
        // Produces until the snapshots are done, so that they overlap ingestion from start to end.
        let agent = ThreadedAgent(socketPath: brain.socketPath, firstRun: 60)
        #expect(try await eventually(20) { agent.ackedSeq > 0 }, "the producer is under way")
        let control = try await brain.connect()
        // Pacing holds a snapshot back only while records reach the journal: should the
        // producer stall, one may finish too fast to tell, so up to five are taken until one
        // is written for 300 ms or more.
        var told = false
        for _ in 1...5 where !told {
            let watcher = SnapshotWatcher(dataDirectory: brain.dataDirectory, socketPath: brain.socketPath)
            guard case .snapshot = try await control.call(.snapshot, timeout: nil) else {
                Issue.record("the snapshot failed")
                return
            }
            let seen = try await watcher.finish()
            guard let appeared = seen.appeared, let lastSeen = seen.lastSeen, lastSeen - appeared >= .milliseconds(300) else { continue }
            told = true
            let answered = try #require(seen.statusAnswered, "the status call was answered")
            #expect(answered <= lastSeen, "a status call is answered while the snapshot is written")
            let advanced = agent.seqAdvance(from: appeared, to: lastSeen)
            #expect(advanced >= 32, "acks go on while the snapshot is written: \(advanced) events in \(lastSeen - appeared)")
        }
        #expect(told, "no snapshot was written for 300 ms or more, so none could tell")
        let failure = try await agent.finish()
        #expect(failure == nil, "\(failure ?? "")")
        await control.close()

        // The snapshot is a state that existed: the agents' last seqs count exactly the
        // events whose effects it holds (no refusals).
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(brain.dataDirectory)/snapshot.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let state = try #require(document["state"] as? [String: Any])
        let runs = try #require(state["runs"] as? [[String: Any]])
        let agents = try #require(state["agents"] as? [[String: Any]])
        var events = 0
        for run in runs {
            let steps = try #require(run["steps"] as? [[String: Any]])
            events += 1 + steps.count + (run["status"] as? String == "completed" ? 1 : 0)
        }
        #expect(agents.compactMap { $0["last_seq"] as? Int }.reduce(0, +) == events)
        #expect(events > 60 * (CrashRecoveryTests.stepsPerRun + 2), "the snapshot holds the producer's events too")
        brain.stop()
    }
}

/// A blocking connection to the brain: requests out, responses in, within a wait.
private final class BlockingConnection {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(socketPath: String) throws {
        fd = try UnixSocket.connect(to: socketPath)
    }

    deinit { close(fd) }

    func send(_ requests: [BrainRequest]) throws {
        guard UnixSocket.writeAll(fd, UnixSocket.frames(requests)) else {
            throw BrainError(.unavailable, "write: \(String(cString: strerror(errno)))")
        }
    }

    /// The responses that arrive within `milliseconds`.
    func receive(milliseconds: Int32) throws -> [BrainResponse] {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return [] }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { throw BrainError(.unavailable, "the brain closed the connection") }
        pending.append(contentsOf: chunk[0..<count])
        var responses: [BrainResponse] = []
        while pending.count >= 4 {
            let length = pending[0..<4].reduce(0) { $0 << 8 | Int($1) }
            guard pending.count >= 4 + length else { break }
            responses.append(try pending[4..<(4 + length)].withUnsafeBytes { try WireCodec.decodeResponse($0) })
            pending.removeFirst(4 + length)
        }
        return responses
    }
}

/// An agent that publishes runs from a thread of its own and notes when each ack arrives.
private final class ThreadedAgent: @unchecked Sendable {
    // @unchecked: `acks`, `stopping` and `failure` are used under `lock`; the rest by the thread.
    private let lock = NSLock()
    private var acks: [(at: ContinuousClock.Instant, seq: UInt64)] = []
    private var stopping = false
    private var failure: String?
    private var finished = false

    init(socketPath: String, firstRun: Int) {
        Thread { self.run(socketPath: socketPath, firstRun: firstRun) }.start()
    }

    var ackedSeq: UInt64 { lock.withLock { acks.last?.seq ?? 0 } }

    /// How far the acknowledged seq moved between `start` and `end`.
    func seqAdvance(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> UInt64 {
        lock.withLock {
            let before = acks.last { $0.at <= start }?.seq ?? 0
            let after = acks.last { $0.at <= end }?.seq ?? 0
            return after - before
        }
    }

    /// Stops publishing and waits until everything published is acknowledged; the failure, if any.
    func finish() async throws -> String? {
        lock.withLock { stopping = true }
        _ = try await eventually(60) { self.lock.withLock { self.finished } }
        return lock.withLock { finished ? failure : "the agent did not finish" }
    }

    private func run(socketPath: String, firstRun: Int) {
        do {
            let connection = try BlockingConnection(socketPath: socketPath)
            try connection.send([BrainRequest(callID: 1, method: .hello(Hello(agentName: "threaded", token: "threaded-token")))])
            var seq: UInt64 = 0
            var acked: UInt64 = 0
            var welcomed = false
            while !welcomed {
                for response in try connection.receive(milliseconds: 1_000) {
                    guard case .welcome(let welcome) = response.result else { throw BrainError(.internal, "no welcome: \(response)") }
                    seq = welcome.lastSeq
                    welcomed = true
                }
            }
            var run = firstRun
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline {
                let stop = lock.withLock { stopping }
                if stop, acked == seq { break }
                // A few runs ahead at most, like an agent that waits for its acks.
                if !stop, seq - acked < 256 {
                    let requests = CrashRecoveryTests.events(ofRun: run).map { kind in
                        seq += 1
                        return BrainRequest(callID: 0, method: .publish(AgentEvent(seq: seq, kind: kind)))
                    }
                    run += 1
                    try connection.send(requests)
                }
                for response in try connection.receive(milliseconds: 10) {
                    if let error = response.error { throw error }
                    if case .ack(let ackedSeq) = response.result {
                        acked = ackedSeq
                        lock.withLock { acks.append((ContinuousClock.now, ackedSeq)) }
                    }
                }
            }
            if acked != seq { throw BrainError(.deadlineExceeded, "\(seq - acked) events were never acknowledged") }
        } catch {
            lock.withLock { failure = "\(error)" }
        }
        lock.withLock { finished = true }
    }
}

/// Watches a data directory from a thread of its own for a snapshot's temporary file: when it
/// appeared, when it was last seen, and when a status call made as it appeared was answered.
private final class SnapshotWatcher: @unchecked Sendable {
    // @unchecked: every field is used under `lock`.
    struct Seen {
        var appeared: ContinuousClock.Instant?
        var lastSeen: ContinuousClock.Instant?
        var statusAnswered: ContinuousClock.Instant?
    }

    private let lock = NSLock()
    private var seen = Seen()
    private var stopping = false
    private var finished = false

    init(dataDirectory: String, socketPath: String) {
        Thread { self.watch(dataDirectory: dataDirectory, socketPath: socketPath) }.start()
    }

    /// Stops watching (the snapshot is done) and returns what was seen.
    func finish() async throws -> Seen {
        lock.withLock { stopping = true }
        _ = try await eventually(30) { self.lock.withLock { self.finished } }
        return lock.withLock { seen }
    }

    private func watch(dataDirectory: String, socketPath: String) {
        let connection = try? BlockingConnection(socketPath: socketPath)
        while !lock.withLock({ stopping }) {
            let writing = ((try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []).contains {
                $0.hasPrefix("snapshot.json.tmp-")
            }
            let now = ContinuousClock.now
            if writing {
                let first = lock.withLock {
                    defer { seen.lastSeen = now }
                    guard seen.appeared == nil else { return false }
                    seen.appeared = now
                    return true
                }
                if first, let connection, (try? connection.send([BrainRequest(callID: 1, method: .getStatus)])) != nil {
                    var answered = false
                    let deadline = ContinuousClock.now + .seconds(10)
                    while !answered, ContinuousClock.now < deadline {
                        answered = ((try? connection.receive(milliseconds: 100)) ?? []).contains { $0.callID == 1 }
                    }
                    if answered { lock.withLock { seen.statusAnswered = ContinuousClock.now } }
                }
            } else if lock.withLock({ seen.appeared != nil }) {
                break  // written and renamed
            }
            usleep(2_000)
        }
        lock.withLock { finished = true }
    }
}
