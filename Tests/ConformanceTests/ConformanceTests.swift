import BrainClient
import BrainProtocol
import Foundation
import Testing

/// The cross-client conformance suite, Swift runner.
///
/// Executes every case of `conformance/cases.json` through BrainClient (AgentSession for
/// the agent side, BrainConnection for reads, watches and the raw frame) against a real
/// brain (`$BRAIN_BIN`, default `.build/debug/brain`) started in a temp dir per case, and
/// checks the golden messages of `conformance/golden/` against `WireCodec`. The C
/// (`clients/c/tests/conformance.c`) and Python (`clients/python/tests/test_conformance.py`)
/// runners do the same; a case id without an implementation here fails.
@Suite("Conformance: conformance/cases.json and golden bytes")
struct ConformanceTests {
    @Test func everyCaseIsImplemented() throws {
        let missing = try Spec.caseIDs().filter { !Cases.implemented.contains($0) }
        #expect(missing.isEmpty, "cases in conformance/cases.json without a Swift implementation: \(missing)")
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: ConformanceBrain.binary), "no brain binary (set BRAIN_BIN)"),
        .timeLimit(.minutes(2)), arguments: (try? Spec.caseIDs()) ?? ["(cases.json unreadable)"]
    )
    func wireCase(_ id: String) async throws {
        let spec = try Spec.load()
        let testCase = try #require(spec.cases.first { $0["id"] as? String == id }, "no case \(id) in cases.json")
        guard Cases.implemented.contains(id) else {
            Issue.record("case \(id) has no Swift implementation")
            return
        }
        let brain = try ConformanceBrain(maxFrameBytes: spec.maxFrameBytes)
        try await brain.start()
        defer { brain.stop(signal: SIGTERM) }
        do {
            try await Cases.run(id, JSONObject(testCase), brain: brain)
        } catch {
            Issue.record("case \(id) threw \(error); brain log:\n\(brain.log())")
        }
    }

    @Test func goldenFilesExist() throws {
        #expect(try Golden.names().count >= 4)
    }

    @Test(arguments: (try? Golden.names()) ?? [])
    func goldenEncode(_ name: String) throws {
        let golden = try Golden.load(name)
        switch golden.message {
        case .request(let request): #expect(WireCodec.encode(request) == golden.bytes, "\(name): WireCodec's bytes differ from \(name).pb")
        case .response(let response): #expect(WireCodec.encode(response) == golden.bytes, "\(name): WireCodec's bytes differ from \(name).pb")
        }
    }

    @Test(arguments: (try? Golden.names()) ?? [])
    func goldenDecode(_ name: String) throws {
        let golden = try Golden.load(name)
        switch golden.message {
        case .request(let request):
            let decoded = try golden.bytes.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeRequest(bytes) }
            #expect(decoded == request)
        case .response(let response):
            let decoded = try golden.bytes.withUnsafeBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) }
            #expect(decoded == response)
        }
    }
}

// MARK: - The spec

enum Spec {
    /// The package root, from Tests/ConformanceTests/ConformanceTests.swift.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// cases.json and golden/; `$BRAIN_CONFORMANCE_DIR` overrides.
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["BRAIN_CONFORMANCE_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("conformance")
    }

    struct Loaded {
        var cases: [[String: Any]]
        var maxFrameBytes: Int
    }

    static func load() throws -> Loaded {
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let brain = root["brain"] as? [String: Any]
        return Loaded(cases: cases, maxFrameBytes: (brain?["max_frame_bytes"] as? NSNumber)?.intValue ?? 4 << 20)
    }

    static func caseIDs() throws -> [String] {
        try load().cases.map { ($0["id"] as? String) ?? "(no id)" }
    }
}

/// Typed access to a case's JSON object; a missing or mistyped key is recorded as an
/// issue (the case is wrong) and reads as a zero value.
struct JSONObject {
    let dict: [String: Any]
    init(_ dict: [String: Any]) { self.dict = dict }

    func has(_ key: String) -> Bool { dict[key] != nil }
    func string(_ key: String) -> String { value(key) ?? "" }
    func bool(_ key: String) -> Bool { value(key) ?? false }
    func object(_ key: String) -> JSONObject { JSONObject(value(key) ?? [:]) }
    func objects(_ key: String) -> [JSONObject] { (value(key) ?? [] as [[String: Any]]).map(JSONObject.init) }
    func strings(_ key: String) -> [String] { value(key) ?? [] }
    /// A JSON number, or an integer in a string (proto3 JSON's 64-bit integers).
    func int(_ key: String) -> Int64 {
        if let number = dict[key] as? NSNumber { return number.int64Value }
        if let text = dict[key] as? String, let number = Int64(text) { return number }
        Issue.record("cases.json: \(key) is not an integer: \(String(describing: dict[key]))")
        return 0
    }
    func uint(_ key: String) -> UInt64 {
        if let text = dict[key] as? String, let number = UInt64(text) { return number }
        if let number = dict[key] as? NSNumber { return number.uint64Value }
        Issue.record("cases.json: \(key) is not an unsigned integer: \(String(describing: dict[key]))")
        return 0
    }
    func ints(_ key: String) -> [Int64] {
        (value(key) ?? [] as [Any]).map { ($0 as? NSNumber)?.int64Value ?? Int64(($0 as? String) ?? "") ?? -1 }
    }

    private func value<T>(_ key: String) -> T? {
        guard let value = dict[key] as? T else {
            Issue.record("cases.json: \(key) is missing or not a \(T.self): \(String(describing: dict[key]))")
            return nil
        }
        return value
    }
}

func runStatusName(_ status: RunStatus) -> String { "RUN_STATUS_" + status.name.uppercased() }
func stepStatusName(_ status: StepStatus) -> String { "STEP_STATUS_" + status.name.uppercased() }

func stepStatus(named name: String) throws -> StepStatus {
    try #require(StepStatus.allCases.first { stepStatusName($0) == name }, "unknown step status \(name)")
}

func runStatus(named name: String) throws -> RunStatus {
    try #require(RunStatus.allCases.first { runStatusName($0) == name }, "unknown run status \(name)")
}

func statusCode(named name: String) throws -> StatusCode {
    try #require((0...16).map { StatusCode(rawValue: $0) }.first { $0.name == name }, "unknown status code \(name)")
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

// MARK: - The brain

/// `brain serve` in a fresh short /tmp directory, restartable on the same socket and data.
final class ConformanceBrain: @unchecked Sendable {
    // @unchecked: only the test that owns it touches it.
    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["BRAIN_BIN"] { return explicit }
        return Spec.packageRoot.appendingPathComponent(".build/debug/brain").path
    }

    let directory: String
    let maxFrameBytes: Int
    var socketPath: String { "\(directory)/b.sock" }
    var logPath: String { "\(directory)/brain.log" }
    private var process: Process?

    init(maxFrameBytes: Int) throws {
        var template = Array("/tmp/bc-swift-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BrainError(.internal, "mkdtemp failed") }
        directory = String(cString: made)
        self.maxFrameBytes = maxFrameBytes
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func start() async throws {
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--socket", socketPath, "--data-dir", "\(directory)/data", "--max-frame-bytes", String(maxFrameBytes)]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        for _ in 0..<1_500 {
            if let connection = try? await BrainConnection.connect(socketPath: socketPath) {
                await connection.close()
                return
            }
            if !process.isRunning { throw BrainError(.unavailable, "the brain exited at start: \(self.log())") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BrainError(.unavailable, "the brain did not listen on \(socketPath): \(self.log())")
    }

    func stop(signal: Int32) {
        guard let process else { return }
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        self.process = nil
    }

    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)).map { String($0.suffix(4_000)) } ?? ""
    }

    func connect() async throws -> BrainConnection {
        try await BrainConnection.connect(socketPath: socketPath)
    }

    func getRun(_ runID: String) async throws -> RunDetail {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        guard case .run(let detail) = try await connection.call(.getRun(GetRunQuery(runID: runID))) else {
            throw BrainError(.internal, "GetRun answered without a run")
        }
        return detail
    }
}

/// Collects a raw connection's unsolicited responses and its close.
final class ConnectionSignal: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var _responses: [BrainResponse] = []
    private var _closed = false

    func record(_ response: BrainResponse) { lock.withLock { _responses.append(response) } }
    func close() { lock.withLock { _closed = true } }
    var responses: [BrainResponse] { lock.withLock { _responses } }
    var isClosed: Bool { lock.withLock { _closed } }
}

// MARK: - The cases

enum Cases {
    static let implemented: Set<String> = [
        "hello", "wrong_token", "protocol_version_mismatch", "steps", "duplicate_resend",
        "conflicting_resend", "oversized_frame", "reconnect_after_restart", "watch",
    ]

    static func run(_ id: String, _ c: JSONObject, brain: ConformanceBrain) async throws {
        switch id {
        case "hello": try await hello(c, brain)
        case "wrong_token": try await wrongToken(c, brain)
        case "protocol_version_mismatch": try await protocolVersionMismatch(c, brain)
        case "steps": try await steps(c, brain)
        case "duplicate_resend": try await duplicateResend(c, brain)
        case "conflicting_resend": try await conflictingResend(c, brain)
        case "oversized_frame": try await oversizedFrame(c, brain)
        case "reconnect_after_restart": try await reconnectAfterRestart(c, brain)
        case "watch": try await watch(c, brain)
        default: Issue.record("case \(id) has no Swift implementation")
        }
    }

    static func session(_ c: JSONObject, _ brain: ConformanceBrain, token: String? = nil, protocolVersion: UInt32 = 1) throws -> AgentSession {
        let hello = Hello(
            agentName: c.string("agent"), project: c.has("project") ? c.string("project") : "",
            token: token ?? c.string("token"), protocolVersion: protocolVersion
        )
        var options = AgentSession.Options(socketPath: brain.socketPath, hello: hello)
        options.reconnectTimeoutSeconds = 60
        return AgentSession(options: options)
    }

    static func newRun(_ goal: String) -> (String, AgentEvent.Kind) {
        let id = UUID().uuidString.lowercased()
        var created = RunCreated(runID: id, goal: goal)
        created.initialStatus = .running
        return (id, .runCreated(created))
    }

    static func completed(_ runID: String, result: String = "") -> AgentEvent.Kind {
        var done = RunStatusChanged(runID: runID, status: .completed)
        done.resultJSON = result
        return .runStatus(done)
    }

    static func caseStep(_ c: JSONObject, runID: String) throws -> StepReported {
        let s = c.object("step")
        var step = StepReported(runID: runID, seq: UInt32(s.int("seq")), stepName: s.string("name"), status: .ok)
        step.inputJSON = s.string("input_json")
        step.outputJSON = s.string("output_json")
        step.durationMs = s.uint("duration_ms")
        step.startedAt = s.int("started_at")
        return step
    }

    static func hello(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect"), first = expect.object("first"), second = expect.object("second")
        let s1 = try session(c, brain)
        let w1 = try await s1.start()
        await s1.close()
        let s2 = try session(c, brain)
        let w2 = try await s2.start()
        await s2.close()
        #expect(w1.registered == (first.bool("registered")))
        #expect(Int64(w1.lastSeq) == (first.int("last_seq")))
        #expect(Int64(w1.protocolVersion) == (first.int("protocol_version")))
        #expect(w1.project == (first.string("project")))
        #expect(w2.registered == (second.bool("registered")))
        #expect(Int64(w2.lastSeq) == (second.int("last_seq")))
        #expect((w1.agentID == w2.agentID) == (second.bool("same_agent_id")))
        #expect(!w1.agentID.isEmpty == (expect.bool("agent_id_nonempty")))
        #expect((w1.heartbeatIntervalMs > 0) == (expect.bool("heartbeat_interval_ms_positive")))
        #expect((w1.heartbeatTimeoutMs >= w1.heartbeatIntervalMs) == (expect.bool("heartbeat_timeout_ms_at_least_interval")))
    }

    static func wrongToken(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let right = try session(c, brain)
        try await right.start()
        await right.close()
        let wrong = try session(c, brain, token: c.string("wrong_token"))
        do {
            try await wrong.start()
            Issue.record("a hello with the wrong token was welcomed")
            await wrong.close()
        } catch {
            #expect(error.code.name == (c.object("expect").string("code")))
            #expect(!error.message.isEmpty)
        }
    }

    static func protocolVersionMismatch(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain, protocolVersion: UInt32(c.int("protocol_version")))
        do {
            try await s.start()
            Issue.record("a hello with protocol version \(c.int("protocol_version")) was welcomed")
            await s.close()
        } catch {
            #expect(error.code.name == (expect.string("code")))
            #expect(error.message.contains(expect.string("message_contains")), "\(error.message)")
        }
    }

    static func steps(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance steps")
        try await s.publish(created)
        for (i, step) in c.objects("steps").enumerated() {
            var reported = StepReported(runID: runID, seq: UInt32(i + 1), stepName: step.string("name"), status: try stepStatus(named: step.string("status")))
            if step.has("error") { reported.error = step.string("error") }
            try await s.publish(.step(reported))
        }
        try await s.publish(completed(runID, result: c.string("result_json")))
        try await s.flush(timeoutSeconds: 15)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(await s.lastPublishedSeq == s.ackedSeq)
        #expect(Int64(await s.rejections.count) == (expect.int("rejections")))
        await s.close()
        let detail = try await brain.getRun(runID)
        #expect(runStatusName(detail.run.status) == (expect.string("run_status")))
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(detail.steps.map { Int64($0.seq) } == (expect.ints("step_seqs")))
        #expect(detail.steps.map(\.stepName) == (expect.strings("step_names")))
        #expect(detail.steps.map { stepStatusName($0.status) } == (expect.strings("step_statuses")))
        #expect(detail.run.resultJSON == (expect.string("result_json")))
    }

    static func duplicateResend(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance duplicate")
        let step = try caseStep(c, runID: runID)
        try await s.publish([created, .step(step), .step(step)])
        try await s.flush(timeoutSeconds: 15)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(Int64(await s.rejections.count) == (expect.int("rejections")))
        await s.close()
        let detail = try await brain.getRun(runID)
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(Int64(detail.steps.count) == (expect.int("step_count")))
    }

    static func conflictingResend(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance conflict")
        let step = try caseStep(c, runID: runID)
        var conflicting = step
        conflicting.outputJSON = c.string("conflicting_output_json")
        let seqs = try await s.publish([created, .step(step), .step(conflicting)])
        try await s.flush(timeoutSeconds: 15)
        #expect(try await eventually(5) { await !s.rejections.isEmpty })
        try await Task.sleep(for: .milliseconds(100))
        let rejections = await s.rejections
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        await s.close()
        #expect(Int64(rejections.count) == (expect.int("rejections")))
        let first = try #require(rejections.first)
        #expect(first.error.code.name == (expect.string("rejected_code")))
        #expect(first.seq == seqs[2] && Int64(first.seq) == (expect.int("rejected_seq")))
        #expect(!first.error.message.isEmpty)
        let detail = try await brain.getRun(runID)
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(detail.steps.first?.outputJSON == (expect.string("stored_output_json")))
        let connection = try await brain.connect()
        let result = try await connection.call(.listPersistenceErrors(ListPersistenceErrorsQuery(runID: runID)))
        await connection.close()
        guard case .persistenceErrors(let list) = result else {
            Issue.record("ListPersistenceErrors answered \(result)")
            return
        }
        let phase = expect.string("persistence_error_phase"), agent = expect.string("persistence_error_agent")
        #expect(list.errors.contains { $0.phase == phase && $0.runID == runID && $0.agentName == agent }, "\(list.errors)")
    }

    static func oversizedFrame(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let healthy = try session(c, brain)
        try await healthy.start()
        let bad = try await brain.connect()
        let signal = ConnectionSignal()
        bad.onUnsolicited({ signal.record($0) }, onClose: { _ in signal.close() })
        let length = UInt32(c.int("frame_bytes"))
        let prefix: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        bad.sendRaw(prefix + [UInt8](repeating: 0, count: Int(c.int("body_bytes_sent"))))
        #expect(try await eventually(5) { signal.isClosed } == (expect.bool("closed")))
        #expect(signal.responses.first?.error?.code.name == (expect.string("code")), "\(signal.responses)")
        #expect(!(signal.responses.first?.error?.message.isEmpty ?? true))
        // The client's other connection is unaffected.
        let (runID, created) = newRun("after an oversized frame")
        var events = [created]
        for seq in 1...UInt32(c.int("steps_after")) {
            events.append(.step(StepReported(runID: runID, seq: seq, stepName: "after", status: .ok)))
        }
        events.append(completed(runID))
        try await healthy.publish(events)
        try await healthy.flush(timeoutSeconds: 15)
        #expect(Int64(await healthy.ackedSeq) == (expect.int("healthy_acked_seq")))
        #expect(await healthy.rejections.isEmpty)
        await healthy.close()
        #expect(Int64(try await brain.getRun(runID).run.stepCount) == (expect.int("healthy_step_count")))
    }

    static func reconnectAfterRestart(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let runs = Int(c.int("runs")), steps = Int(c.int("steps_per_run"))
        let killAfter = Int(c.int("kill_after_run")), restartAfter = Int(c.int("restart_after_run"))
        let flushAfter = Int(c.int("flush_after_run"))
        var ackedBeforeKill: UInt64 = 0
        let s = try session(c, brain)
        try await s.start()
        var runIDs: [String] = []
        for i in 0..<runs {
            let (runID, created) = newRun("restart run \(i)")
            runIDs.append(runID)
            try await s.publish(created)
            for seq in 1...steps {
                var step = StepReported(runID: runID, seq: UInt32(seq), stepName: "step-\(seq)", status: .ok)
                step.inputJSON = "{\"i\":\(i),\"s\":\(seq - 1)}"
                try await s.publish(.step(step))
            }
            try await s.publish(completed(runID))
            if i == flushAfter {
                try await s.flush(timeoutSeconds: 15)
                ackedBeforeKill = await s.ackedSeq
            }
            if i == killAfter { brain.stop(signal: SIGKILL) }
            if i == restartAfter { try await brain.start() }
        }
        try await s.flush(timeoutSeconds: 60)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(await s.lastPublishedSeq == s.ackedSeq)
        // The welcome after the restart (the first said last_seq 0) holds what was acked before the kill.
        let lastSeq = await s.welcome?.lastSeq ?? 0
        #expect((lastSeq >= ackedBeforeKill && ackedBeforeKill > 0) == expect.bool("welcome_last_seq_at_least_acked_before_kill"),
                "welcome.last_seq \(lastSeq) after the restart, acked before the kill \(ackedBeforeKill)")
        let rejections = await s.rejections
        #expect(Int64(rejections.count) == (expect.int("rejections")), "\(rejections)")
        await s.close()
        for runID in runIDs {
            let detail = try await brain.getRun(runID)
            #expect(runStatusName(detail.run.status) == (expect.string("run_status")), "\(runID)")
            #expect(Int64(detail.run.stepCount) == (expect.int("step_count")), "\(runID)")
            #expect(Int64(detail.steps.count) == (expect.int("step_count")), "\(runID)")
        }
    }

    static func watch(_ c: JSONObject, _ brain: ConformanceBrain) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance watch")
        try await s.publish(created)
        try await s.flush(timeoutSeconds: 15)
        let watcher = try await brain.connect()
        var events = watcher.stream(.watch(WatchQuery(runID: runID))).makeAsyncIterator()
        let first = try await events.next()
        guard case .watchEvent(.run(let initial))? = first?.result else {
            Issue.record("the watch did not start with the run: \(String(describing: first))")
            await watcher.close()
            await s.close()
            return
        }
        #expect(expect.string("first_event") == "run")
        #expect(runStatusName(initial.status) == (expect.string("first_run_status")))
        let count = UInt32(c.int("steps"))
        try await s.publish((1...count).map { .step(StepReported(runID: runID, seq: $0, stepName: "watched", status: .ok)) } + [completed(runID)])
        let final = expect.string("final_run_status")
        var seqs: [Int64] = []
        var sawFinal = false
        while !sawFinal, let response = try await events.next() {
            switch response.result {
            case .watchEvent(.step(let step))?: seqs.append(Int64(step.seq))
            case .watchEvent(.run(let run))? where runStatusName(run.status) == final: sawFinal = true
            default: break
            }
        }
        try await s.flush(timeoutSeconds: 15)
        await watcher.close()
        await s.close()
        #expect(seqs == (expect.ints("step_seqs")))
        #expect(sawFinal)
    }
}

// MARK: - Golden bytes

enum Golden {
    enum Message {
        case request(BrainRequest)
        case response(BrainResponse)
    }

    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Spec.directory.appendingPathComponent("golden").path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func load(_ name: String) throws -> (message: Message, bytes: [UInt8]) {
        let dir = Spec.directory.appendingPathComponent("golden")
        let description = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(name).json"))) as? [String: Any]
        )
        let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("\(name).pb")))
        let value = Fields(JSONObject(description).object("value").dict, path: name)
        switch description["message"] as? String {
        case "brain.v1.Request": return (.request(try request(value)), bytes)
        case "brain.v1.Response": return (.response(try response(value)), bytes)
        default: throw BrainError(.invalidArgument, "\(name): unknown message kind")
        }
    }

    /// A description's fields; reading marks them used, `done()` throws on any left unread
    /// (a field this mapping does not know would otherwise be silently dropped).
    final class Fields {
        let dict: [String: Any]
        let path: String
        private var used: Set<String> = []

        init(_ dict: [String: Any], path: String) {
            self.dict = dict
            self.path = path
        }

        func has(_ key: String) -> Bool { dict[key] != nil }
        private func raw(_ key: String) -> Any? {
            used.insert(key)
            return dict[key]
        }
        func string(_ key: String) -> String { raw(key) as? String ?? "" }
        func strings(_ key: String) -> [String] { raw(key) as? [String] ?? [] }
        func bool(_ key: String) -> Bool { (raw(key) as? NSNumber)?.boolValue ?? false }
        func u64(_ key: String) -> UInt64 {
            let v = raw(key)
            return (v as? String).flatMap { UInt64($0) } ?? (v as? NSNumber)?.uint64Value ?? 0
        }
        func i64(_ key: String) -> Int64 {
            let v = raw(key)
            return (v as? String).flatMap { Int64($0) } ?? (v as? NSNumber)?.int64Value ?? 0
        }
        func u32(_ key: String) -> UInt32 { UInt32(truncatingIfNeeded: u64(key)) }
        func object(_ key: String) -> Fields? {
            (raw(key) as? [String: Any]).map { Fields($0, path: "\(path).\(key)") }
        }
        func objects(_ key: String) -> [Fields] {
            (raw(key) as? [[String: Any]] ?? []).enumerated().map { Fields($1, path: "\(path).\(key)[\($0)]") }
        }
        func done() throws {
            let unknown = Set(dict.keys).subtracting(used)
            if !unknown.isEmpty { throw BrainError(.invalidArgument, "\(path): fields not mapped here: \(unknown.sorted())") }
        }
    }

    static func request(_ f: Fields) throws -> BrainRequest {
        let callID = f.u64("call_id")
        let method: BrainRequest.Method
        if let h = f.object("hello") {
            method = .hello(Hello(
                agentName: h.string("agent_name"), project: h.string("project"), token: h.string("token"),
                protocolVersion: h.u32("protocol_version"), frameworkAdapter: h.string("framework_adapter"),
                engineAdapters: h.strings("engine_adapters"), schedulerAdapters: h.strings("scheduler_adapters"),
                capabilitiesJSON: h.string("capabilities_json"), metadataJSON: h.string("metadata_json")
            ))
            try h.done()
        } else if let p = f.object("publish") {
            method = .publish(try agentEvent(p))
        } else {
            throw BrainError(.invalidArgument, "\(f.path): no method this mapping knows")
        }
        try f.done()
        return BrainRequest(callID: callID, method: method)
    }

    static func agentEvent(_ f: Fields) throws -> AgentEvent {
        let seq = f.u64("seq")
        let kind: AgentEvent.Kind
        if let s = f.object("step") {
            var step = StepReported(runID: s.string("run_id"), seq: s.u32("seq"), stepName: s.string("step_name"))
            step.status = try s.has("status") ? stepStatus(named: s.string("status")) : .unspecified
            step.inputJSON = s.string("input_json")
            step.outputJSON = s.string("output_json")
            step.error = s.string("error")
            step.durationMs = s.u64("duration_ms")
            step.startedAt = s.i64("started_at")
            try s.done()
            kind = .step(step)
        } else if let r = f.object("run_created") {
            var created = RunCreated(runID: r.string("run_id"), goal: r.string("goal"))
            created.targetURL = r.string("target_url")
            created.initiatedBy = r.string("initiated_by")
            created.runType = r.string("run_type")
            created.workflowJSON = r.string("workflow_json")
            created.inputJSON = r.string("input_json")
            created.metadataJSON = r.string("metadata_json")
            created.parentRunID = r.string("parent_run_id")
            created.timeoutMs = r.u64("timeout_ms")
            created.initialStatus = try r.has("initial_status") ? runStatus(named: r.string("initial_status")) : .unspecified
            created.createdAt = r.i64("created_at")
            try r.done()
            kind = .runCreated(created)
        } else {
            throw BrainError(.invalidArgument, "\(f.path): no event this mapping knows")
        }
        try f.done()
        return AgentEvent(seq: seq, kind: kind)
    }

    static func response(_ f: Fields) throws -> BrainResponse {
        var response = BrainResponse(callID: f.u64("call_id"), endOfStream: f.bool("end_of_stream"))
        if let s = f.object("status") {
            response.error = BrainError(try statusCode(named: s.string("code")), s.string("message"))
            try s.done()
        }
        if let r = f.object("rejected") {
            response.result = .rejected(seq: r.u64("seq"))
            try r.done()
        } else if let a = f.object("ack") {
            response.result = .ack(ackedSeq: a.u64("acked_seq"))
            try a.done()
        } else if let d = f.object("run") {
            var detail = RunDetail(childRunIDs: d.strings("child_run_ids"))
            if let r = d.object("run") { detail.run = try runInfo(r) }
            detail.steps = try d.objects("steps").map(stepInfo)
            try d.done()
            response.result = .run(detail)
        }
        try f.done()
        return response
    }

    static func runInfo(_ f: Fields) throws -> RunInfo {
        var run = RunInfo()
        run.runID = f.string("run_id")
        run.agentID = f.string("agent_id")
        run.agentName = f.string("agent_name")
        run.project = f.string("project")
        run.status = try f.has("status") ? runStatus(named: f.string("status")) : .unspecified
        run.goal = f.string("goal")
        run.targetURL = f.string("target_url")
        run.initiatedBy = f.string("initiated_by")
        run.runType = f.string("run_type")
        run.workflowJSON = f.string("workflow_json")
        run.inputJSON = f.string("input_json")
        run.metadataJSON = f.string("metadata_json")
        run.parentRunID = f.string("parent_run_id")
        run.timeoutMs = f.u64("timeout_ms")
        run.stepCount = f.u32("step_count")
        run.resultJSON = f.string("result_json")
        run.errorType = f.string("error_type")
        run.errorMessage = f.string("error_message")
        run.failedAtStep = f.u32("failed_at_step")
        run.errorContextJSON = f.string("error_context_json")
        run.createdAt = f.i64("created_at")
        run.updatedAt = f.i64("updated_at")
        run.completedAt = f.i64("completed_at")
        run.deletedAt = f.i64("deleted_at")
        try f.done()
        return run
    }

    static func stepInfo(_ f: Fields) throws -> StepInfo {
        var step = StepInfo()
        step.runID = f.string("run_id")
        step.seq = f.u32("seq")
        step.stepName = f.string("step_name")
        step.status = try f.has("status") ? stepStatus(named: f.string("status")) : .unspecified
        step.inputJSON = f.string("input_json")
        step.outputJSON = f.string("output_json")
        step.error = f.string("error")
        step.durationMs = f.u64("duration_ms")
        step.startedAt = f.i64("started_at")
        step.receivedAt = f.i64("received_at")
        try f.done()
        return step
    }
}
