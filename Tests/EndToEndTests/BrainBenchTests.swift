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

    @Test func aGeneratedTaskStreamIsDeterministicAndReplaysWithEveryEventAcknowledged() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let first = "\(brain.directory)/tasks-a.bin"
        let again = "\(brain.directory)/tasks-b.bin"
        let generate = ["generate", "--kind", "tasks", "--agents", "3", "--tasks", "200", "--seed", "5"]
        _ = try Self.bench(generate + ["--out", first])
        _ = try Self.bench(generate + ["--out", again])
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: again)), "the same seed writes the same bytes")
        let replay = try Self.json(try Self.bench(["replay", first, "--socket", brain.socketPath, "--connections", "2", "--json"]))
        // Every task has task_sent, started and an end; retried ones two more.
        let events = try #require(replay["events"] as? Int)
        #expect(events >= 600)
        #expect(replay["task_events"] as? Int == events)
        #expect(replay["tasks"] as? Int == 200)
        #expect(replay["rejected"] as? Int == 0)
        brain.stop()
    }

    @Test func theEchoServerAnswersEveryFrameEvenOneSplitAcrossWrites() async throws {
        let brain = try BrainProcess()  // for its temporary directory
        let socketPath = "\(brain.directory)/echo.sock"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "\(BrainProcess.binDirectory)/brain-bench")
        server.arguments = ["echo-server", "--socket", socketPath, "--response-bytes", "300"]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitWithoutSpinning()
        }
        #expect(try await eventually { FileManager.default.fileExists(atPath: socketPath) })
        let fd = try UnixSocket.connect(to: socketPath)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)  // a missing reply fails the test instead of hanging it
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Two whole frames (10 bytes and empty) and the first 3 bytes of a third, then the rest.
        let frames: [UInt8] = [0, 0, 0, 10] + Array(repeating: 1, count: 10) + [0, 0, 0, 0] + [0, 0, 0, 5, 9, 9, 9, 9, 9]
        let cut = 14 + 4 + 3
        #expect(frames.withUnsafeBytes { write(fd, $0.baseAddress, cut) } == cut)
        try await Task.sleep(for: .milliseconds(50))
        #expect(frames.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + cut }, frames.count - cut) } == frames.count - cut)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while received.count < 3 * 304 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        #expect(received.count == 3 * 304, "one 300-byte reply per frame, none for a partial one")
        for reply in 0..<3 { #expect(Array(received[(reply * 304)..<(reply * 304 + 4)]) == [0, 0, 1, 44]) }
    }
}
