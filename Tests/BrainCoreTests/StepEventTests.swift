import BrainProtocol
import Testing

@testable import BrainCore

/// `step` events through `apply`: ordering, duplicates, conflicts, validation and the sink.
@Suite("Step events")
struct StepEventTests {
    @Test("a step is stored with its fields and the receive time")
    func stepStored() throws {
        var harness = Harness()
        let runID = harness.createRun()
        var report = StepReported(runID: runID.uppercased(), seq: 1, stepName: "open page", status: .error)
        report.inputJSON = "{\"url\":\"https://x\"}"
        report.outputJSON = "null"
        report.error = "timeout"
        report.durationMs = 1_500
        report.startedAt = Time.start - 10
        #expect(harness.publish(.step(report), now: Time.start + 99) == .applied)
        let run = try #require(harness.run(runID))
        let step = try #require(run.steps.first)
        #expect(step.seq == 1)
        #expect(step.stepName == "open page")
        #expect(step.status == .error)
        #expect(step.inputJSON == "{\"url\":\"https://x\"}")
        #expect(step.outputJSON == "null")
        #expect(step.error == "timeout")
        #expect(step.durationMs == 1_500)
        #expect(step.startedAt == Time.start - 10)
        #expect(step.receivedAt == Time.start + 99)
        #expect(run.updatedAt == Time.start + 99)
        #expect(run.info.stepCount == 1)
        #expect(harness.state.stepCount == 1)
    }

    @Test("an event with seq 0 is refused, on the in-place path as on the general one (seqs are 1-based)")
    func seqZeroIsRefused() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1)
        #expect(harness.agent?.lastSeq == 2)
        let body = WireCodec.encode(
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 0, kind: .step(StepReported(runID: runID, seq: 2, stepName: "late")))))
        )
        let outcome = try body.withUnsafeBytes { bytes in
            let parsed = try #require(StepFrameParser.parse(bytes))
            return harness.state.apply(step: parsed.step, eventSeq: parsed.eventSeq, agentID: harness.agentID, now: Time.start)
        }
        #expect(outcome.error?.code == .invalidArgument)
        #expect(outcome.error?.message.contains("seq 0") == true)
        #expect(harness.run(runID)?.steps.map(\.seq) == [1], "the step was not stored")
        #expect(harness.agent?.lastSeq == 2, "a refused seq 0 moves nothing")
        let general = harness.state.apply(
            AgentEvent(seq: 0, kind: .runCreated(RunCreated(runID: "", goal: "g"))), agentID: harness.agentID, now: Time.start
        )
        #expect(general.error?.code == .invalidArgument)
        #expect(harness.state.persistenceErrors.count == 2, "both refusals are in the sink")
    }

    @Test("the revision moves by one per change, watched or not (the change-count snapshot trigger)", arguments: [false, true])
    func revisionOncePerChange(_ watched: Bool) {
        var harness = Harness()
        harness.state.collectChanges = watched
        let runID = harness.createRun()
        let before = harness.state.revision
        for seq in 1...10 { harness.step(runID, seq: UInt32(seq)) }
        #expect(harness.state.revision == before + 10)
        harness.setStatus(runID, .completed)
        #expect(harness.state.revision == before + 11)
    }

    @Test("steps arriving out of order are stored sorted by seq", arguments: [[3, 1, 2], [5, 4, 3, 2, 1], [2, 4, 1, 5, 3], [10, 1, 7]])
    func outOfOrder(_ order: [UInt32]) throws {
        var harness = Harness()
        let runID = harness.createRun()
        for seq in order { #expect(harness.step(runID, seq: seq) == .applied) }
        let run = try #require(harness.run(runID))
        #expect(run.steps.map(\.seq) == order.sorted())
        #expect(run.info.stepCount == UInt32(order.count))
        #expect(harness.state.stepCount == UInt64(order.count))
    }

    @Test("the same step resent under a new agent seq with the same content is a duplicate")
    func sameStepResent() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1, output: "[1]", now: Time.start + 1)
        let before = try #require(harness.run(runID))
        #expect(harness.step(runID, seq: 1, output: "[1]", now: Time.start + 2) == .duplicate)
        #expect(harness.run(runID) == before, "nothing changed, not even updatedAt")
        #expect(harness.state.stepCount == 1)
        #expect(harness.state.persistenceErrors.isEmpty)
        #expect(harness.agent?.lastSeq == 3)
    }

    @Test("the same step seq with different content is ALREADY_EXISTS, recorded under create_step")
    func conflictingStep() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1, output: "[1]")
        let outcome = harness.step(runID, seq: 1, output: "[2]", now: Time.start + 3)
        #expect(outcome.error?.code == .alreadyExists)
        #expect(harness.run(runID)?.steps.first?.outputJSON == "[1]")
        let row = try #require(harness.state.persistenceErrors.last)
        #expect(row.phase == "create_step")
        #expect(row.errorType == "ConflictError")
        #expect(row.runID == runID)
        #expect(row.createdAt == Time.start + 3)
        #expect(JSONValidator.isValid(row.payloadJSON))
        #expect(row.payloadJSON.contains("\"seq\":\"1\""))
    }

    @Test("a step of an unknown run is NOT_FOUND, recorded under persist_step")
    func stepOnUnknownRun() throws {
        var harness = Harness()
        let missing = "00000000-0000-4000-8000-0000000000AA"
        let outcome = harness.step(missing, seq: 1)
        #expect(outcome.error?.code == .notFound)
        let row = try #require(harness.state.persistenceErrors.last)
        #expect(row.phase == "persist_step")
        #expect(row.runID == missing.lowercased())
        #expect(harness.state.stepCount == 0)
    }

    @Test("a new step of a finished run is FAILED_PRECONDITION, recorded under increment_step", arguments: [RunStatus.completed, .failed, .abandoned])
    func stepOnTerminalRun(_ terminal: RunStatus) throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1)
        #expect(harness.setStatus(runID, terminal) == .applied)
        let outcome = harness.step(runID, seq: 2)
        #expect(outcome.error?.code == .failedPrecondition)
        #expect(harness.state.persistenceErrors.last?.phase == "increment_step")
        #expect(harness.state.persistenceErrors.last?.errorType == "IllegalTransitionError")
        #expect(harness.run(runID)?.steps.count == 1)
        // Resending a step it already holds is still a harmless duplicate.
        #expect(harness.step(runID, seq: 1) == .duplicate)
    }

    @Test("step names: 50 characters accepted, 51 or empty refused with INVALID_ARGUMENT under create_step")
    func stepNameLength() {
        var harness = Harness()
        let runID = harness.createRun()
        #expect(harness.step(runID, seq: 1, name: String(repeating: "é", count: 50)) == .applied)
        let long = harness.step(runID, seq: 2, name: String(repeating: "s", count: 51))
        #expect(long.error?.code == .invalidArgument)
        #expect(harness.state.persistenceErrors.last?.phase == "create_step")
        #expect(harness.step(runID, seq: 3, name: "").error?.code == .invalidArgument)
        #expect(harness.run(runID)?.steps.count == 1)
    }

    @Test("other invalid steps are INVALID_ARGUMENT under create_step")
    func invalidSteps() {
        var harness = Harness()
        let runID = harness.createRun()
        #expect(harness.step(runID, seq: 0).error?.code == .invalidArgument, "seq is 1-based")
        #expect(harness.step(runID, seq: 1, status: .unspecified).error?.code == .invalidArgument)
        #expect(harness.step(runID, seq: 2, output: "{").error?.code == .invalidArgument)
        var badInput = StepReported(runID: runID, seq: 3, stepName: "s", status: .ok)
        badInput.inputJSON = "nul"
        #expect(harness.publish(.step(badInput)).error?.code == .invalidArgument)
        #expect(harness.state.persistenceErrors.map(\.phase) == Array(repeating: "create_step", count: 4))
        #expect(harness.run(runID)?.steps.isEmpty == true)
    }

    @Test("another agent's run takes no steps from this agent: PERMISSION_DENIED")
    func otherAgentsRun() {
        var harness = Harness()
        let other = harness.addAgent("other")
        let runID = harness.createRun(as: other)
        let outcome = harness.step(runID, seq: 1)
        #expect(outcome.error?.code == .permissionDenied)
        #expect(harness.state.persistenceErrors.last?.errorType == "PermissionError")
    }

    @Test("steps of a deleted run are refused as NOT_FOUND")
    func stepOnDeletedRun() throws {
        var harness = Harness()
        let runID = harness.createRun()
        _ = try harness.state.deleteRun(runID: runID, now: Time.start).get()
        #expect(harness.step(runID, seq: 1).error?.code == .notFound)
    }

    @Test("step changes reach watchers")
    func stepChanges() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.state.collectChanges = true
        harness.step(runID, seq: 1)
        let changes = harness.state.drainChanges()
        guard case .step(let info) = try #require(changes.last) else {
            Issue.record("expected a step change, got \(changes)")
            return
        }
        #expect(info.runID == runID)
        #expect(info.seq == 1)
    }
}
