import BrainProtocol
import BrainStore
import Foundation
import Testing

@testable import BrainCore

/// The hand-written snapshot JSON: exact round trips, readable by a standard parser, clear errors.
struct SnapshotCodecTests {
    static let start: Int64 = 1_795_000_000_000_000_000

    /// A state with every kind of record and awkward text.
    static func richState() -> BrainState {
        var state = BrainState()
        var hello = Hello(agentName: "crawler ü \"quoted\"", project: "p\\1", token: "")
        hello.capabilitiesJSON = "{\"gpu\": true}"
        hello.engineAdapters = ["celery", ""]
        guard case .success(let welcomed) = state.hello(hello, tokenHash: "ab12", now: start) else {
            Issue.record("hello failed")
            return state
        }
        let agent = welcomed.agent
        let runID = "0f1e2d3c-4b5a-4697-8877-665544332211"
        var created = RunCreated(runID: runID, goal: "line1\nline2\ttab \u{1}")
        created.inputJSON = "  {\"a\": [1, 2, {\"b\": \"\\u00e9\"}]}  "
        created.targetURL = "https://example.com/?q=1&r=\"x\""
        created.initialStatus = .running
        created.timeoutMs = 60_000
        _ = state.apply(AgentEvent(seq: 1, kind: .runCreated(created)), agentID: agent.agentID, now: start + 1)
        var step = StepReported(runID: runID, seq: 1, stepName: "fetch 🚀", status: .ok)
        step.inputJSON = "null"
        step.outputJSON = "\"just a string with \\\"escapes\\\"\""
        step.durationMs = 42
        step.startedAt = Int64.min
        _ = state.apply(AgentEvent(seq: 2, kind: .step(step)), agentID: agent.agentID, now: start + 2)
        var failing = StepReported(runID: runID, seq: 2, stepName: "parse", status: .error)
        failing.error = "boom\nstack"
        failing.durationMs = UInt64.max
        _ = state.apply(AgentEvent(seq: 3, kind: .step(failing)), agentID: agent.agentID, now: start + 3)
        // A refusal, for a sink row with a payload.
        _ = state.apply(AgentEvent(seq: 4, kind: .step(StepReported(runID: runID, seq: 1, stepName: "x", status: .ok))), agentID: agent.agentID, now: start + 4)
        return state
    }

    @Test func aSnapshotRoundTripsExactly() throws {
        let state = Self.richState()
        let bytes = SnapshotStore.encode(state, writtenAt: Self.start + 10, brainVersion: "test", journalSegment: 7)
        let directory = try temporaryDirectory()
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/snapshot.json"))
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(loaded.journalSegment == 7)
        #expect(loaded.writtenAt == Self.start + 10)
        #expect(loaded.state.runs == state.runs)
        // Open connections are not kept: nobody is connected to a brain that just started.
        #expect(
            loaded.state.agents
                == state.agents.mapValues { agent in
                    var agent = agent
                    agent.connections = 0
                    return agent
                })
        #expect(loaded.state.persistenceErrors == state.persistenceErrors)
        #expect(loaded.state.stepCount == state.stepCount)
        #expect(loaded.state.deadlines == state.deadlines)
        #expect(loaded.state.run(id: "0F1E2D3C-4B5A-4697-8877-665544332211") != nil)
        #expect(loaded.state.nextRunSerial == state.nextRunSerial && state.nextRunSerial == 1)
    }

    /// Run serials (the run list's cursors) and the next one survive a snapshot after a sweep
    /// removed the newest run; a snapshot written before serials numbers runs by position.
    @Test func runSerialsAndTheNextOneSurviveASnapshot() throws {
        var state = Self.richState()
        let agentID = try #require(state.agents.keys.first)
        for (index, runID) in ["1f1e2d3c-4b5a-4697-8877-665544332211", "2f1e2d3c-4b5a-4697-8877-665544332211"].enumerated() {
            var created = RunCreated(runID: runID, goal: "more")
            created.initialStatus = .running
            _ = state.apply(AgentEvent(seq: UInt64(10 + 2 * index), kind: .runCreated(created)), agentID: agentID, now: Self.start + 20)
            let done = RunStatusChanged(runID: runID, status: .completed)
            _ = state.apply(AgentEvent(seq: UInt64(11 + 2 * index), kind: .runStatus(done)), agentID: agentID, now: Self.start + 21)
        }
        _ = state.apply(.retentionSweep(RetentionSweep(runIDs: ["2f1e2d3c-4b5a-4697-8877-665544332211"])), now: Self.start + 30)
        #expect(state.runs.map(\.serial) == [0, 1] && state.nextRunSerial == 3, "\(state.runs.map { ($0.runID, $0.serial, $0.status) })")
        let text = String(decoding: SnapshotStore.encode(state, writtenAt: 1, brainVersion: "test", journalSegment: 2), as: UTF8.self)
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(loaded.state.runs.map(\.serial) == [0, 1] && loaded.state.nextRunSerial == 3)
        // Without "serial" after each run's "key" and without "next_run_serial".
        let runSerial = try Regex<(Substring, Substring)>(#""key":([0-9]+),"serial":[0-9]+,"run_id""#)
        let old = text.replacing(runSerial) { match in "\"key\":\(match.output.1),\"run_id\"" }
            .replacing(try Regex(#","next_run_serial":[0-9]+"#), with: "")
        #expect(!old.contains("next_run_serial") && old.count < text.count)
        try old.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let older = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(older.state.runs.map(\.serial) == [0, 1] && older.state.nextRunSerial == 2)
    }

    @Test func theSnapshotIsStandardJSONWithPayloadsEmbeddedAndFormatVersionFirst() throws {
        let bytes = SnapshotStore.encode(Self.richState(), writtenAt: 1, brainVersion: "test", journalSegment: 1)
        #expect(String(decoding: bytes.prefix(20), as: UTF8.self) == "{\"format_version\":1,")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let state = try #require(document["state"] as? [String: Any])
        let run = try #require((state["runs"] as? [[String: Any]])?.first)
        let input = try #require(run["input"] as? [String: Any])
        #expect(input["a"] is [Any], "a payload is embedded as JSON, not as a string")
        let steps = try #require(run["steps"] as? [[String: Any]])
        #expect(steps.first?["input"] is NSNull, "the agent's own null")
        #expect(steps.first?["output"] as? String == "just a string with \"escapes\"")
        #expect(steps.first?["step_name"] as? String == "fetch 🚀")
        #expect(steps.last?["error"] as? String == "boom\nstack")
    }

    @Test(arguments: [
        ("{\"format_version\":1,\"state\":{\"agents\":[tr", "cannot be read"),
        ("{\"format_version\":1}", "has no \"state\""),
        ("[1,2,3]", "is not a brain snapshot"),
        ("{\"format_version\":1,\"state\":{\"runs\":[{\"key\":0,\"run_id\":\"not-a-uuid\",\"steps\":[]}]}}", "is not a UUID"),
        ("{\"format_version\":1,\"state\":{\"runs\":[{\"key\":0,\"status\":\"dancing\"}]}}", "unknown run status"),
        ("{\"format_version\":2,\"state\":{}}", "format version 2"),
    ])
    func aDamagedSnapshotIsAClearError(text: String, expected: String) throws {
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let error = #expect(throws: StoreError.self) { try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("snapshot.json") == true)
    }

    @Test func unknownKeysAreSkippedSoLaterBrainsMayAddFields() throws {
        let directory = try temporaryDirectory()
        let text =
            "{\"format_version\":1,\"future\":{\"x\":[1,{\"y\":\"z\"}]},\"state\":{\"agents\":[],\"runs\":[],\"persistence_errors\":[],\"new_table\":[true,null,1.5e3],\"error_serial\":3,\"events_handled\":9}}"
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(loaded.state.errorSerial == 3)
        #expect(loaded.state.eventsHandled == 9)
    }

    @Test func writingKeepsOlderGenerations() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 3
        for segment in 1...4 {
            _ = try store.write(Self.richState(), writtenAt: Int64(segment), brainVersion: "t", journalSegment: segment)
        }
        #expect(try store.load(configuration: CoreConfiguration())?.journalSegment == 4)
        #expect(try SnapshotStore.load(path: store.path(generation: 1), configuration: CoreConfiguration())?.journalSegment == 3)
        #expect(try SnapshotStore.load(path: store.path(generation: 2), configuration: CoreConfiguration())?.journalSegment == 2)
        // The generation pushed out is left for the brain's housekeeping thread to delete.
        #expect(try SnapshotStore.load(path: store.path(generation: 3), configuration: CoreConfiguration())?.journalSegment == 1)
        store.removeRetiredGeneration()
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 3)))
        #expect(try store.load(configuration: CoreConfiguration())?.journalSegment == 4)
        #expect(try SnapshotStore.load(path: store.path(generation: 2), configuration: CoreConfiguration())?.journalSegment == 2)
    }

    @Test func aSnapshotWrittenThroughThePageCacheIsTheSameFile() throws {
        let directory = try temporaryDirectory()
        let direct = SnapshotStore(directory: "\(directory)/direct")
        var plain = SnapshotStore(directory: "\(directory)/plain")
        plain.directIO = false
        // Large enough for several of the writer's 1 MiB chunks.
        let rich = Self.richState()
        let template = try #require(rich.runs.first)
        let runs = (0..<3_000).map { index in
            var run = template
            run.key = index
            run.serial = index
            run.runID = String(format: "00000000-0000-4000-8000-%012d", index)
            run.parentRunID = ""
            run.goal = String(repeating: "g", count: 1_000) + "\(index)"
            return run
        }
        let state = try BrainState(
            configuration: CoreConfiguration(), restoringAgents: Array(rich.agents.values), runs: runs,
            persistenceErrors: [], errorSerial: 0, eventsHandled: 0, runDeadlines: [:]
        )
        let directBytes = try direct.write(state, writtenAt: 1, brainVersion: "t", journalSegment: 2)
        let plainBytes = try plain.write(state, writtenAt: 1, brainVersion: "t", journalSegment: 2)
        #expect(plainBytes == directBytes)
        #expect(plainBytes > 3 << 20)
        let directFile = try Data(contentsOf: URL(fileURLWithPath: direct.path))
        let plainFile = try Data(contentsOf: URL(fileURLWithPath: plain.path))
        #expect(plainFile == directFile)
        #expect(plainFile.count == plainBytes)
        #expect(try plain.load(configuration: CoreConfiguration())?.state.runs.count == 3_000)
    }

    @Test func keepingOneRetiresThePreviousSnapshotWithoutEverLosingSnapshotJSON() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 1
        _ = try store.write(Self.richState(), writtenAt: 1, brainVersion: "t", journalSegment: 1)
        _ = try store.write(Self.richState(), writtenAt: 2, brainVersion: "t", journalSegment: 2)
        #expect(try store.load(configuration: CoreConfiguration())?.journalSegment == 2)
        #expect(try SnapshotStore.load(path: store.path(generation: 1), configuration: CoreConfiguration())?.journalSegment == 1)
        store.removeRetiredGeneration()
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 1)))
        #expect(try store.load(configuration: CoreConfiguration())?.journalSegment == 2)
    }

    @Test func writingEncodedBytesRemovesTheRetiredGenerationItself() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 2
        for segment in 1...3 {
            try store.write(SnapshotStore.encode(Self.richState(), writtenAt: 1, brainVersion: "t", journalSegment: segment))
        }
        #expect(try SnapshotStore.load(path: store.path(generation: 1), configuration: CoreConfiguration())?.journalSegment == 2)
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 2)))
    }

    @Test func aRetiredGenerationThatIsStillSnapshotJSONLosesOnlyItsName() throws {
        // A failed write leaves snapshot.json linked aside as the next generation; with
        // kept 1 that link is the retired one. Removing it must not touch snapshot.json.
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 1
        _ = try store.write(Self.richState(), writtenAt: 1, brainVersion: "t", journalSegment: 5)
        #expect(link(store.path, store.path(generation: 1)) == 0)
        store.removeRetiredGeneration()
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 1)))
        #expect(try store.load(configuration: CoreConfiguration())?.journalSegment == 5)

        // The same for a file large enough to be shrunk in steps (sparse, 100 MiB).
        let other = "\(directory)/other"
        let fd = open(other, O_CREAT | O_WRONLY, 0o600)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 100 << 20) == 0)
        close(fd)
        #expect(link(other, store.path(generation: 1)) == 0)
        store.removeRetiredGeneration()
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 1)))
        let size = try FileManager.default.attributesOfItem(atPath: other)[.size] as? Int
        #expect(size == 100 << 20, "the other name keeps the whole file")
    }

    @Test func aLargeRetiredGenerationIsRemovedInSteps() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 2
        // Sparse, 200 MiB long: more than six of the removal's steps.
        let retired = store.path(generation: 2)
        let fd = open(retired, O_CREAT | O_WRONLY, 0o600)
        #expect(fd >= 0)
        #expect(ftruncate(fd, 200 << 20) == 0)
        close(fd)
        store.removeRetiredGeneration()
        #expect(!FileManager.default.fileExists(atPath: retired))
        store.removeRetiredGeneration()  // nothing left: no error, no crash
    }
}

func temporaryDirectory() throws -> String {
    var template = Array("/tmp/brain-store-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw StoreError(path: "/tmp", problem: "mkdtemp failed") }
    return String(cString: made)
}
