import BrainProtocol
import Testing

@testable import BrainCore

/// Task events applied to the state: creation, the agent-seq dedup, redaction before storage,
/// refusals, out-of-order merging and the fields each event sets.
@Suite("Task events")
struct TaskEventTests {
    @Test func theFirstEventCreatesTheTaskInTheAgentsProject() throws {
        var harness = Harness()
        let revision = harness.state.revision
        let outcome = harness.task(.taskSent, ts: Time.start - Time.ms(3), now: Time.start) {
            $0.name = "app.tasks.send_email"
            $0.queue = "mail"
            $0.groupID = "g-1"
            $0.argsJSON = "[1, \"two\"]"
            $0.kwargsJSON = "{\"to\": \"x\"}"
        }
        #expect(outcome == .applied)
        let task = try #require(harness.task())
        #expect(task.project == "proj")
        #expect(task.engine == "celery")
        #expect(task.name == "app.tasks.send_email")
        #expect(task.queue == "mail")
        #expect(task.groupID == "g-1")
        #expect(task.state == .pending)
        #expect(task.argsJSON == "[1,\"two\"]", "stored canonically")
        #expect(task.kwargsJSON == "{\"to\":\"x\"}")
        #expect(task.attempt == 1)
        #expect(task.enqueuedAt == Time.start - Time.ms(3))
        #expect(task.createdAt == Time.start)
        #expect(task.agentID == harness.agentID)
        #expect(task.events.count == 1)
        #expect(task.events[0].skewNs == Time.ms(3), "the agent's clock is kept and the skew shown")
        #expect(task.events[0].rule == .created)
        #expect(harness.state.revision > revision)
        #expect(harness.state.taskTable.eventCount == 1)
    }

    @Test func aResentEventChangesNothingThroughTheSameSeqAsOtherAgentEvents() throws {
        var harness = Harness()
        harness.task(.started)
        let before = harness.state.tasks
        let lastSeq = harness.agent?.lastSeq
        let resent = TaskEventReport(seq: harness.seq, taskID: "task-1", engine: "celery", kind: .succeeded, ts: Time.start)
        #expect(harness.apply(harness.state.taskEventCommand(resent, agentID: harness.agentID), now: Time.start) == .duplicate)
        #expect(harness.state.tasks == before)
        #expect(harness.agent?.lastSeq == lastSeq)
        // Task events and run events share the agent's numbering.
        harness.createRun()
        let stale = TaskEventReport(seq: harness.seq, taskID: "task-2", engine: "celery", kind: .started, ts: Time.start)
        #expect(harness.apply(.taskEvent(stale, agentID: harness.agentID), now: Time.start) == .duplicate)
        #expect(harness.state.tasks.count == 1)
        #expect(CommandOutcome.event(.duplicate).changedState == false)
    }

    @Test func argsKwargsMessagesAndTracebacksAreRedactedBeforeTheyAreStoredOrJournalled() throws {
        var harness = Harness()
        let report = TaskEventReport(
            seq: 1, taskID: "task-1", engine: "celery", kind: .failed, ts: Time.start, argsJSON: "[\"postgres://u:hunter2@db/x\"]",
            kwargsJSON: "{\"api_key\": \"k-123\", \"n\": 1}", excType: "psycopg2.OperationalError",
            excMessage: "could not connect with password=hunter2", traceback: "File \"a.py\"\n  token = 'abc123'\n"
        )
        let command = harness.state.taskEventCommand(report, agentID: harness.agentID)
        guard case .taskEvent(let journalled, _) = command else {
            Issue.record("not a task event")
            return
        }
        #expect(journalled.isRedacted)
        for text in [journalled.argsJSON, journalled.kwargsJSON, journalled.excMessage, journalled.traceback] {
            #expect(!text.contains("hunter2") && !text.contains("k-123") && !text.contains("abc123"), "\(text)")
        }
        #expect(harness.apply(command, now: Time.start) == .applied)
        let task = try #require(harness.task())
        #expect(task.argsJSON == "[\"postgres://u:[REDACTED:password]@db/x\"]")
        #expect(task.kwargsJSON == "{\"api_key\":\"[REDACTED]\",\"n\":1}")
        #expect(
            task.error
                == TaskError(
                    excType: "psycopg2.OperationalError", excMessage: "could not connect with password=[REDACTED:secret_value]",
                    tracebackRedacted: "File \"a.py\"\n  token = '[REDACTED:secret_value]'\n"))
        #expect(task.events[0].error == task.error)
    }

    @Test func aReportThatWasNotRedactedIsRedactedByApply() throws {
        var harness = Harness()
        var report = TaskEventReport(seq: 1, taskID: "task-1", engine: "celery", kind: .started, ts: Time.start, kwargsJSON: "{\"password\": \"p\"}")
        #expect(harness.apply(.taskEvent(report, agentID: harness.agentID), now: Time.start) == .applied)
        #expect(harness.task()?.kwargsJSON == "{\"password\":\"[REDACTED]\"}")
        // Not JSON: redaction keeps it as a JSON string (a damaged journal record whose texts
        // are not JSON reaches apply so, unflagged: TaskReplayTests).
        report.seq = 2
        report.taskID = "task-2"
        report.kwargsJSON = "{not json"
        #expect(harness.apply(.taskEvent(report, agentID: harness.agentID), now: Time.start) == .applied)
        #expect(harness.task("task-2")?.kwargsJSON == "\"{not json\"")
    }

    @Test func theProjectsOverridesApply() throws {
        var harness = Harness()
        _ = harness.state.apply(
            .createProject(name: "proj", settings: ProjectSettings(redaction: RedactionOverrides(extraKeyPatterns: ["pin"], allowedKeys: ["token_count"]))),
            now: Time.start
        )
        let other = harness.addAgent("elsewhere", project: "other")
        let kwargs = "{\"token_count\": 12, \"pin\": 1234}"
        harness.task(.started, "a") { $0.kwargsJSON = kwargs }
        harness.task(.started, "b", as: other) { $0.kwargsJSON = kwargs }
        #expect(harness.task("a")?.kwargsJSON == "{\"token_count\":12,\"pin\":\"[REDACTED]\"}")
        #expect(harness.task("b")?.kwargsJSON == "{\"token_count\":\"[REDACTED]\",\"pin\":1234}")
    }

    /// (field, value, message fragment) of refused reports.
    @Test(arguments: [
        ("task_id", "", "task_id must be 1 to 200"), ("task_id", String(repeating: "t", count: 201), "task_id must be 1 to 200"),
        ("engine", "", "engine must be 1 to 40"), ("name", String(repeating: "n", count: 501), "name is 501 bytes"),
        ("queue", String(repeating: "q", count: 201), "queue is 201"), ("exc_type", String(repeating: "E", count: 201), "exc_type is 201"),
    ])
    func malformedReportsAreRefusedIntoTheSink(_ field: String, _ value: String, _ message: String) {
        var harness = Harness()
        let outcome = harness.task(.started) { report in
            switch field {
            case "task_id": report.taskID = value
            case "engine": report.engine = value
            case "name": report.name = value
            case "queue": report.queue = value
            default: report.excType = value
            }
        }
        #expect(outcome.error?.code == .invalidArgument)
        #expect(outcome.error?.message.contains(message) == true, "\(String(describing: outcome.error))")
        #expect(harness.state.tasks.isEmpty)
        #expect(harness.state.persistenceErrors.last?.phase == PersistencePhase.upsertTask)
        #expect(harness.state.persistenceErrors.last?.agentName == "worker")
        #expect(harness.agent?.lastSeq == harness.seq, "a refusal still advances the seq")
        #expect(CommandOutcome.event(outcome).changedState, "a refusal is journalled for its sink row")
    }

    @Test func seqZeroAndUnknownAgentsAreRefused() {
        var harness = Harness()
        let zero = TaskEventReport(seq: 0, taskID: "t", engine: "celery", kind: .started, ts: 0)
        #expect(harness.apply(harness.state.taskEventCommand(zero, agentID: harness.agentID), now: Time.start).error?.code == .invalidArgument)
        let stranger = TaskEventReport(seq: 1, taskID: "t", engine: "celery", kind: .started, ts: 0)
        #expect(harness.apply(.taskEvent(stranger, agentID: "nobody"), now: Time.start).error?.code == .failedPrecondition)
        #expect(harness.state.tasks.isEmpty)
    }

    @Test func eventsArrivingOutOfOrderAreMergedAndKeptInTheAgentsOrder() throws {
        var harness = Harness()
        let worker = harness.addAgent("celery-worker")
        harness.task(.succeeded, ts: Time.start + 30, as: worker, now: Time.start + 100) { $0.payloadJSON = "{\"runtime\": 0.02}" }
        harness.task(.started, ts: Time.start + 10, as: worker, now: Time.start + 101)
        harness.task(.taskSent, ts: Time.start, now: Time.start + 102) {
            $0.name = "app.add"
            $0.argsJSON = "[2, 2]"
        }
        let task = try #require(harness.task())
        #expect(task.state == .succeeded)
        #expect(task.events.map(\.kind) == [.taskSent, .started, .succeeded])
        #expect(task.events.map(\.rule) == [.happenedBefore, .happenedBefore, .created])
        #expect(task.startedAt == Time.start + 10, "a late event still fills what is missing")
        #expect(task.finishedAt == Time.start + 30)
        #expect(task.enqueuedAt == Time.start)
        #expect(task.runtimeNs == 20)
        #expect(task.name == "app.add")
        #expect(task.argsJSON == "[2,2]")
        #expect(task.agentID == worker, "the worker that ran it, not the client that sent it")
        #expect(task.events[2].payloadJSON == "{\"runtime\":0.02}")
        #expect(harness.state.taskTable.startedByAgent.isEmpty)
    }

    @Test func aRetryRunsTheNextAttemptAndARerunAfterFailureIsNotFrozen() throws {
        var harness = Harness()
        harness.task(.started, ts: 1, attempt: 1)
        harness.task(.retry, ts: 2, attempt: 1) {
            $0.excType = "TimeoutError"
            $0.excMessage = "upstream slow"
        }
        #expect(harness.task()?.state == .retried)
        #expect(harness.task()?.error?.excType == "TimeoutError")
        harness.task(.started, ts: 3, attempt: 2)
        harness.task(.failed, ts: 4, attempt: 2) { $0.excType = "ValueError" }
        #expect(harness.task()?.state == .failed)
        #expect(harness.task()?.attempt == 2)
        // A re-run under the same id (apply_async(task_id=…)) leaves failed behind.
        harness.task(.started, ts: 5, attempt: 3)
        #expect(harness.task()?.state == .started)
        #expect(harness.task()?.error == nil, "a new attempt clears the error")
        #expect(harness.task()?.finishedAt == 0)
        harness.task(.succeeded, ts: 9, attempt: 3) { $0.retriedAs = "" }
        harness.task(.failed, ts: 6, attempt: 2)  // late, of an earlier attempt
        let task = try #require(harness.task())
        #expect(task.state == .succeeded)
        #expect(task.attempt == 3)
        #expect(task.runtimeNs == 4)
        #expect(task.events.first { $0.ts == 6 }?.rule == .olderAttempt)
    }

    @Test func expiredIsACancelWithItsReasonAndRetriedAsLinksTheRerun() throws {
        var harness = Harness()
        harness.task(.taskSent, "a")
        harness.task(.expired, "a", ts: Time.start + 5)
        #expect(harness.task("a")?.state == .cancelled)
        #expect(harness.task("a")?.stateReason == "expired")
        #expect(harness.task("a")?.finishedAt == Time.start + 5)
        harness.task(.failed, "b")
        harness.task(.retry, "b") { $0.retriedAs = "b-2" }
        #expect(harness.task("b")?.retriedAs == "b-2")
    }

    @Test func theSameIdInAnotherEngineIsAnotherTask() {
        var harness = Harness()
        harness.task(.started, "same", engine: "celery")
        harness.task(.started, "same", engine: "rq")
        #expect(harness.state.tasks.count == 2)
        #expect(harness.state.task(id: "same").failure?.code == .invalidArgument)
        #expect((try? harness.state.task(id: "same", engine: "rq").get())?.engine == "rq")
    }
}
