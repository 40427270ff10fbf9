import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Every command that changes a data directory takes its lock, and a start that cannot
/// listen leaves nothing behind.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DataDirectorySafetyTests {
    /// The files of a data directory, sorted, with their sizes.
    static func listing(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { name in
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)"))?[.size] as? Int
            return "\(name):\(size ?? -1)"
        }
    }

    @Test("brain recover refuses a data directory a running brain holds, naming its pid, and changes nothing")
    func recoverRefusesALiveBrain() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let pid = try #require(brain.pid)
        // Damage the snapshot the way the walk-through did: recover would then move the
        // live journal aside while the brain goes on acknowledging into it.
        let snapshot = "\(brain.dataDirectory)/snapshot.json"
        try Data("{ not a snapshot".utf8).write(to: URL(fileURLWithPath: snapshot))
        let before = Self.listing(brain.dataDirectory)

        let (status, text) = try brain.run(["recover", "--data-dir", brain.dataDirectory, "--yes"])
        #expect(status == 1, "\(text)")
        #expect(text.contains("pid \(pid)"), "\(text)")
        #expect(text.contains("brain"), "\(text)")
        #expect(text.contains("stop it before you recover it"), "\(text)")
        #expect(Self.listing(brain.dataDirectory) == before, "recover changed the directory of a live brain")

        // Once the brain has stopped, the lock is free and recover works.
        try FileManager.default.removeItem(atPath: snapshot)
        brain.stop()
        let (after, afterText) = try brain.run(["recover", "--data-dir", brain.dataDirectory, "--yes"])
        #expect(after == 0, "\(afterText)")
    }

    @Test("a second brain on the same data directory is refused with the first one's pid")
    func secondServeNamesTheHolder() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let pid = try #require(brain.pid)
        let other = try BrainProcess()
        let (status, text) = try other.run(["serve", "--socket", other.socketPath, "--data-dir", brain.dataDirectory])
        #expect(status == 1)
        #expect(text.contains("pid \(pid)"), "\(text)")
        #expect(text.contains("brain.lock"), "\(text)")
        brain.stop()
    }

    @Test("recover of a directory that does not exist says so")
    func recoverMissingDirectory() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.run(["recover", "--data-dir", "\(brain.directory)/nowhere", "--yes"])
        #expect(status == 1)
        #expect(text.contains("is not a data directory"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: "\(brain.directory)/nowhere"))
    }

    @Test("a start that cannot listen creates nothing in the data directory")
    func failedStartLeavesNoFiles() async throws {
        let brain = try BrainProcess()
        let data = "\(brain.directory)/fresh-data"
        let long = "\(brain.directory)/" + String(repeating: "s", count: 120) + ".sock"
        let (status, text) = try brain.run(["serve", "--socket", long, "--data-dir", data])
        #expect(status == 1)
        #expect(text.contains("must be shorter than"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: data), "a refused socket created \(Self.listing(data))")

        // A socket another brain answers on: refused before the data directory is touched.
        try await brain.start()
        let (inUse, inUseText) = try brain.run(["serve", "--socket", brain.socketPath, "--data-dir", data])
        #expect(inUse == 1)
        #expect(inUseText.contains("already answering"), "\(inUseText)")
        #expect(!FileManager.default.fileExists(atPath: data), "a socket in use created \(Self.listing(data))")
        brain.stop()
    }

    @Test("brain-bench echo-server refuses a live brain's socket and removes its own on SIGTERM")
    func echoServerRespectsSockets() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let (status, _, stderr) = try BrainProcess.runTool("brain-bench", ["echo-server", "--socket", brain.socketPath])
        #expect(status != 0)
        #expect(stderr.contains("already answering"), "\(stderr)")
        let connection = try await brain.connect()
        guard case .statusReply = try await connection.call(.getStatus) else {
            Issue.record("the brain stopped answering after echo-server tried its socket")
            return
        }
        await connection.close()
        brain.stop()

        let socket = "\(brain.directory)/echo.sock"
        let echo = Process()
        echo.executableURL = URL(fileURLWithPath: "\(BrainProcess.binDirectory)/brain-bench")
        echo.arguments = ["echo-server", "--socket", socket]
        echo.standardOutput = FileHandle.nullDevice
        try echo.run()
        #expect(try await eventually(10) { FileManager.default.fileExists(atPath: socket) })
        kill(echo.processIdentifier, SIGTERM)
        echo.waitWithoutSpinning()
        #expect(!FileManager.default.fileExists(atPath: socket), "echo-server left its socket behind")
    }
}
