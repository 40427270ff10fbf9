import BrainProtocol
import Testing

@testable import BrainCore

/// GetRun replies are written straight from the stored steps (``RunDetailWriter``); they
/// must be byte for byte what protobuf-c packs from the same `RunDetail`.
@Suite("RunDetailWriter against protobuf-c")
struct RunDetailWriterTests {
    static func written(_ state: BrainState, _ query: GetRunQuery, callID: UInt64) throws -> [UInt8] {
        guard case .success(let selection) = state.getRunSelection(query) else {
            Issue.record("no run")
            return []
        }
        var writer = RunDetailWriter(callID: callID, run: selection.run.info, childRunIDs: selection.run.childRunIDs)
        for step in selection.steps { writer.append(step.wireStep) }
        return writer.responseBytes
    }

    static func packed(_ state: BrainState, _ query: GetRunQuery, callID: UInt64) throws -> [UInt8] {
        guard case .success(let detail) = state.getRun(query) else {
            Issue.record("no run")
            return []
        }
        return WireCodec.encode(BrainResponse.ok(callID, .run(detail)))
    }

    @Test("a full run with children, odd values and unicode: the same bytes")
    func fullRun() throws {
        var harness = Harness()
        let parent = harness.createRun("7a0c3e1d-2b4f-4a6e-8c9d-0e1f2a3b4c5d", goal: "Grüße 🧠 — 日本語", runType: "scrape", timeoutMs: 90_000)
        harness.createRun("7a0c3e1d-2b4f-4a6e-8c9d-0e1f2a3b4c5e", parent: parent)
        harness.createRun("7a0c3e1d-2b4f-4a6e-8c9d-0e1f2a3b4c5f", parent: parent)
        for seq: UInt32 in [1, 2, 4, 7] {
            var step = StepReported(runID: parent, seq: seq, stepName: "étape \(seq)", status: seq == 4 ? .error : .ok)
            step.inputJSON = seq == 2 ? "" : "{\"n\":\(seq)}"
            step.outputJSON = "[\"日本\",\(seq)]"
            step.error = seq == 4 ? "boom ✗" : ""
            step.durationMs = seq == 7 ? UInt64.max : UInt64(seq) * 10
            step.startedAt = seq == 1 ? -5 : Time.start
            #expect(harness.publish(.step(step), now: seq == 7 ? Int64.min : Time.start + Int64(seq)) == .applied)
        }
        harness.setStatus(parent, .failed) { change in
            change.errorType = "Timeout"
            change.errorMessage = "page took too long"
            change.failedAtStep = 7
            change.errorContextJSON = "{\"url\":\"https://example.com\"}"
        }
        for callID: UInt64 in [0, 1, 300, UInt64.max] {
            for query in [GetRunQuery(runID: parent), GetRunQuery(runID: parent.uppercased(), fromSeq: 2, toSeq: 4)] {
                let direct = try Self.written(harness.state, query, callID: callID)
                #expect(direct == (try Self.packed(harness.state, query, callID: callID)), "call \(callID), \(query)")
                let detail = try harness.state.getRun(query).get()
                #expect(try WireCodec.decodeResponse(direct) == BrainResponse.ok(callID, .run(detail)))
            }
        }
    }

    @Test("an empty run and a run whose step texts are empty: the same bytes")
    func emptyParts() throws {
        var harness = Harness()
        let runID = harness.createRun("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", goal: "")
        let bare = GetRunQuery(runID: runID)
        #expect(try Self.written(harness.state, bare, callID: 9) == (try Self.packed(harness.state, bare, callID: 9)))
        #expect(harness.publish(.step(StepReported(runID: runID, seq: 1, stepName: "s", status: .skip))) == .applied)
        #expect(try Self.written(harness.state, bare, callID: 9) == (try Self.packed(harness.state, bare, callID: 9)))
    }

    @Test("lengths of one, two and three varint bytes, and the frame: the same bytes")
    func lengthSizes() throws {
        var harness = Harness()
        let runID = harness.createRun("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", goal: "sizes")
        // A step of ~60 B (one-byte length), ~300 B (two) and ~20 KB (three: past 16 KiB).
        for (seq, size) in [(1, 0), (2, 240), (3, 20_000)] {
            var step = StepReported(runID: runID, seq: UInt32(seq), stepName: "s\(seq)", status: .ok)
            step.outputJSON = "\"" + String(repeating: "x", count: size) + "\""
            #expect(harness.publish(.step(step)) == .applied)
        }
        for query in [GetRunQuery(runID: runID, toSeq: 1), GetRunQuery(runID: runID, toSeq: 2), GetRunQuery(runID: runID)] {
            let direct = try Self.written(harness.state, query, callID: 77)
            #expect(direct == (try Self.packed(harness.state, query, callID: 77)), "\(query)")
        }
        guard case .success(let selection) = harness.state.getRunSelection(GetRunQuery(runID: runID)) else {
            Issue.record("no run")
            return
        }
        var writer = RunDetailWriter(callID: 77, run: selection.run.info, childRunIDs: selection.run.childRunIDs)
        for step in selection.steps { writer.append(step.wireStep) }
        var frame: [UInt8] = []
        writer.writeFrame(into: &frame)
        let response = writer.responseBytes
        let length = frame.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(length == UInt32(response.count), "a 4-byte big-endian length, then the response")
        #expect(Array(frame.dropFirst(4)) == response)
    }
}

extension WireCodec {
    /// Decodes a `Response` from its bytes (test helper).
    static func decodeResponse(_ bytes: [UInt8]) throws -> BrainResponse {
        try bytes.withUnsafeBytes { try decodeResponse($0) }
    }
}
