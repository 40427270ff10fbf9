import BrainProtocol
import Testing

@testable import BrainCore

/// `run_status` events through `apply`: the legal table end to end, terminal fields, the sink.
@Suite("Run status changes")
struct RunStatusChangeTests {
    /// Drives a fresh run to `status` through legal events.
    static func harness(withRunIn status: RunStatus) -> (Harness, String) {
        var harness = Harness()
        let runID = harness.createRun(status: status == .queued ? .queued : .running)
        switch status {
        case .persisting: harness.setStatus(runID, .persisting)
        case .completed, .failed, .abandoned: harness.setStatus(runID, status)
        default: break
        }
        return (harness, runID)
    }

    static let reachable: [RunStatus] = [.queued, .running, .persisting, .completed, .failed, .abandoned]

    @Test("every status change is applied exactly when the state machine allows it", arguments: reachable, RunStatus.allCases)
    func transitionThroughApply(_ from: RunStatus, _ to: RunStatus) throws {
        let made = Self.harness(withRunIn: from)
        var harness = made.0
        let runID = made.1
        #expect(harness.run(runID)?.status == from)
        let errorsBefore = harness.state.persistenceErrors.count
        let later = Time.start + Time.seconds(1)
        let outcome = harness.setStatus(runID, to, now: later)
        let expected = RunEvent(target: to).flatMap { RunStateMachine.next(from, on: $0) }
        let run = try #require(harness.run(runID))
        if let expected {
            #expect(outcome == .applied)
            #expect(run.status == expected)
            #expect(run.updatedAt == later)
            #expect(harness.state.persistenceErrors.count == errorsBefore)
        } else if from == to, from.isTerminal {
            #expect(outcome == .duplicate, "the same terminal status again is a harmless resend")
            #expect(run.updatedAt == Time.start)
        } else {
            #expect(outcome.error?.code == .failedPrecondition)
            #expect(run.status == from, "an illegal change leaves the run as it was")
            #expect(run.updatedAt == Time.start)
            let row = try #require(harness.state.persistenceErrors.last)
            #expect(harness.state.persistenceErrors.count == errorsBefore + 1)
            #expect(row.phase == (to.isTerminal ? "update_run_terminal" : "upsert_run"))
            #expect(row.errorType == "IllegalTransitionError")
            #expect(row.runID == runID)
        }
    }

    @Test("complete stores the result and completedAt")
    func completeSetsResult() throws {
        var harness = Harness()
        let runID = harness.createRun()
        let doneAt = Time.start + Time.seconds(9)
        #expect(harness.setStatus(runID, .completed, now: doneAt) { $0.resultJSON = "{\"price\":12.5}" } == .applied)
        let run = try #require(harness.run(runID))
        #expect(run.status == .completed)
        #expect(run.resultJSON == "{\"price\":12.5}")
        #expect(run.completedAt == doneAt)
        #expect(run.updatedAt == doneAt)
        #expect(run.errorType.isEmpty)
    }

    @Test("persisting does not set completedAt; completing from persisting does")
    func persistingThenComplete() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.setStatus(runID, .persisting, now: Time.start + 1)
        #expect(harness.run(runID)?.completedAt == 0)
        harness.setStatus(runID, .completed, now: Time.start + 2)
        #expect(harness.run(runID)?.completedAt == Time.start + 2)
    }

    @Test("fail stores the error fields; failed_at_step must be a step of the run")
    func failSetsErrorFields() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1)
        harness.step(runID, seq: 2)
        let missing = harness.setStatus(runID, .failed) { $0.failedAtStep = 3 }
        #expect(missing.error?.code == .invalidArgument)
        #expect(harness.state.persistenceErrors.last?.phase == "update_run_terminal")
        #expect(harness.run(runID)?.status == .running)
        let failedAt = Time.start + Time.seconds(4)
        let outcome = harness.setStatus(runID, .failed, now: failedAt) {
            $0.errorType = "SelectorError"
            $0.errorMessage = "#buy not found"
            $0.failedAtStep = 2
            $0.errorContextJSON = "{\"selector\":\"#buy\"}"
        }
        #expect(outcome == .applied)
        let run = try #require(harness.run(runID))
        #expect(run.status == .failed)
        #expect(run.errorType == "SelectorError")
        #expect(run.errorMessage == "#buy not found")
        #expect(run.failedAtStep == 2)
        #expect(run.errorContextJSON == "{\"selector\":\"#buy\"}")
        #expect(run.completedAt == failedAt)
        #expect(run.info.failedAtStep == 2)
    }

    @Test("a resent terminal status with different content is refused under update_run_terminal")
    func terminalResentDifferently() {
        var harness = Harness()
        let runID = harness.createRun()
        harness.setStatus(runID, .failed) { $0.errorType = "A" }
        #expect(harness.setStatus(runID, .failed) { $0.errorType = "A" } == .duplicate)
        let outcome = harness.setStatus(runID, .failed) { $0.errorType = "B" }
        #expect(outcome.error?.code == .failedPrecondition)
        #expect(harness.state.persistenceErrors.last?.phase == "update_run_terminal")
        #expect(harness.run(runID)?.errorType == "A")
    }

    @Test("invalid result or error_context JSON is INVALID_ARGUMENT and changes nothing")
    func invalidTerminalJSON() {
        var harness = Harness()
        let runID = harness.createRun()
        #expect(harness.setStatus(runID, .completed) { $0.resultJSON = "{\"a\":1,}" }.error?.code == .invalidArgument)
        #expect(harness.setStatus(runID, .failed) { $0.errorContextJSON = "[" }.error?.code == .invalidArgument)
        #expect(harness.run(runID)?.status == .running)
        #expect(harness.state.persistenceErrors.map(\.phase) == ["update_run_terminal", "update_run_terminal"])
    }

    @Test("a status for an unknown or deleted run is NOT_FOUND")
    func unknownRun() throws {
        var harness = Harness()
        let missing = harness.setStatus("00000000-0000-4000-8000-000000000001", .running)
        #expect(missing.error?.code == .notFound)
        #expect(harness.state.persistenceErrors.last?.phase == "upsert_run")
        let runID = harness.createRun(status: .queued)
        _ = try harness.state.deleteRun(runID: runID, now: Time.start).get()
        #expect(harness.setStatus(runID, .completed).error?.code == .notFound)
        #expect(harness.state.persistenceErrors.last?.phase == "update_run_terminal")
    }

    @Test("another agent cannot change a run's status: PERMISSION_DENIED")
    func otherAgent() {
        var harness = Harness()
        let other = harness.addAgent("other")
        let runID = harness.createRun(as: other)
        #expect(harness.setStatus(runID, .completed).error?.code == .permissionDenied)
        #expect(harness.run(runID)?.status == .running)
    }

    @Test("a status resent with an old seq is a duplicate")
    func oldSeq() {
        var harness = Harness()
        let runID = harness.createRun()
        let outcome = harness.state.apply(
            AgentEvent(seq: 1, kind: .runStatus(RunStatusChanged(runID: runID, status: .completed))), agentID: harness.agentID, now: Time.start
        )
        #expect(outcome == .duplicate)
        #expect(harness.run(runID)?.status == .running)
    }
}
