import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// Start-up replays step events in place from the journal's bytes; the state it builds must
/// be the one the live brain built from the same events.
struct JournalReplayTests {
    static let runID = "3b1f6c2e-8d4a-4f1b-9c7e-2a5d6e8f0b1c"

    static func publish(_ seq: UInt64, _ kind: AgentEvent.Kind) -> [UInt8] {
        WireCodec.encode(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: seq, kind: kind))))
    }

    static func step(_ seq: UInt32, output: String) -> AgentEvent.Kind {
        var step = StepReported(runID: runID, seq: seq, stepName: "step \(seq)", status: .ok)
        step.outputJSON = output
        return .step(step)
    }

    @Test func stepsReplayedFromTheJournalBuildTheStateTheLiveBrainBuilt() throws {
        var live = BrainState()
        let hello = Hello(agentName: "replayer", token: "")
        guard case .success(let welcome) = live.hello(hello, tokenHash: "h", now: 1) else {
            Issue.record("hello refused")
            return
        }
        let agentID = welcome.agent.agentID
        // Out of order, a duplicate, a conflicting resend (refused into the sink), bad JSON.
        let events: [AgentEvent.Kind] = [
            .runCreated(RunCreated(runID: Self.runID, goal: "replay")),
            Self.step(2, output: "{\"b\":2}"), Self.step(1, output: "[1]"), Self.step(1, output: "[1]"),
            Self.step(1, output: "[\"other\"]"), Self.step(3, output: "{not json"), Self.step(4, output: "null"),
        ]
        var records: [JournalRecord] = [.hello(tokenHash: "h", request: WireCodec.encode(BrainRequest(callID: 1, method: .hello(hello))), now: 1)]
        for (index, kind) in events.enumerated() {
            let request = Self.publish(UInt64(index + 1), kind)
            let now = Int64(10 + index)
            _ = request.withUnsafeBytes { raw in
                if let parsed = StepFrameParser.parse(raw) {
                    live.apply(step: parsed.step, eventSeq: parsed.eventSeq, agentID: agentID, now: now)
                } else {
                    live.apply(AgentEvent(seq: UInt64(index + 1), kind: kind), agentID: agentID, now: now)
                }
            }
            records.append(.event(agentID: agentID, request: request, now: now))
        }

        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(records)

        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: Logger(label: "test")
        )
        #expect(recovered.recordsReplayed == records.count)
        let replayed = try #require(recovered.state.run(id: Self.runID))
        let expected = try #require(live.run(id: Self.runID))
        #expect(replayed.steps == expected.steps)
        #expect(replayed.steps.map(\.seq) == [1, 2, 4])
        #expect(recovered.state.persistenceErrors.map(\.phase) == live.persistenceErrors.map(\.phase))
        #expect(recovered.state.persistenceErrors.count == 2, "the conflicting resend and the bad JSON")
        #expect(recovered.state.agents[agentID]?.lastSeq == UInt64(events.count))
    }
}
