import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// The journal's promise on a real daemon: SIGKILL at any moment loses no acknowledged event.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CrashRecoveryTests {
    static let runs = 80
    static let stepsPerRun = 30

    static func runID(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    /// The events of run `index`: created, its steps, completed.
    static func events(ofRun index: Int) -> [AgentEvent.Kind] {
        let id = runID(index)
        var created = RunCreated(runID: id, goal: "run \(index)")
        created.initialStatus = .running
        var events: [AgentEvent.Kind] = [.runCreated(created)]
        for seq in 1...stepsPerRun {
            var step = StepReported(runID: id, seq: UInt32(seq), stepName: "s\(seq)", status: .ok)
            step.outputJSON = "{\"payload\":\"" + String(repeating: "x", count: 200) + "\"}"
            events.append(.step(step))
        }
        var done = RunStatusChanged(runID: id, status: .completed)
        done.resultJSON = "{}"
        events.append(.runStatus(done))
        return events
    }

    @Test func sigkillAtRandomMomentsLosesNoAcknowledgedEvent() async throws {
        // Small snapshot thresholds so that many kills land during or right after a snapshot.
        let brain = try BrainProcess(arguments: ["--snapshot-after-changes", "200", "--snapshot-interval", "200ms"])
        try await brain.start()
        var options = AgentSession.Options(socketPath: brain.socketPath, hello: Hello(agentName: "crash", token: "t"))
        options.reconnectTimeoutSeconds = 60
        let session = AgentSession(options: options)
        try await session.start()

        let producer = Task {
            for index in 0..<Self.runs {
                _ = try await session.publish(Self.events(ofRun: index))
                while await session.pendingCount > 400 {
                    // A session that gave up must fail the test, not leave it waiting forever.
                    if let failure = await session.failure { throw failure }
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await Task.sleep(for: .milliseconds(30))
            }
        }
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        while kills < 20 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...120, using: &generator)))
            let ackedBeforeKill = await session.ackedSeq
            brain.stop(signal: SIGKILL)
            kills += 1
            try await brain.start()
            // Everything acknowledged before the kill is held after it.
            let agents = try brain.brainctlItems(["agents"])
            let held = UInt64(agents.first?["last_seq"] as? Int ?? 0)
            #expect(held >= ackedBeforeKill, "kill \(kills): the brain holds seq \(held) but had acknowledged \(ackedBeforeKill)")
        }
        try await producer.value
        try await session.flush(timeoutSeconds: 60)
        let total = UInt64(Self.runs * (Self.stepsPerRun + 2))
        #expect(await session.ackedSeq == total)

        // Every run complete, every step exactly once, nothing refused or half-written.
        let connection = try await brain.connect()
        for index in 0..<Self.runs {
            guard case .run(let detail) = try await connection.call(.getRun(GetRunQuery(runID: Self.runID(index)))) else {
                Issue.record("run \(index) missing")
                continue
            }
            #expect(detail.run.status == .completed)
            #expect(detail.steps.map(\.seq) == Array(1...UInt32(Self.stepsPerRun)))
            #expect(detail.run.stepCount == UInt32(Self.stepsPerRun))
        }
        guard case .persistenceErrors(let errors) = try await connection.call(.listPersistenceErrors(ListPersistenceErrorsQuery())) else {
            Issue.record("no error list")
            return
        }
        #expect(errors.errors.isEmpty, "unexpected sink rows: \(errors.errors.map(\.errorMessage))")
        #expect(await session.rejections.isEmpty)
        await connection.close()
        await session.close()
        brain.stop()
    }

    /// Streams `runs` complete runs and waits for every ack.
    static func stream(_ brain: BrainProcess, runs: Range<Int>) async throws {
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "w", token: "t")))
        try await session.start()
        for index in runs { try await session.publish(events(ofRun: index)) }
        try await session.flush()
        await session.close()
    }

    static func journalPath(_ brain: BrainProcess) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: brain.dataDirectory).filter { $0.hasPrefix("journal-") }.sorted()
        return "\(brain.dataDirectory)/\(try #require(names.last))"
    }

    @Test func aTornJournalTailIsCutWithAWarning() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        try await Self.stream(brain, runs: 0..<3)
        brain.stop(signal: SIGKILL)
        // A record header announcing 1000 bytes, then only 10: a crash mid-write.
        let handle = try #require(FileHandle(forWritingAtPath: try Self.journalPath(brain)))
        handle.seekToEndOfFile()
        handle.write(Data([0xE8, 0x03, 0, 0, 1, 2, 3, 4] + Array(repeating: 7, count: 10)))
        try handle.close()
        try await brain.start()
        #expect(brain.readOutput().contains("cut short by a crash"))
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((status["runs"] as? [String: Int])?["completed"] == 3)
        brain.stop()
    }

    @Test func aCorruptJournalMiddleStopsStartUpAndRecoverKeepsTheDamagedFileAside() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        try await Self.stream(brain, runs: 0..<4)
        brain.stop(signal: SIGKILL)
        let path = try Self.journalPath(brain)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let middle = bytes.count / 2
        bytes[middle] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let (status, text) = try brain.startExpectingFailure()
        #expect(status == 1)
        #expect(text.contains(path))
        #expect(text.contains("damaged at offset"))
        #expect(text.contains("brain recover"))

        let (recoverStatus, recoverText) = try brain.run(["recover", "--data-dir", brain.dataDirectory, "--yes"])
        #expect(recoverStatus == 0, "\(recoverText)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: brain.dataDirectory).filter { $0.hasPrefix("damaged-") }
        #expect(aside.count == 1)
        let kept = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(brain.dataDirectory)/\(aside[0])/\(URL(fileURLWithPath: path).lastPathComponent)")))
        #expect(kept == bytes, "the damaged journal is kept byte for byte")

        try await brain.start()
        let runs = try brain.brainctlItems(["runs"])
        #expect(runs.count >= 1 && runs.count <= 4, "the intact records before the damage are replayed")
        brain.stop()
    }

    @Test func aCorruptSnapshotIsRecoveredFromTheOlderOne() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        try await Self.stream(brain, runs: 0..<2)
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        try await Self.stream(brain, runs: 2..<3)
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        brain.stop(signal: SIGKILL)
        #expect(FileManager.default.fileExists(atPath: "\(brain.dataDirectory)/snapshot.1.json"))
        try "{\"format_version\":1,\"sta".write(toFile: "\(brain.dataDirectory)/snapshot.json", atomically: true, encoding: .utf8)

        let (status, text) = try brain.startExpectingFailure()
        #expect(status == 1)
        #expect(text.contains("snapshot.json"))
        let (recoverStatus, recoverText) = try brain.run(["recover", "--data-dir", brain.dataDirectory, "--yes"])
        #expect(recoverStatus == 0, "\(recoverText)")
        #expect(recoverText.contains("snapshot.1.json"))
        try await brain.start()
        let runs = try brain.brainctlItems(["runs"])
        #expect(runs.count == 2, "the older snapshot holds the first two runs")
        brain.stop()
    }

    @Test func anUnusableDataDirectoryIsAClearError() async throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(arguments: ["--data-dir", "/dev/null/brain"])
        #expect(status == 1)
        #expect(text.contains("/dev/null"))
        #expect(text.contains("not a directory"))
    }
}
