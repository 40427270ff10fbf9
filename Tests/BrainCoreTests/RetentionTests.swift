import BrainProtocol
import Testing

@testable import BrainCore

/// The retention sweeper: what each project's settings remove, that nothing unfinished goes,
/// that failed items live as long as succeeded ones, and that the state stays whole after.
@Suite("Retention")
struct RetentionTests {
    static let retention = Time.seconds(10)

    /// A harness whose project keeps every kind for `retention` (0: for ever).
    static func harness(retention: Int64 = retention) -> Harness {
        var harness = Harness()
        let settings = ProjectSettings(retention: RetentionSettings(runsNs: retention, tasksNs: retention, taskEventsNs: retention, sinkRowsNs: retention))
        _ = harness.state.apply(.createProject(name: "proj", settings: settings), now: Time.start)
        return harness
    }

    struct RunRow: Sendable, CustomTestStringConvertible {
        var status: RunStatus
        var ageSeconds: Int64
        var retention: Int64 = RetentionTests.retention
        var removed: Bool
        var testDescription: String { "\(status.name) run, \(ageSeconds) s old, kept \(retention / 1_000_000_000) s → \(removed ? "removed" : "kept")" }
    }

    static let runRows: [RunRow] = [
        RunRow(status: .completed, ageSeconds: 11, removed: true),
        RunRow(status: .failed, ageSeconds: 11, removed: true),
        RunRow(status: .abandoned, ageSeconds: 11, removed: true),
        RunRow(status: .completed, ageSeconds: 9, removed: false),
        RunRow(status: .failed, ageSeconds: 9, removed: false),
        RunRow(status: .running, ageSeconds: 1_000, removed: false),
        RunRow(status: .queued, ageSeconds: 1_000, removed: false),
        RunRow(status: .completed, ageSeconds: 1_000, retention: 0, removed: false),
    ]

    @Test(arguments: runRows)
    func runs(_ row: RunRow) {
        var harness = Self.harness(retention: row.retention)
        let runID = harness.createRun(status: row.status == .queued ? .queued : .running)
        harness.step(runID, seq: 1)
        switch row.status {
        case .completed, .failed: harness.setStatus(runID, row.status)
        case .abandoned: _ = harness.state.apply(.cancelRun(runID: runID, reason: "test"), now: Time.start)
        default: break
        }
        let sweep = harness.state.dueRetention(now: Time.start + Time.seconds(row.ageSeconds))
        #expect(sweep.runIDs == (row.removed ? [runID] : []))
        _ = harness.state.apply(.retentionSweep(sweep), now: Time.start + Time.seconds(row.ageSeconds))
        #expect((harness.run(runID) == nil) == row.removed)
        #expect(harness.state.stepCount == (row.removed ? 0 : 1))
    }

    struct TaskRow: Sendable, CustomTestStringConvertible {
        var events: [TaskEventKind]
        var lost = false
        var ageSeconds: Int64
        var removed: Bool
        var testDescription: String { "\(events.map(\.name))\(lost ? " lost" : ""), \(ageSeconds) s old → \(removed ? "removed" : "kept")" }
    }

    static let taskRows: [TaskRow] = [
        TaskRow(events: [.taskSent, .started, .succeeded], ageSeconds: 11, removed: true),
        TaskRow(events: [.taskSent, .started, .failed], ageSeconds: 11, removed: true),
        TaskRow(events: [.taskSent, .cancelled], ageSeconds: 11, removed: true),
        TaskRow(events: [.started], lost: true, ageSeconds: 11, removed: true),
        TaskRow(events: [.taskSent, .started, .succeeded], ageSeconds: 9, removed: false),
        TaskRow(events: [.taskSent, .started, .failed], ageSeconds: 9, removed: false),
        TaskRow(events: [.taskSent], ageSeconds: 1_000, removed: false),
        TaskRow(events: [.taskSent, .started], ageSeconds: 1_000, removed: false),
        TaskRow(events: [.started, .retry], ageSeconds: 1_000, removed: false),
    ]

    @Test(arguments: taskRows)
    func tasks(_ row: TaskRow) {
        var harness = Self.harness()
        for kind in row.events { harness.task(kind, "t") }
        if row.lost { _ = harness.state.apply(.taskLiveness([LostTask(project: "proj", engine: "celery", taskID: "t", reason: "gone")]), now: Time.start) }
        let now = Time.start + Time.seconds(row.ageSeconds)
        let sweep = harness.state.dueRetention(now: now)
        #expect(sweep.tasks.map(\.taskID) == (row.removed ? ["t"] : []))
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        #expect(harness.state.tasks.isEmpty == row.removed)
        if !row.removed { #expect(harness.state.tasks.first?.events.count == row.events.count, "an unfinished or young task keeps its events") }
    }

    @Test func oldEventsOfAKeptFinishedTaskAreTrimmed() throws {
        var harness = Harness()
        let settings = ProjectSettings(retention: RetentionSettings(tasksNs: Time.seconds(100), taskEventsNs: Time.seconds(10)))
        _ = harness.state.apply(.createProject(name: "proj", settings: settings), now: Time.start)
        harness.task(.taskSent, "t", now: Time.start)
        harness.task(.started, "t", now: Time.start + Time.seconds(5))
        harness.task(.succeeded, "t", now: Time.start + Time.seconds(20))
        let now = Time.start + Time.seconds(25)
        let sweep = harness.state.dueRetention(now: now)
        #expect(sweep.taskEvents == [TaskEventTrim(task: TaskRef(project: "proj", engine: "celery", taskID: "t"), createdBefore: now - Time.seconds(10))])
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        #expect(harness.task("t")?.events.map(\.kind) == [.succeeded])
        #expect(harness.state.taskTable.eventCount == 1)
        #expect(harness.state.dueRetention(now: now).isEmpty)
    }

    @Test func sinkRowsGoByTheirProjectsRetention() {
        var harness = Self.harness()
        harness.state.recordError(phase: "handler", project: "proj", errorType: "E", message: "old", now: Time.start)
        harness.state.recordError(phase: "handler", project: "keep", errorType: "E", message: "other project, default 30 days", now: Time.start)
        harness.state.recordError(phase: "handler", project: "proj", errorType: "E", message: "young", now: Time.start + Time.seconds(5))
        let now = Time.start + Time.seconds(11)
        let sweep = harness.state.dueRetention(now: now)
        #expect(sweep.sinkSerials == [1])
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        #expect(harness.state.persistenceErrors.map(\.errorMessage) == ["other project, default 30 days", "young"])
    }

    @Test func finishedCommandsGoWithTheTasksRetentionOpenOnesStay() throws {
        var harness = Self.harness()
        harness.task(.started, "t")
        let deadline = Time.start + Time.seconds(1_000)
        let done = try harness.issued(AgentCommandRequest(kind: .cancelTask, taskID: "t", deadline: deadline))
        let open = try harness.issued(AgentCommandRequest(kind: .retryTask, taskID: "t", deadline: deadline))
        let young = try harness.issued(AgentCommandRequest(kind: .retryTask, taskID: "t", deadline: deadline))
        harness.result(done, ok: true)
        harness.result(young, ok: false, now: Time.start + Time.seconds(5))
        let now = Time.start + Time.seconds(11)
        let sweep = harness.state.dueRetention(now: now)
        #expect(sweep.commandIDs == [done])
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        #expect(harness.state.agentCommands.map(\.commandID) == [open, young])
        #expect(harness.state.agentCommands.map(\.key) == [0, 1])
        #expect(harness.state.pendingCommands(for: harness.agentID, now: now).map(\.commandID) == [open])
        #expect(harness.state.dueCommandTimeouts(now: deadline) == [open])
        // Ids come from the count ever issued, not from positions: no collision after a sweep.
        let next = try harness.issued(AgentCommandRequest(kind: .retryTask, taskID: "t", deadline: deadline), now: now)
        #expect(![done, open, young].contains(next))
        #expect(harness.state.commandTable.issued == 4)
    }

    @Test func aParentGoesOnlyWithItsChildrenAndTheStateStaysWhole() throws {
        var harness = Self.harness()
        let parent = harness.createRun()
        let child = harness.createRun(parent: parent)
        let done = harness.createRun()
        let running = harness.createRun(timeoutMs: 3_600_000)
        harness.setStatus(parent, .completed)
        harness.setStatus(done, .completed)
        let now = Time.start + Time.seconds(11)
        var sweep = harness.state.dueRetention(now: now)
        #expect(sweep.runIDs == [done], "the parent waits for its running child")
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        // The kept runs moved to new keys: every index follows.
        #expect(harness.state.runs.map(\.runID) == [parent, child, running])
        #expect(harness.state.runs.map(\.key) == [0, 1, 2])
        #expect(harness.run(running)?.runID == running)
        #expect(harness.state.deadlines == [2: Time.start + Time.ms(3_600_000)])
        #expect(harness.step(running, seq: 1, now: now) == .applied)
        #expect(harness.state.runCounts.running == 2)
        harness.setStatus(child, .failed, now: now)
        sweep = harness.state.dueRetention(now: now + Time.seconds(11))
        #expect(sweep.runIDs == [parent, child])
        // Applied twice (a replay after a crash between the two): the second changes nothing.
        _ = harness.state.apply(.retentionSweep(sweep), now: now + Time.seconds(11))
        _ = harness.state.apply(.retentionSweep(sweep), now: now + Time.seconds(11))
        #expect(harness.state.runs.map(\.runID) == [running])
        #expect(harness.state.stepCount == 1)
        // The agent going offline still abandons its open run, found under its new key.
        let offline = now + Time.seconds(11) + Time.ms(Int64(harness.state.configuration.heartbeatTimeoutMs)) + 1
        _ = harness.state.apply(.timeouts(harness.state.dueTimeouts(now: offline)), now: offline)
        #expect(harness.run(running)?.status == .abandoned)
    }

    @Test func aSweepIsBoundedAndTheRestIsFoundByTheNext() {
        var harness = Self.harness()
        for index in 0..<5 { harness.task(.succeeded, "t\(index)") }
        let now = Time.start + Time.seconds(11)
        let first = harness.state.dueRetention(now: now, limit: 3)
        #expect(first.count == 3)
        _ = harness.state.apply(.retentionSweep(first), now: now)
        let second = harness.state.dueRetention(now: now, limit: 3)
        #expect(second.tasks.map(\.taskID) == ["t3", "t4"])
        _ = harness.state.apply(.retentionSweep(second), now: now)
        #expect(harness.state.tasks.isEmpty)
        #expect(harness.state.task(id: "t0").failure?.code == .notFound)
    }

    @Test func aTaskThatMovedOnSinceTheSweepWasFoundIsKept() {
        var harness = Self.harness()
        harness.task(.failed, "t", attempt: 1)
        let now = Time.start + Time.seconds(11)
        let sweep = harness.state.dueRetention(now: now)
        harness.task(.started, "t", attempt: 2, now: now)
        _ = harness.state.apply(.retentionSweep(sweep), now: now)
        #expect(harness.task("t")?.state == .started)
    }
}
