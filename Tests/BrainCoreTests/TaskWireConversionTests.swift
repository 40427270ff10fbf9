import BrainProtocol
import Testing

@testable import BrainCore

/// BrainCore ⇄ wire: what the server answers and what it takes from agents and clients.
@Suite("Task and project wire conversions")
struct TaskWireConversionTests {
    @Test("a wire task event becomes a report with the engine defaulted, not redacted; no kind is no report")
    func taskEventReport() throws {
        var reported = TaskEventReported(taskID: "t", engine: "", kind: .expired, ts: 5)
        reported.kwargsJSON = "{\"password\":\"x\"}"
        reported.attempt = 2
        let report = try #require(TaskEventReport(reported, seq: 9))
        #expect(report.engine == "celery" && report.kind == .expired && report.seq == 9 && report.attempt == 2)
        #expect(!report.isRedacted, "an agent's event is redacted by the brain whatever it says")
        var expected = reported
        expected.engine = "celery"
        #expect(TaskEventReported(report) == expected)
        #expect(TaskEventReport(TaskEventReported(taskID: "t", kind: .unspecified), seq: 1) == nil)
        for kind in TaskEventKind.allCases { #expect(TaskEventKind(kind.wire) == kind) }
        for state in TaskState.allCases { #expect(TaskState(state.wire) == state && state.wire.name == state.name) }
    }

    @Test("retention 0 on the wire is the default; the domain's for ever is INT64_MAX on the wire")
    func retention() {
        let domain = RetentionSettings(WireRetentionSettings(runsNs: 0, tasksNs: 5, taskEventsNs: Int64.max, sinkRowsNs: 0))
        #expect(domain == RetentionSettings(runsNs: RetentionSettings.thirtyDays, tasksNs: 5, taskEventsNs: Int64.max))
        #expect(RetentionSettings(runsNs: 0).wire.runsNs == Int64.max)
        #expect(ProjectSettings(nil) == ProjectSettings())
        #expect(ProjectSettings(WireProjectSettings()).timeZone == "UTC")
        let settings = ProjectSettings(WireProjectSettings(extraKeyPatterns: ["*_pin"], allowedKeys: ["token_count"], timeZone: "Europe/Riga"))
        #expect(settings.redaction == RedactionOverrides(extraKeyPatterns: ["*_pin"], allowedKeys: ["token_count"]))
        #expect(ProjectSettings(settings.wire) == settings)
    }

    @Test("a task's events go out in arrival order with both clocks; stuck is judged at the given time")
    func taskDetail() throws {
        var harness = Harness()
        // The worker's succeeded arrives before the client's task_sent, and its clock is behind.
        harness.task(.succeeded, ts: Time.start - Time.seconds(5), now: Time.start + Time.seconds(1))
        harness.task(.taskSent, ts: Time.start - Time.seconds(9), now: Time.start + Time.seconds(2))
        let task = try #require(harness.task())
        let detail = task.detail(now: Time.start + Time.seconds(3), stuckAfterNs: 1)
        #expect(detail.events.map(\.kind) == [.succeeded, .taskSent])
        #expect(detail.events.map(\.rule) == ["created", "happened_before"])
        #expect(detail.events.first.map { $0.createdAt - $0.ts } == Time.seconds(6))
        #expect(detail.task.state == .succeeded && detail.task.eventCount == 2 && !detail.task.stuck)

        harness.task(.started, "t-2", now: Time.start)
        let started = try #require(harness.task("t-2"))
        #expect(started.info(now: Time.start + Time.seconds(10), stuckAfterNs: Time.seconds(5)).stuck)
        #expect(!started.info(now: Time.start + Time.seconds(4), stuckAfterNs: Time.seconds(5)).stuck)
    }

    @Test("ListTasks: an unspecified state is no query; stuck tasks are those started before a time")
    func listQuery() throws {
        var query = ListTasksQuery()
        query.states = [.started, .unspecified]
        #expect(TaskQuery(query) == nil)
        var harness = Harness()
        harness.task(.started, "early", now: Time.start)
        harness.task(.started, "late", now: Time.start + Time.seconds(10))
        harness.task(.succeeded, "done", now: Time.start)
        var stuck = try #require(TaskQuery(ListTasksQuery()))
        stuck.startedBefore = Time.start + Time.seconds(5)
        let page = try harness.state.listTasks(stuck).get()
        #expect(page.tasks.map(\.taskID) == ["early"])
    }

    @Test("stats convert with absent percentiles as 0 and counts by state")
    func stats() {
        var counts = TaskStateCounts()
        counts[.lost] = 2
        counts[.succeeded] = 3
        let wire = TaskNameStats(name: "n", counts: counts, runtimeSamples: 0, runtimeP50Ns: nil, runtimeP99Ns: nil, failureRate: 0.4).wire
        #expect(wire.counts.lost == 2 && wire.counts.succeeded == 3 && wire.counts.pending == 0)
        #expect(wire.runtimeP50Ns == 0 && wire.failureRate == 0.4)
    }
}
