public import BrainClient
public import BrainProtocol
public import Foundation

/// A real `brain serve` process in a short temporary directory, for end-to-end and
/// conformance tests: started, killed and restarted on the same socket and data.
///
/// Its output goes to a log file (a pipe nobody reads would block a chatty brain).
public final class BrainProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched from the test that owns this value.

    /// Where the binaries are: `BRAIN_BIN_DIR`, else the package's `.build/debug`.
    public static var binDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["BRAIN_BIN_DIR"] { return explicit }
        if let binary = ProcessInfo.processInfo.environment["BRAIN_BIN"] {
            return URL(fileURLWithPath: binary).deletingLastPathComponent().path
        }
        return packageRoot.appendingPathComponent(".build/debug").path
    }

    /// The package root, from this file's place in it.
    public static var packageRoot: URL {
        // Sources/_BrainTestSupport/BrainProcess.swift → package root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public let directory: String
    /// `b.sock` in ``directory`` unless a test points the brain elsewhere before starting it.
    public var socketPath: String
    public var dataDirectory: String { "\(directory)/data" }
    public var logPath: String { "\(directory)/brain.log" }
    public let extraArguments: [String]
    private var process: Process?
    private var logOffset: UInt64 = 0

    /// A fresh directory under /tmp (short, so socket paths stay under 104 bytes).
    public init(arguments: [String] = []) throws {
        var template = Array("/tmp/brain-e2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BrainError(.internal, "mkdtemp failed") }
        directory = String(cString: made)
        socketPath = "\(directory)/b.sock"
        extraArguments = arguments
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the brain and waits until its socket answers.
    public func start(arguments: [String]? = nil) async throws {
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        logOffset = try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/brain")
        process.arguments = ["serve", "--socket", socketPath, "--data-dir", dataDirectory] + Self.withTestHeartbeats(arguments ?? extraArguments)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<1_500 {
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

    /// The heartbeat timeout a test brain uses unless the test sets its own (any
    /// `--heartbeat-…` argument): 60 s instead of the daemon's 6 s. With the daemon's, a test
    /// client starved of CPU for a few seconds on a loaded machine (a full `make test` beside
    /// other builds) went offline and had its runs abandoned, failing tests that are not about
    /// liveness; the tests that are set their own, short, intervals.
    public static let testHeartbeatTimeout = "60s"

    static func withTestHeartbeats(_ arguments: [String]) -> [String] {
        arguments.contains { $0.hasPrefix("--heartbeat") } ? arguments : arguments + ["--heartbeat-timeout", testHeartbeatTimeout]
    }

    /// Runs `brain serve` expecting it to fail; returns its exit code and output.
    /// `environment` adds variables to the inherited ones (for this process only).
    public func startExpectingFailure(arguments: [String] = [], environment: [String: String] = [:]) throws -> (Int32, String) {
        try run(["serve", "--socket", socketPath, "--data-dir", dataDirectory] + arguments, environment: environment)
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        guard let process else { return 0 }
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitWithoutSpinning()
        self.process = nil
        return process.terminationStatus
    }

    /// The running brain's process id, or nil when it is not running.
    public var pid: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    /// What the brain printed since it was last started.
    public func readOutput() -> String {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: logOffset)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    public func connect() async throws -> BrainConnection {
        try await BrainConnection.connect(socketPath: socketPath)
    }

    /// `GetRun` on a connection of its own.
    public func getRun(_ runID: String) async throws -> RunDetail {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        guard case .run(let detail) = try await connection.call(.getRun(GetRunQuery(runID: runID))) else {
            throw BrainError(.internal, "GetRun answered without a run")
        }
        return detail
    }

    /// Runs brainctl against this brain and returns its exit code, stdout and stderr.
    public func brainctl(_ arguments: [String]) throws -> (Int32, String, String) {
        try Self.runTool("brainctl", arguments + ["--socket", socketPath])
    }

    /// Sends `signal` to the brain without waiting (SIGSTOP, SIGCONT); false when it is not running.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        guard let process, process.isRunning else { return false }
        return kill(process.processIdentifier, signal) == 0
    }

    /// Runs one of the built executables (`brainctl`, `brain-bench`) to completion, with
    /// `environment` added to the inherited one; sends SIGTERM when it still runs after
    /// `killAfter` seconds (a command that would not end on its own). Returns its exit code
    /// (the signal's number when killed), stdout and stderr.
    public static func runTool(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], killAfter: Double? = nil
    ) throws -> (Int32, String, String) {
        try runProgram("\(binDirectory)/\(name)", arguments, environment: environment, killAfter: killAfter)
    }

    /// Runs the program at `path` to completion with `environment` added to the inherited one,
    /// sending SIGTERM after `killAfter` seconds if it is still running; returns its exit code
    /// (the signal's number when killed), stdout and stderr.
    public static func runProgram(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], killAfter: Double? = nil
    ) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGTERM) }
        if let killAfter { DispatchQueue.global().asyncAfter(deadline: .now() + killAfter, execute: killer) }
        defer { killer.cancel() }
        // Both pipes are drained at once: a child filling one while we wait on the other would block.
        let stderrData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitWithoutSpinning()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderrData.get(), as: UTF8.self))
    }

    /// brainctl with --json, for a list command: its page's `items`. The page is one object,
    /// `{"items": [...], "next_cursor": ...}`.
    public func brainctlItems(_ arguments: [String]) throws -> [[String: Any]] {
        let page = try brainctlJSON(arguments)
        guard let object = page as? [String: Any], let items = object["items"] as? [[String: Any]], object.keys.contains("next_cursor") else {
            throw BrainError(.internal, "brainctl \(arguments) --json printed no {items, next_cursor} page: \(page)")
        }
        return items
    }

    /// brainctl with --json, parsed.
    public func brainctlJSON(_ arguments: [String]) throws -> Any {
        let (status, stdout, stderr) = try brainctl(arguments + ["--json"])
        guard status == 0 else {
            // The brain's own log says why it closed or refused, when a test fails here.
            throw BrainError(.internal, "brainctl \(arguments) failed (\(status)): \(stderr)\nbrain log:\n\(readOutput().suffix(30_000))")
        }
        return try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }

    /// Runs the brain binary with `arguments` to completion (`brain recover`, failing starts).
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/brain")
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitWithoutSpinning()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Polls `condition` until it holds or `seconds` pass.
public func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Bytes handed from one thread to another.
final class LockedData: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// Collects a raw connection's unsolicited responses and its close, from the event loop.
public final class ConnectionSignal: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var _responses: [BrainResponse] = []
    private var _closed = false

    public init() {}

    public func record(_ response: BrainResponse) { lock.withLock { _responses.append(response) } }
    public func close() { lock.withLock { _closed = true } }
    public var responses: [BrainResponse] { lock.withLock { _responses } }
    public var isClosed: Bool { lock.withLock { _closed } }
}

extension Process {
    /// Waits for the process to exit by sleeping between checks. Foundation's
    /// `waitUntilExit()` on Linux runs the calling thread's run loop, which on a thread
    /// without run-loop sources (Swift concurrency's) returns at once: it spun a core for as
    /// long as the child ran. On 2 cores two such waits starved the brain's idle-priority
    /// snapshot thread and stalled a CI run for two minutes.
    public func waitWithoutSpinning() {
        while isRunning { usleep(5_000) }
    }
}
