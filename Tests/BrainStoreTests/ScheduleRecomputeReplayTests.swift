import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// Next runs predicted in batches after a time-zone change (kind 23, ``ScheduleRecompute``):
/// replaying the journal, whole or cut between two batches, rebuilds the live brain's
/// schedules and pending work; a snapshot keeps the pending work; a journal written before
/// batches existed (a zone change and no batch) replays into pending work that the batches
/// finish where the all-at-once recompute did.
struct ScheduleRecomputeReplayTests {
    static let change: Int64 = 1_774_647_000_000_000_000  // 2026-03-27T21:30:00Z
    static let later = change + 3 * 86_400_000_000_000

    /// A live brain whose project `billing` (UTC) holds `count` schedules reported in one listing.
    static func live(count: Int) -> (TaskReplayTests.LiveBrain, beat: String) {
        var live = TaskReplayTests.LiveBrain()
        live.execute(.createProject(name: "billing", settings: ProjectSettings()), now: 1)
        let beat = live.hello("beat", now: 2)
        live.seqs[beat, default: 0] += 1
        let reports = (0..<count).map { index in
            ReportedSchedule(
                scheduler: "beat", name: "s\(index)", task: "app.s\(index)", type: .cron,
                expression: ["0 3 * * *", "30 2 * * 0", "45 23 * * 1-5", "0 6 * * *"][index % 4])
        }
        let listing = ReportedScheduleListing(seq: live.seqs[beat, default: 0], scheduler: "beat", reports: reports, complete: true)
        live.execute(live.state.scheduleListingCommand(listing, agentID: beat), now: 3)
        return (live, beat)
    }

    static func rigaSettings() -> ProjectSettings { ProjectSettings(timeZone: "Europe/Riga") }

    /// Applies one batch as the server does, journalled through `execute`; false when none was due.
    @discardableResult
    static func batch(_ live: inout TaskReplayTests.LiveBrain, limit: Int, now: Int64) -> Bool {
        guard let batch = live.state.dueScheduleRecompute(limit: limit) else { return false }
        #expect(live.execute(.recomputeNextRuns(batch), now: now).changedState)
        return true
    }

    static func recover(_ records: [JournalRecord]) throws -> BrainState {
        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(records)
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: Logger(label: "test"))
        #expect(recovered.recordsReplayed == records.count)
        return recovered.state
    }

    static func expectSame(_ actual: BrainState, _ expected: BrainState, _ comment: Comment) {
        #expect(actual.schedules.sorted { $0.serial < $1.serial } == expected.schedules.sorted { $0.serial < $1.serial }, comment)
        #expect(actual.scheduleTable.recomputes == expected.scheduleTable.recomputes, comment)
    }

    @Test func batchesInterleavedWithEventsReplayToTheLiveState() throws {
        var (live, beat) = Self.live(count: 50)
        live.execute(.updateProject(name: "billing", settings: Self.rigaSettings()), now: Self.change)
        Self.batch(&live, limit: 7, now: Self.later)
        // Between batches: a pending schedule fires, one is reported anew, a new one appears.
        let pending = try #require(live.state.scheduleTable.recomputes["billing"]?.pending.sorted())
        let fired = try #require(live.state.scheduleTable.records[pending[0]]?.name)
        let reported = try #require(live.state.scheduleTable.records[pending[1]]?.name)
        live.seqs[beat, default: 0] += 1
        live.execute(
            .scheduleFired(ScheduleFiring(seq: live.seqs[beat, default: 0], scheduler: "beat", name: fired, at: Self.later), agentID: beat),
            now: Self.later + 1)
        for (name, expression) in [(reported, "0 4 * * *"), ("new", "0 5 * * *")] {
            live.seqs[beat, default: 0] += 1
            let report = ReportedSchedule(scheduler: "beat", name: name, task: "app.\(name)", type: .cron, expression: expression)
            live.execute(live.state.scheduleReportCommand(report, seq: live.seqs[beat, default: 0], agentID: beat), now: Self.later + 2)
        }
        Self.batch(&live, limit: 7, now: Self.later + 3)
        let midway = live.records.count
        let midState = live.state
        #expect(midState.pendingScheduleRecompute(project: "billing") == 50 - 14 - 2)
        while Self.batch(&live, limit: 7, now: Self.later + 4) {}
        #expect(!live.state.hasPendingScheduleRecompute)

        Self.expectSame(try Self.recover(Array(live.records.prefix(midway))), midState, "cut between two batches")
        let recovered = try Self.recover(live.records)
        Self.expectSame(recovered, live.state, "whole")
        // The fired and re-reported schedules kept what their events predicted (from later,
        // not from the change).
        let firedRecord = try #require(recovered.scheduleTable.records[pending[0]])
        #expect(firedRecord.lastRunAt == Self.later && firedRecord.nextRunAt > Self.later)
        #expect(try #require(recovered.scheduleTable.records[pending[1]]).nextRunAt > Self.later)
        #expect(recovered.schedules.filter { $0.nextRunAt < Self.later }.count == 48, "the rest count from the change")
    }

    @Test func aJournalWithoutBatchesReplaysIntoPendingWorkThatFinishesLikeTheAllAtOnceRecompute() throws {
        var (live, _) = Self.live(count: 30)
        live.execute(.updateProject(name: "billing", settings: Self.rigaSettings()), now: Self.change)
        var recovered = try Self.recover(live.records)
        #expect(recovered.pendingScheduleRecompute(project: "billing") == 30)
        var reference = recovered
        reference.recomputeNextRuns(project: "billing", now: Self.change)
        while let batch = recovered.dueScheduleRecompute(limit: 8) { _ = recovered.apply(.recomputeNextRuns(batch), now: Self.later) }
        Self.expectSame(recovered, reference, "finished after recovery")
    }

    @Test func aSnapshotKeepsPendingWorkAndTheRestoredBrainFinishesIt() throws {
        var (live, _) = Self.live(count: 40)
        live.execute(.updateProject(name: "billing", settings: Self.rigaSettings()), now: Self.change)
        Self.batch(&live, limit: 15, now: Self.later)
        let bytes = SnapshotStore.encode(live.state, writtenAt: 99, brainVersion: "test", journalSegment: 2)
        let directory = try temporaryDirectory()
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/snapshot.json"))
        var loaded = try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration())).state
        Self.expectSame(loaded, live.state, "restored")
        #expect(loaded.pendingScheduleRecompute(project: "billing") == 25)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let saved = try #require((document["state"] as? [String: Any])?["schedule_recomputes"] as? [[String: Any]])
        #expect(saved.count == 1 && saved[0]["project"] as? String == "billing" && saved[0]["as_of"] as? Int == Int(Self.change))
        #expect((saved[0]["serials"] as? [Any])?.count == 25)
        while Self.batch(&live, limit: 15, now: Self.later) {}
        while let batch = loaded.dueScheduleRecompute(limit: 15) { _ = loaded.apply(.recomputeNextRuns(batch), now: Self.later) }
        Self.expectSame(loaded, live.state, "finished")
        // A snapshot with nothing pending has an empty list; one written before batches existed has none.
        let idle = SnapshotStore.encode(live.state, writtenAt: 100, brainVersion: "test", journalSegment: 3)
        #expect(String(decoding: idle, as: UTF8.self).contains("\"schedule_recomputes\":[]"))
    }
}
