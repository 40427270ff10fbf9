import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// brain-bench and `brain serve --record` against real daemons: a generated stream is
/// deterministic, replays with every event acknowledged, is recorded by the brain in the
/// same format, and the recording replays into another brain; rpc answers.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BrainBenchTests {
    static func bench(_ arguments: [String]) throws -> String {
        let (status, stdout, stderr) = try BrainProcess.runTool("brain-bench", arguments)
        guard status == 0 else { throw BrainError(.internal, "brain-bench \(arguments) failed (\(status)): \(stderr)") }
        return stdout
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aGeneratedStreamReplaysIsRecordedAndTheRecordingReplaysElsewhere() async throws {
        let brain = try BrainProcess()
        let recording = "\(brain.directory)/recorded.bin"
        try await brain.start(arguments: ["--record", recording])
        let first = "\(brain.directory)/a.bin"
        let again = "\(brain.directory)/b.bin"
        let other = "\(brain.directory)/c.bin"
        let generate = ["generate", "--agents", "2", "--runs", "6", "--steps", "5", "--seed", "7"]
        _ = try Self.bench(generate + ["--out", first])
        _ = try Self.bench(generate + ["--out", again])
        _ = try Self.bench(["generate", "--agents", "2", "--runs", "6", "--steps", "5", "--seed", "8", "--out", other])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: first))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: again))), "the same seed writes the same bytes")
        #expect(bytes != (try Data(contentsOf: URL(fileURLWithPath: other))))

        // 6 runs of created + 5 steps + completed or failed.
        let replay = try Self.json(try Self.bench(["replay", first, "--socket", brain.socketPath, "--connections", "2", "--json"]))
        #expect(replay["events"] as? Int == 42)
        #expect(replay["steps"] as? Int == 30)
        #expect(replay["rejected"] as? Int == 0)
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect(status["steps"] as? Int == 30)
        let runs = try #require(status["runs"] as? [String: Int])
        #expect((runs["completed"] ?? 0) + (runs["failed"] ?? 0) == 6)

        let rpc = try Self.json(try Self.bench(["rpc", "--socket", brain.socketPath, "--method", "GetRun", "--duration", "300ms", "--json"]))
        #expect((rpc["calls"] as? Int ?? 0) > 0)
        #expect(rpc["errors"] as? Int == 0)
        brain.stop()

        // What the brain recorded is a stream in the same format: it replays into a fresh brain.
        let second = try BrainProcess()
        try await second.start()
        let replayed = try Self.json(try Self.bench(["replay", recording, "--socket", second.socketPath, "--json"]))
        #expect(replayed["events"] as? Int == 42)
        #expect(replayed["steps"] as? Int == 30)
        #expect(replayed["rejected"] as? Int == 0)
        second.stop()
    }
}
