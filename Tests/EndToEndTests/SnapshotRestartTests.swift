import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Snapshots on a real daemon: SIGTERM writes one, a restart loads it, a corrupt one stops start-up.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SnapshotRestartTests {
    @Test func sigtermWritesASnapshotAndTheRestartedBrainShowsTheSameAgentsAsUnknown() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        for name in ["alpha", "beta"] {
            let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: name, token: name)))
            try await session.start()
            await session.close()
        }
        #expect(brain.stop(signal: SIGTERM) == 0)
        let snapshot = try String(contentsOfFile: "\(brain.dataDirectory)/snapshot.json", encoding: .utf8)
        #expect(snapshot.hasPrefix("{\"format_version\":1,"))

        try await brain.start()
        let agents = try brain.brainctlItems(["agents"])
        #expect(agents.compactMap { $0["name"] as? String }.sorted() == ["alpha", "beta"])
        #expect(agents.allSatisfy { $0["state"] as? String == "unknown" })
        // Tokens survive: the secret key is kept in the data directory.
        let wrong = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "alpha", token: "nope")))
        await #expect(throws: BrainError.self) { try await wrong.start() }
        let right = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "alpha", token: "alpha")))
        try await right.start()
        await right.close()
        brain.stop()
    }

    @Test func aCorruptSnapshotStopsStartUpWithAMessageNamingTheFileAndIsNotOverwritten() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        brain.stop()
        let path = "\(brain.dataDirectory)/snapshot.json"
        let corrupt = "{\"format_version\":1,\"state\":{\"agents\":[tr"
        try corrupt.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, text) = try brain.startExpectingFailure()
        #expect(status == 1)
        #expect(text.contains(path))
        #expect(text.contains("It was not changed"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == corrupt)

        try "{\"format_version\":99}".write(toFile: path, atomically: true, encoding: .utf8)
        let (newerStatus, newerText) = try brain.startExpectingFailure()
        #expect(newerStatus == 1)
        #expect(newerText.contains("format version 99"))
    }

    @Test func snapshotsKeepTheConfiguredGenerationsAndDeleteWhatTheyCover() async throws {
        let brain = try BrainProcess(arguments: ["--snapshots-kept", "2"])
        try await brain.start()
        let files = { () throws -> [String] in
            try FileManager.default.contentsOfDirectory(atPath: brain.dataDirectory)
                .filter { $0.hasPrefix("snapshot") || $0.hasPrefix("journal-") }.sorted()
        }
        for round in 0..<4 {
            try await CrashRecoveryTests.stream(brain, runs: round..<(round + 1))
            #expect(try brain.brainctl(["snapshot"]).0 == 0)
        }
        // The retired generation and the covered journal segments go on the housekeeping
        // thread after the reply.
        let deadline = Date().addingTimeInterval(10)
        while try files().count > 3, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let names = try files()
        #expect(names.filter { $0.hasPrefix("snapshot") } == ["snapshot.1.json", "snapshot.json"])
        #expect(names.filter { $0.hasPrefix("journal-") }.count == 1, "only the segment written since the last snapshot")
        brain.stop(signal: SIGKILL)
        try await brain.start()
        let runs = try brain.brainctlItems(["runs"])
        #expect(runs.count == 4)
        brain.stop()
    }

    @Test func aSnapshotRateLimitOutOfRangeIsRefusedAndZeroMeansNoLimit() async throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(arguments: ["--snapshot-rate-limit=-5"])
        #expect(status != 0)
        #expect(text.contains("--snapshot-rate-limit -5: must be ≥ 0"), "\(text)")
        let (spaced, spacedText) = try brain.startExpectingFailure(arguments: ["--snapshot-rate-limit", "-5"])
        #expect(spaced != 0)
        #expect(spacedText.contains("--snapshot-rate-limit -5: must be ≥ 0"), "a negative value is a value, not a missing one: \(spacedText)")
        let (tooBig, tooBigText) = try brain.startExpectingFailure(arguments: ["--snapshot-rate-limit", "2000000"])
        #expect(tooBig != 0)
        #expect(tooBigText.contains("--snapshot-rate-limit must be between 0"))
        let (envStatus, envText) = try brain.startExpectingFailure(environment: ["BRAIN_SNAPSHOT_RATE_LIMIT": "fast"])
        #expect(envStatus != 0)
        #expect(envText.contains("BRAIN_SNAPSHOT_RATE_LIMIT=fast is not a whole number"))
        try await brain.start(arguments: ["--snapshot-rate-limit", "0"])
        try await CrashRecoveryTests.stream(brain, runs: 0..<2)
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        brain.stop()
    }
}
