import BrainProtocol
import Foundation
import Testing

@testable import BrainCore

/// A state encoded to JSON and decoded again holds the same records and rebuilds its indexes.
@Suite("BrainState Codable")
struct BrainStateCodableTests {
    /// A state with two agents, runs in several statuses, children, steps and sink rows.
    static func populated() -> (Harness, parent: String, child: String, timed: String) {
        var harness = Harness()
        let other = harness.addAgent("other", project: "elsewhere")
        let parent = harness.createRun("123E4567-E89B-12D3-A456-426614174000")
        for seq: UInt32 in [2, 1, 3] { harness.step(parent, seq: seq, output: "{\"n\":\(seq)}") }
        let child = harness.createRun(status: .queued, parent: parent)
        let timed = harness.createRun(timeoutMs: 60_000)
        let done = harness.createRun()
        harness.step(done, seq: 1)
        harness.setStatus(done, .failed) {
            $0.errorType = "E"
            $0.failedAtStep = 1
            $0.errorContextJSON = "{}"
        }
        harness.createRun(as: other)
        harness.step(parent, seq: 1, output: "conflict")  // a sink row
        harness.step("00000000-0000-4000-8000-000000000000", seq: 1)  // another
        return (harness, parent, child, timed)
    }

    static func roundTrip(_ state: BrainState) throws -> BrainState {
        try JSONDecoder().decode(BrainState.self, from: JSONEncoder().encode(state))
    }

    @Test("agents, runs, steps and errors survive a JSON round trip")
    func recordsRoundTrip() throws {
        let (harness, _, _, _) = Self.populated()
        let original = harness.state
        let decoded = try Self.roundTrip(original)
        #expect(decoded.agents == original.agents)
        #expect(decoded.runs == original.runs)
        #expect(decoded.persistenceErrors == original.persistenceErrors)
        #expect(decoded.errorSerial == original.errorSerial)
        #expect(decoded.eventsHandled == original.eventsHandled)
        #expect(decoded.stepCount == original.stepCount)
        #expect(decoded.stepCount == 4)
        #expect(decoded.runCounts == original.runCounts)
        #expect(decoded.agentCounts == original.agentCounts)
        // Encoding is deterministic: the decoded state encodes to the same bytes.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(decoded) == encoder.encode(original))
    }

    @Test("indexes are rebuilt: run(id:), agent(named:), children and stepCount work after decoding")
    func indexesRebuilt() throws {
        let (harness, parent, child, _) = Self.populated()
        var decoded = try Self.roundTrip(harness.state)
        #expect(decoded.run(id: parent.uppercased())?.runID == parent)
        #expect(decoded.run(id: parent)?.info.stepCount == 3)
        #expect(decoded.run(id: parent)?.childRunIDs == [child])
        #expect(decoded.agent(named: "worker", project: "proj")?.agentID == harness.agentID)
        #expect(decoded.agent(named: "other", project: "elsewhere") != nil)
        let detail = try decoded.getRun(GetRunQuery(runID: parent, fromSeq: 2)).get()
        #expect(detail.steps.map(\.seq) == [2, 3])
        // The decoded state keeps working: steps, duplicates, a known agent's token, seq dedupe.
        #expect(
            decoded.apply(AgentEvent(seq: 100, kind: .step(StepReported(runID: parent, seq: 4, stepName: "s"))), agentID: harness.agentID, now: Time.start)
                == .applied)
        #expect(decoded.stepCount == 5)
        #expect(decoded.apply(AgentEvent(seq: 3, kind: .unknown), agentID: harness.agentID, now: Time.start) == .duplicate)
        #expect(decoded.hello(Hello(agentName: "worker", project: "proj"), tokenHash: "wrong", now: Time.start).failure?.code == .unauthenticated)
        decoded.recordError(phase: "journal", errorType: "E", message: "m", now: Time.start)
        #expect(Set(decoded.persistenceErrors.map(\.errorID)).count == decoded.persistenceErrors.count, "error ids stay unique")
    }

    @Test("open runs and deadlines are rebuilt: offline and timeouts still abandon runs after decoding")
    func livenessRebuilt() throws {
        let (harness, parent, child, timed) = Self.populated()
        var decoded = try Self.roundTrip(harness.state)
        decoded.signOfLife(agentID: harness.agentID, now: Time.start + Time.seconds(59))
        decoded.tick(now: Time.start + Time.seconds(60))
        #expect(decoded.run(id: timed)?.status == .abandoned)
        #expect(decoded.run(id: timed)?.errorType == "timeout")
        #expect(decoded.run(id: parent)?.status == .running)
        decoded.tick(now: Time.start + Time.seconds(120))
        #expect(decoded.run(id: parent)?.errorType == "agent_offline")
        #expect(decoded.run(id: child)?.status == .abandoned)
    }

    @Test("the JSON spells statuses by name and uses snake_case keys")
    func jsonShape() throws {
        let (harness, _, _, _) = Self.populated()
        let text = String(decoding: try JSONEncoder().encode(harness.state), as: UTF8.self)
        #expect(text.contains("\"status\":\"running\""))
        #expect(text.contains("\"state\":\"online\""))
        #expect(text.contains("\"persistence_errors\""))
        #expect(text.contains("\"run_deadlines\""))
        #expect(text.contains("\"child_run_ids\""))
    }

    @Test("a run whose key does not match its position is refused")
    func mismatchedKeyRefused() throws {
        var harness = Harness()
        harness.createRun()
        let data = try JSONEncoder().encode(harness.state)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var runs = try #require(object["runs"] as? [[String: Any]])
        runs[0]["key"] = 5
        object["runs"] = runs
        let corrupted = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BrainState.self, from: corrupted) }
    }

    @Test("an unknown status name is refused")
    func unknownStatusRefused() throws {
        var harness = Harness()
        harness.createRun()
        let text = String(decoding: try JSONEncoder().encode(harness.state), as: UTF8.self)
            .replacingOccurrences(of: "\"status\":\"running\"", with: "\"status\":\"sprinting\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BrainState.self, from: Data(text.utf8)) }
    }
}
