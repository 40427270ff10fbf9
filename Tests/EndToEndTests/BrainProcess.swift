import BrainClient
import BrainProtocol
import Foundation

/// A real `brain serve` process in a temporary directory, for end-to-end tests.
final class BrainProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched from the test that owns this value.
    static var binDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["BRAIN_BIN_DIR"] { return explicit }
        // Tests/EndToEndTests/BrainProcess.swift → package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").path
    }

    let directory: String
    var socketPath: String { "\(directory)/b.sock" }
    var dataDirectory: String { "\(directory)/data" }
    private(set) var process: Process?
    private(set) var output = Pipe()
    let extraArguments: [String]

    /// A fresh directory under /tmp (short, so socket paths stay under 104 bytes).
    init(arguments: [String] = []) throws {
        let template = "/tmp/brain-e2e-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw BrainError(.internal, "mkdtemp failed") }
        directory = String(cString: made)
        extraArguments = arguments
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the brain and waits until its socket answers.
    func start(arguments: [String]? = nil) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/brain")
        process.arguments = ["serve", "--socket", socketPath, "--data-dir", dataDirectory] + (arguments ?? extraArguments)
        output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        for _ in 0..<500 {
            if let connection = try? await BrainConnection.connect(socketPath: socketPath) {
                await connection.close()
                return
            }
            if !process.isRunning {
                throw BrainError(.unavailable, "brain exited at start: \(readOutput())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BrainError(.unavailable, "brain did not start listening: \(readOutput())")
    }

    /// Runs `brain serve` expecting it to fail; returns its exit code and output.
    func startExpectingFailure(arguments: [String] = []) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/brain")
        process.arguments = ["serve", "--socket", socketPath, "--data-dir", dataDirectory] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let process else { return 0 }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    func readOutput() -> String {
        String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    }

    func connect() async throws -> BrainConnection {
        try await BrainConnection.connect(socketPath: socketPath)
    }

    /// Runs brainctl against this brain and returns its exit code and stdout.
    func brainctl(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/brainctl")
        process.arguments = arguments + ["--socket", socketPath]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// brainctl with --json, parsed.
    func brainctlJSON(_ arguments: [String]) throws -> Any {
        let (status, stdout, stderr) = try brainctl(arguments + ["--json"])
        guard status == 0 else { throw BrainError(.internal, "brainctl \(arguments) failed (\(status)): \(stderr)") }
        return try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}
