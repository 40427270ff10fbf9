import BrainProtocol
import Foundation
import Logging
import Testing

@testable import BrainCore
@testable import BrainStore

/// Task events, projects and lost decisions replayed from the journal build the state the live
/// brain built; snapshots keep projects and tasks; no secret reaches either file.
struct TaskReplayTests {
    static let secret = "hunter2-Sup3rS3cret"

    /// A live brain that journals as the server does: apply, then keep the record when the
    /// outcome changed the state.
    struct LiveBrain {
        var state = BrainState()
        var records: [JournalRecord] = []
        var seqs: [String: UInt64] = [:]

        @discardableResult
        mutating func execute(_ command: BrainCommand, now: Int64) -> CommandOutcome {
            let outcome = state.apply(command, now: now)
            if command.isJournalled, outcome.changedState, let record = JournalRecord(command, now: now) { records.append(record) }
            return outcome
        }

        mutating func hello(_ name: String, now: Int64) -> String {
            guard
                case .hello(.success(let result)) = execute(
                    .hello(Hello(agentName: name, project: "billing"), tokenHash: "h-\(name)", connection: nil), now: now)
            else {
                Issue.record("hello refused")
                return ""
            }
            return result.agent.agentID
        }

        /// A task event with the agent's next seq (or `resend` to repeat the last one).
        @discardableResult
        mutating func task(
            _ kind: TaskEventKind, _ taskID: String, ts: Int64, attempt: UInt32 = 0, from agentID: String, now: Int64, resend: Bool = false,
            _ edit: (inout TaskEventReport) -> Void = { _ in }
        ) -> CommandOutcome {
            if !resend { seqs[agentID, default: 0] += 1 }
            var report = TaskEventReport(seq: seqs[agentID, default: 0], taskID: taskID, engine: "celery", kind: kind, ts: ts, attempt: attempt)
            edit(&report)
            return execute(state.taskEventCommand(report, agentID: agentID), now: now)
        }
    }

    /// Out of order, resent, retried, refused, lost and then overridden.
    static func stream() -> LiveBrain {
        var live = LiveBrain()
        var settings = ProjectSettings(redaction: RedactionOverrides(extraKeyPatterns: ["pin"]))
        live.execute(.createProject(name: "billing", settings: settings), now: 1)
        settings.redaction.allowedKeys = ["token_count"]
        live.execute(.updateProject(name: "billing", settings: settings), now: 2)
        let client = live.hello("client", now: 3)
        let worker = live.hello("worker", now: 3)
        live.task(.taskSent, "t1", ts: 10, from: client, now: 10) {
            $0.name = "app.charge"
            $0.kwargsJSON = "{\"password\": \"\(secret)\", \"pin\": 1234, \"token_count\": 3, \"dsn\": \"postgres://u:\(secret)@db/x\"}"
        }
        live.task(.succeeded, "t1", ts: 30, from: worker, now: 11)
        live.task(.started, "t1", ts: 20, from: worker, now: 12)
        #expect(live.task(.started, "t1", ts: 20, from: worker, now: 13, resend: true).changedState == false, "a resend is not journalled")
        live.task(.started, "t2", ts: 40, attempt: 1, from: worker, now: 14)
        live.task(.retry, "t2", ts: 41, attempt: 1, from: worker, now: 15) {
            $0.excType = "ConnectionError"
            $0.excMessage = "login with password=\(secret) refused"
            $0.traceback = "Traceback\n  dsn = 'redis://:\(secret)@cache'\n"
        }
        live.task(.started, "t2", ts: 42, attempt: 2, from: worker, now: 16)
        live.task(.failed, "t2", ts: 43, attempt: 1, from: worker, now: 17)
        live.task(.started, "t3", ts: 50, from: worker, now: 18)
        live.task(.started, "", ts: 51, from: worker, now: 19)  // refused into the sink
        // The worker goes silent: offline at the heartbeat timeout, its started tasks lost after the grace.
        let offline = 3 + Int64(CoreConfiguration().heartbeatTimeoutMs) * 1_000_000 + 1
        live.execute(.timeouts(live.state.dueTimeouts(now: offline)), now: offline)
        let decided = offline + live.state.taskSettings.lostGraceNs + 1
        let lost = live.state.dueTaskLiveness(now: decided)
        #expect(lost.map(\.taskID) == ["t2", "t3"])
        live.execute(.taskLiveness(lost), now: decided)
        // It comes back and reports what really happened to one of them.
        _ = live.hello("worker", now: decided + 1)
        live.task(.succeeded, "t3", ts: 60, from: worker, now: decided + 2)
        return live
    }

    @Test func taskEventsReplayedFromTheJournalBuildTheStateTheLiveBrainBuilt() throws {
        let live = Self.stream()
        let tasks = live.state.tasks
        #expect(tasks.map(\.state) == [.succeeded, .lost, .succeeded])
        #expect(tasks[2].events.last?.rule == .overridesLost)
        #expect(live.state.persistenceErrors.map(\.phase) == [PersistencePhase.upsertTask])

        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(live.records)
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: Logger(label: "test")
        )
        #expect(recovered.recordsReplayed == live.records.count)
        #expect(recovered.state.tasks == live.state.tasks)
        #expect(recovered.state.listProjects() == live.state.listProjects())
        #expect(recovered.state.persistenceErrors == live.state.persistenceErrors)
        #expect(recovered.state.taskTable.eventCount == live.state.taskTable.eventCount)
        for (id, agent) in live.state.agents { #expect(recovered.state.agents[id]?.lastSeq == agent.lastSeq) }

        let journal = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(1))"))
        #expect(journal.range(of: Data(Self.secret.utf8)) == nil, "no secret reaches the journal")
        #expect(journal.range(of: Data("token_count\":3".utf8)) != nil, "the project's allow-list was applied before journalling")
    }

    @Test func anUnredactedReportIsRedactedBeforeItIsJournalledAnyway() {
        var state = BrainState()
        guard case .success(let welcome) = state.hello(Hello(agentName: "a"), tokenHash: "h", now: 1) else { return }
        let report = TaskEventReport(seq: 1, taskID: "t", engine: "celery", kind: .started, ts: 1, kwargsJSON: "{\"password\": \"\(Self.secret)\"}")
        guard case .taskEvent(_, let journalled, _)? = JournalRecord(.taskEvent(report, agentID: welcome.agent.agentID), now: 1) else {
            Issue.record("no record")
            return
        }
        #expect(journalled.isRedacted)
        #expect(journalled.kwargsJSON == "{\"password\":\"[REDACTED]\"}")
    }

    @Test(arguments: [("{not json", false), ("{\"a\":1}", true), ("", true)])
    func aJournalledReportIsTrustedAsRedactedOnlyWhenItsJSONTextsAreJSON(kwargs: String, trusted: Bool) throws {
        // Written by hand: the brain itself never journals a report whose JSON texts are not JSON.
        var report = TaskEventReport(seq: 1, taskID: "t", engine: "celery", kind: .started, ts: 1, kwargsJSON: kwargs)
        report.isRedacted = true
        var payload: [UInt8] = []
        JournalRecord.taskEvent(agentID: "a", report: report, now: 1).encodePayload(into: &payload)
        guard case .taskEvent(_, let read, _)? = JournalRecord.decode(payload[...]) else {
            Issue.record("not read back")
            return
        }
        // Unflagged, BrainCore's apply redacts it again, which makes its texts JSON.
        #expect(read.isRedacted == trusted)
        #expect(read.kwargsJSON == kwargs)
    }

    @Test func aSnapshotKeepsProjectsAndTasks() throws {
        let state = Self.stream().state
        let bytes = SnapshotStore.encode(state, writtenAt: 99, brainVersion: "test", journalSegment: 2)
        #expect(Data(bytes).range(of: Data(Self.secret.utf8)) == nil, "no secret reaches the snapshot")
        let directory = try temporaryDirectory()
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/snapshot.json"))
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(loaded.state.tasks == state.tasks)
        #expect(loaded.state.listProjects() == state.listProjects())
        #expect(loaded.state.taskTable.startedByAgent == state.taskTable.startedByAgent)
        #expect(loaded.state.redactionPolicy(forProject: "billing").allowedKeys == ["token_count"])
        // Standard JSON, payloads embedded as JSON.
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let snapshotState = try #require(document["state"] as? [String: Any])
        let task = try #require((snapshotState["tasks"] as? [[String: Any]])?.first)
        #expect((task["kwargs"] as? [String: Any])?["password"] as? String == "[REDACTED]")
        #expect((task["events"] as? [[String: Any]])?.count == 3)
        #expect((snapshotState["projects"] as? [[String: Any]])?.count == 2)
    }

    /// Serials (the task list's cursors) and the next one survive a snapshot, also after a
    /// sweep removed the newest task; a snapshot written before serials numbers tasks by position.
    @Test func aSnapshotKeepsTaskSerialsAndTheNextOne() throws {
        var state = Self.stream().state
        let newest = try #require(state.tasks.last)
        _ = state.apply(.retentionSweep(RetentionSweep(tasks: [TaskRef(project: newest.project, engine: newest.engine, taskID: newest.taskID)])), now: 1)
        #expect(state.tasks.count >= 2 && !state.tasks.contains { $0.taskID == newest.taskID }, "the newest task is swept")
        let next = state.taskTable.nextSerial
        #expect(next == newest.serial + 1)
        let text = String(decoding: SnapshotStore.encode(state, writtenAt: 99, brainVersion: "test", journalSegment: 2), as: UTF8.self)
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(loaded.state.tasks.map(\.serial) == state.tasks.map(\.serial))
        #expect(loaded.state.taskTable.nextSerial == next, "a new task after the restart takes a serial no cursor named")

        // Written before serials: no task "serial" (it follows "key"), no "next_task_serial".
        let old = text.replacing(try Regex(#","serial":[0-9]+"#), with: "").replacing(try Regex(#","next_task_serial":[0-9]+"#), with: "")
        #expect(old.count < text.count - 10 * state.tasks.count)
        try old.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        let older = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        #expect(older.state.tasks.map(\.serial) == Array(0..<state.tasks.count))
        #expect(older.state.taskTable.nextSerial == state.tasks.count)
    }

    @Test func aSnapshotWithAnUnknownTaskStateIsRefused() throws {
        let text = String(decoding: SnapshotStore.encode(Self.stream().state, writtenAt: 1, brainVersion: "test", journalSegment: 1), as: UTF8.self)
            .replacingOccurrences(of: "\"state\":\"lost\"", with: "\"state\":\"vanished\"")
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()) }
    }
}
