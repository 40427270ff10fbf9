import BrainProtocol
import Testing

@testable import BrainCore

/// Runs that end without their agent: agent offline, timeouts, cancel; and soft delete.
@Suite("Run abandonment, cancel and delete")
struct RunAbandonmentTests {
    static let heartbeatTimeout = Time.ms(6_000)

    @Test("an agent going offline abandons its unfinished runs with agent_offline; finished runs are untouched")
    func agentOfflineAbandonsRuns() throws {
        var harness = Harness()
        let queued = harness.createRun(status: .queued)
        let running = harness.createRun()
        let persisting = harness.createRun()
        harness.setStatus(persisting, .persisting)
        let completed = harness.createRun()
        harness.setStatus(completed, .completed) { $0.resultJSON = "1" }
        let failed = harness.createRun()
        harness.setStatus(failed, .failed) { $0.errorType = "Mine" }
        let otherAgent = harness.addAgent("other", now: Time.start + Time.ms(5_000))
        let othersRun = harness.createRun(as: otherAgent)
        let completedBefore = try #require(harness.run(completed))
        let failedBefore = try #require(harness.run(failed))

        let offlineAt = Time.start + Self.heartbeatTimeout + 1
        harness.state.tick(now: offlineAt)
        #expect(harness.agent?.state == .offline)
        for runID in [queued, running, persisting] {
            let run = try #require(harness.run(runID))
            #expect(run.status == .abandoned)
            #expect(run.errorType == "agent_offline")
            #expect(!run.errorMessage.isEmpty)
            #expect(run.completedAt == 0, "seed 000: completed_at stays empty for an abandoned run")
            #expect(run.updatedAt == offlineAt)
        }
        #expect(harness.run(completed) == completedBefore)
        #expect(harness.run(failed) == failedBefore)
        #expect(harness.run(othersRun)?.status == .running, "another agent's run is not affected")
        // The other agent, silent in turn, loses its run later.
        harness.state.tick(now: offlineAt + Self.heartbeatTimeout * 10)
        #expect(harness.run(othersRun)?.status == .abandoned)
    }

    @Test("an unknown agent (after a restart) that never returns abandons its runs too")
    func unknownAgentAbandonsRuns() {
        var harness = Harness()
        let runID = harness.createRun()
        harness.state.markAllUnknown(now: Time.start + 10)
        harness.state.tick(now: Time.start + 10 + Self.heartbeatTimeout + 1)
        #expect(harness.run(runID)?.status == .abandoned)
        #expect(harness.run(runID)?.errorType == "agent_offline")
    }

    @Test("a run past its timeout is abandoned with error type timeout at the next tick")
    func runTimeout() throws {
        var harness = Harness()
        let createdAt = Time.start + 100
        let runID = harness.createRun(timeoutMs: 1_000, now: createdAt)
        let untimed = harness.createRun(now: createdAt)
        let deadline = createdAt + Time.ms(1_000)
        harness.state.signOfLife(agentID: harness.agentID, now: deadline - 1)
        harness.state.tick(now: deadline - 1)
        #expect(harness.run(runID)?.status == .running)
        harness.state.tick(now: deadline)
        let run = try #require(harness.run(runID))
        #expect(run.status == .abandoned)
        #expect(run.errorType == "timeout")
        #expect(run.errorMessage.contains("1000 ms"))
        #expect(run.completedAt == 0, "seed 000: completed_at stays empty for an abandoned run")
        #expect(run.updatedAt == deadline)
        #expect(harness.run(untimed)?.status == .running)
        #expect(harness.agent?.state == .online)
    }

    /// Regression: the deadline `now + timeout_ms * 1e6` once overflowed and trapped for a
    /// huge timeout_ms, so one agent event crashed the brain. It now saturates.
    @Test("a huge timeout_ms from an agent does not crash the brain")
    func hugeTimeoutDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            var harness = Harness()
            var created = RunCreated(goal: "forever")
            created.timeoutMs = UInt64.max
            let outcome = harness.publish(.runCreated(created))
            precondition(outcome == .applied || outcome.error?.code == .invalidArgument, "unexpected \(outcome)")
            harness.state.tick(now: Time.start + Time.seconds(1))
            precondition(harness.state.runs.first.map { !$0.status.isTerminal } ?? true, "run abandoned too early")
        }
    }

    @Test("a run that finishes before its deadline is not abandoned later")
    func finishedBeforeTimeout() {
        var harness = Harness()
        let runID = harness.createRun(timeoutMs: 1_000)
        harness.setStatus(runID, .completed, now: Time.start + Time.ms(500))
        harness.state.signOfLife(agentID: harness.agentID, now: Time.start + Time.ms(2_000))
        harness.state.tick(now: Time.start + Time.ms(2_000))
        #expect(harness.run(runID)?.status == .completed)
        #expect(harness.run(runID)?.errorType.isEmpty == true)
    }

    @Test("cancelRun abandons the run and its unfinished descendants with error type cancelled")
    func cancelRunAndChildren() throws {
        var harness = Harness()
        let parent = harness.createRun()
        let child = harness.createRun(parent: parent)
        let grandchild = harness.createRun(status: .queued, parent: child)
        let finishedChild = harness.createRun(parent: parent)
        harness.setStatus(finishedChild, .completed)
        let unrelated = harness.createRun()
        let cancelledAt = Time.start + Time.seconds(3)
        let info = try harness.state.cancelRun(runID: parent.uppercased(), reason: "operator stop", now: cancelledAt).get()
        #expect(info.status == .abandoned)
        #expect(info.errorType == "cancelled")
        #expect(info.errorMessage == "operator stop")
        #expect(info.completedAt == 0, "seed 000: completed_at stays empty for an abandoned run")
        #expect(info.updatedAt == cancelledAt)
        for runID in [child, grandchild] {
            #expect(harness.run(runID)?.status == .abandoned)
            #expect(harness.run(runID)?.errorType == "cancelled")
        }
        #expect(harness.run(finishedChild)?.status == .completed)
        #expect(harness.run(finishedChild)?.errorType.isEmpty == true)
        #expect(harness.run(unrelated)?.status == .running)
    }

    @Test("cancelRun without a reason says who cancelled")
    func cancelDefaultReason() throws {
        var harness = Harness()
        let runID = harness.createRun(status: .queued)
        let info = try harness.state.cancelRun(runID: runID, reason: "", now: Time.start).get()
        #expect(info.errorMessage == "cancelled by a client")
    }

    @Test("cancelling a finished run is FAILED_PRECONDITION; an unknown run is NOT_FOUND", arguments: [RunStatus.completed, .failed, .abandoned])
    func cancelFinishedRun(_ terminal: RunStatus) throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.setStatus(runID, terminal)
        let before = try #require(harness.run(runID))
        let error = harness.state.cancelRun(runID: runID, reason: "late", now: Time.start + 1).failure
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains(terminal.name) == true)
        #expect(harness.run(runID) == before)
        #expect(harness.state.cancelRun(runID: "00000000-0000-4000-8000-000000000000", reason: "", now: 0).failure?.code == .notFound)
    }

    @Test("a deleted run is hidden from listRuns and getRun unless includeDeleted")
    func deleteRunHides() throws {
        var harness = Harness()
        let kept = harness.createRun()
        let deleted = harness.createRun()
        let deletedAt = Time.start + Time.seconds(2)
        let info = try harness.state.deleteRun(runID: deleted, now: deletedAt).get()
        #expect(info.deletedAt == deletedAt)
        #expect(info.updatedAt == deletedAt)
        #expect(info.status == .running, "delete does not change the status")
        #expect(try harness.state.listRuns(ListRunsQuery()).get().runs.map(\.runID) == [kept])
        var withDeleted = ListRunsQuery()
        withDeleted.includeDeleted = true
        #expect(try harness.state.listRuns(withDeleted).get().runs.map(\.runID) == [deleted, kept])
        #expect(harness.state.getRun(GetRunQuery(runID: deleted)).failure?.code == .notFound)
        let detail = try harness.state.getRun(GetRunQuery(runID: deleted, includeDeleted: true)).get()
        #expect(detail.run.deletedAt == deletedAt)
        #expect(harness.state.listSteps(ListStepsQuery(runID: deleted)).failure?.code == .notFound)
        #expect(harness.state.runCounts.running == 1, "counts exclude deleted runs")
        // Deleting twice says the run was deleted, and when, not that it never existed.
        let again = harness.state.deleteRun(runID: deleted, now: deletedAt + 1).failure
        #expect(again?.code == .failedPrecondition, "deleting twice")
        #expect(again?.message.contains("already deleted at \(RFC3339.format(deletedAt))") == true)
        #expect(harness.state.cancelRun(runID: deleted, reason: "", now: deletedAt).failure?.code == .notFound)
        #expect(harness.state.deleteRun(runID: "nope", now: deletedAt).failure?.code == .notFound)
    }

    @Test("a deleted run cannot be a parent")
    func deletedParent() throws {
        var harness = Harness()
        let parent = harness.createRun()
        _ = try harness.state.deleteRun(runID: parent, now: Time.start).get()
        var created = RunCreated(goal: "child")
        created.parentRunID = parent
        #expect(harness.publish(.runCreated(created)).error?.code == .notFound)
    }
}
