import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// Commands to agents, schedules, retention sweeps and next-run recompute batches in the
/// journal (kinds 13 to 23) and in
/// snapshots: every record round-trips, replay rebuilds the state the live brain built, a
/// snapshot keeps it, and no secret reaches either file.
struct CommandReplayTests {
    static let secret = "hunter2-Sup3rS3cret"

    static let records: [JournalRecord] = {
        var result = CommandResultReport(seq: 7, commandID: "c1", ok: true, message: "done", newTaskID: "t2")
        result.isRedacted = true
        var report = ReportedSchedule(
            scheduler: "beat", name: "nightly", task: "app.nightly", type: .cron, expression: "0 3 * * *", dialect: .celery, argsJSON: "[1]",
            kwargsJSON: "{\"a\":2}", enabled: false, metadataJSON: "{\"m\":3}", lastRunAt: -5)
        report.isRedacted = true
        var unsupported = ReportedSchedule(scheduler: "beat", name: "sun", type: .unsupported, expression: "solar")
        unsupported.isRedacted = true
        return [
            .issueAgentCommand(
                AgentCommandRequest(commandID: "c1", kind: .retryTask, taskID: "t1", engine: "celery", project: "p", deadline: 99), now: 13),
            .issueAgentCommand(
                AgentCommandRequest(kind: .disableSchedule, project: "p", scheduler: "beat", scheduleName: "nightly", deadline: Int64.max), now: 13),
            .commandDelivered(commandID: "c1", now: 14),
            .commandReceived(agentID: "a", receipt: CommandReceipt(seq: 6, commandID: "c1"), now: 15),
            .commandResult(agentID: "a", report: result, now: 16),
            .commandTimeouts(["c1", "c2"], now: 17),
            .commandTimeouts([], now: 17),
            .scheduleUpsert(agentID: "a", seq: 8, report: report, now: 18),
            .scheduleDelete(agentID: "a", deletion: ScheduleDeletion(seq: 9, scheduler: "beat", name: "nightly"), now: 19),
            .scheduleFired(agentID: "a", firing: ScheduleFiring(seq: 10, scheduler: "beat", name: "nightly", at: 123, taskID: "t9"), now: 20),
            .scheduleListing(
                agentID: "a", listing: ReportedScheduleListing(seq: 11, scheduler: "beat", reports: [report, unsupported], complete: true), now: 21
            ),
            .scheduleListing(agentID: "a", listing: ReportedScheduleListing(seq: 12, scheduler: "beat", reports: [], complete: false), now: 21),
            .retentionSweep(
                RetentionSweep(
                    runIDs: ["r1", "r2"], tasks: [TaskRef(project: "p", engine: "celery", taskID: "t1")],
                    taskEvents: [TaskEventTrim(task: TaskRef(project: "p", engine: "rq", taskID: "t2"), createdBefore: -1)], sinkSerials: [1, UInt64.max],
                    commandIDs: ["c1"]),
                now: 22),
            .retentionSweep(RetentionSweep(), now: 22),
            .recomputeNextRuns(ScheduleRecomputeBatch(project: "p", asOf: -3, identities: ["p\u{0}beat\u{0}nightly", "ü", ""]), now: 23),
            .recomputeNextRuns(ScheduleRecomputeBatch(project: "", asOf: Int64.max, identities: []), now: 23),
        ]
    }()

    @Test func everyNewRecordKindRoundTrips() throws {
        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(Self.records)
        let segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == Self.records)
        #expect(segment.tornBytes == 0)
    }

    @Test func everyCommandMapsToItsRecordAndBack() {
        for record in Self.records {
            let back = record.withCommand { JournalRecord($0, now: record.now) }
            #expect(back == record)
        }
    }

    /// A live brain's history: a retry and a cancel (one late), schedules reported, listed,
    /// fired, deleted and disabled by command, a time-zone change, and a retention sweep.
    static func stream() -> TaskReplayTests.LiveBrain {
        var live = TaskReplayTests.LiveBrain()
        let hour = Int64(3_600) * 1_000_000_000
        var settings = ProjectSettings(
            retention: RetentionSettings(runsNs: hour, tasksNs: 10 * hour, taskEventsNs: hour, sinkRowsNs: hour), timeZone: "Europe/Riga")
        live.execute(.createProject(name: "billing", settings: settings), now: 1)
        let worker = live.hello("worker", now: 2)
        let beat = live.hello("beat", now: 2)
        func next(_ agent: String) -> UInt64 {
            live.seqs[agent, default: 0] += 1
            return live.seqs[agent, default: 0]
        }
        live.task(.started, "t1", ts: 10, from: worker, now: 10)
        live.task(.failed, "t1", ts: 11, from: worker, now: 11)
        guard
            case .agentCommand(.success(let retry)) = live.execute(
                .issueAgentCommand(AgentCommandRequest(kind: .retryTask, taskID: "t1", deadline: 1_000)), now: 12)
        else {
            Issue.record("retry refused")
            return live
        }
        live.execute(.commandDelivered(commandID: retry.commandID), now: 13)
        #expect(live.execute(.commandDelivered(commandID: retry.commandID), now: 13).changedState == false)
        live.execute(.commandReceived(CommandReceipt(seq: next(worker), commandID: retry.commandID), agentID: worker), now: 14)
        #expect(
            live.execute(.commandReceived(CommandReceipt(seq: next(worker), commandID: retry.commandID), agentID: worker), now: 14).changedState == false,
            "a second receipt is not journalled")
        let ok = CommandResultReport(seq: next(worker), commandID: retry.commandID, ok: true, message: "password=\(secret)", newTaskID: "t1-again")
        live.execute(live.state.commandResultCommand(ok, agentID: worker), now: 15)
        live.execute(.issueAgentCommand(AgentCommandRequest(commandID: "cancel-1", kind: .cancelTask, taskID: "t1", deadline: 20)), now: 16)
        live.execute(.commandTimeouts(live.state.dueCommandTimeouts(now: 20)), now: 20)
        let late = CommandResultReport(seq: next(worker), commandID: "cancel-1", ok: false, message: "too late")
        live.execute(live.state.commandResultCommand(late, agentID: worker), now: 21)

        func report(_ name: String, _ type: ScheduleType, _ expression: String) -> ReportedSchedule {
            ReportedSchedule(scheduler: "beat", name: name, task: "app.\(name)", type: type, expression: expression, kwargsJSON: "{\"api_key\": \"\(secret)\"}")
        }
        live.execute(live.state.scheduleReportCommand(report("nightly", .cron, "0 3 * * *"), seq: next(beat), agentID: beat), now: 30)
        live.execute(live.state.scheduleReportCommand(report("bad", .cron, "0 3 * * MON#2"), seq: next(beat), agentID: beat), now: 31)
        live.execute(live.state.scheduleReportCommand(report("every", .interval, "30"), seq: next(beat), agentID: beat), now: 32)
        let listing = ReportedScheduleListing(
            seq: next(beat), scheduler: "beat",
            reports: [report("nightly", .cron, "0 3 * * *"), report("every", .interval, "30"), report("sun", .unsupported, "solar")],
            complete: true)
        live.execute(live.state.scheduleListingCommand(listing, agentID: beat), now: 33)
        live.execute(.scheduleFired(ScheduleFiring(seq: next(beat), scheduler: "beat", name: "every", at: 40_000_000_000), agentID: beat), now: 40_000_000_001)
        live.execute(.scheduleDelete(ScheduleDeletion(seq: next(beat), scheduler: "beat", name: "sun"), agentID: beat), now: 41_000_000_000)
        let disable = AgentCommandRequest(kind: .disableSchedule, project: "billing", scheduler: "beat", scheduleName: "nightly", deadline: 50_000_000_000)
        if case .agentCommand(.success(let command)) = live.execute(.issueAgentCommand(disable), now: 42_000_000_000) {
            live.execute(
                live.state.commandResultCommand(CommandResultReport(seq: next(beat), commandID: command.commandID, ok: true), agentID: beat),
                now: 43_000_000_000)
        }
        settings.timeZone = "Asia/Kathmandu"
        live.execute(.updateProject(name: "billing", settings: settings), now: 44_000_000_000)
        // Its next runs, one schedule a batch, as the server's loop applies them.
        while let batch = live.state.dueScheduleRecompute(limit: 1) { live.execute(.recomputeNextRuns(batch), now: 44_500_000_000) }
        let sweepAt = 2 * hour
        live.execute(.retentionSweep(live.state.dueRetention(now: sweepAt)), now: sweepAt)
        return live
    }

    @Test func replayedFromTheJournalTheyBuildTheStateTheLiveBrainBuilt() throws {
        let live = Self.stream()
        let state = live.state
        #expect(state.agentCommands.map(\.state) == [.succeeded, .timedOut, .succeeded])
        #expect(state.agentCommands[1].late && !state.agentCommands[1].lateOK)
        #expect(state.schedules.map(\.name).sorted() == ["every", "nightly"])
        #expect(state.schedules.first { $0.name == "nightly" }?.enabled == false)
        #expect(state.tasks.map(\.events.count) == [0], "the sweep trimmed the finished task's old events")
        #expect(state.persistenceErrors.isEmpty, "so did the sink row of the bad expression")

        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(live.records)
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: Logger(label: "test")
        )
        #expect(recovered.recordsReplayed == live.records.count)
        Self.expectSame(recovered.state, state)
        let journal = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(1))"))
        #expect(journal.range(of: Data(Self.secret.utf8)) == nil, "no secret reaches the journal")
    }

    @Test func aSnapshotKeepsCommandsAndSchedules() throws {
        var state = Self.stream().state
        // An open command too, so the restored indexes are exercised.
        _ = state.apply(
            .issueAgentCommand(
                AgentCommandRequest(
                    commandID: "open", kind: .enableSchedule, project: "billing", scheduler: "beat", scheduleName: "nightly", deadline: Int64.max)), now: 3)
        let bytes = SnapshotStore.encode(state, writtenAt: 99, brainVersion: "test", journalSegment: 2)
        #expect(Data(bytes).range(of: Data(Self.secret.utf8)) == nil, "no secret reaches the snapshot")
        let directory = try temporaryDirectory()
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/snapshot.json"))
        let loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()))
        Self.expectSame(loaded.state, state)
        let agentID = try #require(state.agentCommands.last?.agentID)
        #expect(loaded.state.pendingCommands(for: agentID, now: 3).map(\.commandID) == ["open"])
        #expect(loaded.state.dueCommandTimeouts(now: Int64.max) == ["open"])
        #expect(loaded.state.scheduleTable.lastSerial == state.scheduleTable.lastSerial)
        // Standard JSON, payloads embedded as JSON.
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let snapshotState = try #require(document["state"] as? [String: Any])
        let schedule = try #require((snapshotState["schedules"] as? [[String: Any]])?.first)
        #expect((schedule["kwargs"] as? [String: Any])?["api_key"] as? String == "[REDACTED]")
        #expect((snapshotState["agent_commands"] as? [[String: Any]])?.count == 4)
    }

    @Test func aSnapshotWithAnUnknownCommandStateIsRefused() throws {
        let text = String(decoding: SnapshotStore.encode(Self.stream().state, writtenAt: 1, brainVersion: "test", journalSegment: 1), as: UTF8.self)
            .replacingOccurrences(of: "\"state\":\"timed_out\"", with: "\"state\":\"lost_in_post\"")
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        #expect(throws: StoreError.self) { try SnapshotStore(directory: directory).load(configuration: CoreConfiguration()) }
    }

    static func expectSame(_ actual: BrainState, _ expected: BrainState) {
        #expect(actual.agentCommands == expected.agentCommands)
        #expect(actual.commandTable.issued == expected.commandTable.issued)
        #expect(actual.schedules.sorted { $0.serial < $1.serial } == expected.schedules.sorted { $0.serial < $1.serial })
        #expect(actual.scheduleTable.recomputes == expected.scheduleTable.recomputes)
        #expect(actual.tasks == expected.tasks)
        #expect(actual.persistenceErrors == expected.persistenceErrors)
        #expect(actual.listProjects() == expected.listProjects())
        for (id, agent) in expected.agents { #expect(actual.agents[id]?.lastSeq == agent.lastSeq) }
    }
}
