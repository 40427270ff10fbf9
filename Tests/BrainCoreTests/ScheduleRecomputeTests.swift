import Foundation
import Testing

@testable import BrainCore

extension Harness {
    /// Applies recompute batches of at most `limit` schedules at `now` until none is pending, as
    /// the server does; returns how many commands that took.
    @discardableResult
    mutating func finishRecomputes(limit: Int = ScheduleRecompute.defaultBatch, now: Int64) -> Int {
        var commands = 0
        while let batch = state.dueScheduleRecompute(limit: limit) {
            guard state.apply(.recomputeNextRuns(batch), now: now).changedState else {
                Issue.record("a batch changed nothing: \(batch.identities.count) schedules of \(batch.project)")
                break
            }
            commands += 1
        }
        return commands
    }

    /// The identity of a schedule of `proj`.
    static func identity(_ name: String, project: String = "proj") -> String {
        ScheduleRecord.identity(project: project, scheduler: "beat", name: name)
    }
}

/// Next runs after a time-zone change, predicted in batches (``ScheduleRecompute``; their
/// speed is measured by the benchmarks, not here): a change leaves every schedule of the
/// project pending, batches predict them from the change's instant and end up where an
/// all-at-once recompute at the change would, a schedule predicted meanwhile by anything else
/// keeps that prediction, and reads never show a next run of the old zone.
@Suite("Next runs after a time-zone change")
struct ScheduleRecomputeTests {
    static let expressions = ["0 3 * * *", "*/15 * * * *", "30 2 * * 0", "0 0 1 * *", "45 23 * * 1-5", "@hourly", "0 12 15 6 *", "5 4 * * SUN"]
    /// Two days before Riga's 2026 spring change.
    static let change = instant("2026-03-27T21:30:00Z")
    /// When the batches run: days after the change, so a batch that counted from its own time
    /// would get other runs than the change's.
    static let batchTime = instant("2026-03-30T02:30:00Z")

    /// A harness whose project `proj` (created in UTC) holds `count` schedules: cron over
    /// ``expressions``, one in ten an interval, one in twenty a date.
    static func harness(count: Int) -> Harness {
        var harness = Harness()
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings()), now: Time.start)
        for index in 0..<count {
            if index % 20 == 19 {
                harness.schedule("s\(index)", "2026-04-0\(1 + index % 9)T12:00:00Z", type: .date, now: Time.start)
            } else if index % 10 == 9 {
                harness.schedule("s\(index)", "\(60 + index)", type: .interval, now: Time.start)
            } else {
                harness.schedule("s\(index)", Self.expressions[index % Self.expressions.count], now: Time.start)
            }
        }
        return harness
    }

    static func moveToRiga(_ harness: inout Harness, at now: Int64 = change) {
        guard case .project(.success) = harness.state.apply(.updateProject(name: "proj", settings: ProjectSettings(timeZone: "Europe/Riga")), now: now)
        else {
            Issue.record("the zone change was refused")
            return
        }
    }

    static func byName(_ state: BrainState) -> [String: ScheduleRecord] {
        Dictionary(uniqueKeysWithValues: state.schedules.map { ($0.name, $0) })
    }

    struct Batching: CustomTestStringConvertible, Sendable {
        var schedules: Int
        var batch: Int
        var commands: Int
        var testDescription: String { "\(schedules) schedules in batches of \(batch): \(commands) commands" }
    }

    @Test(arguments: [
        Batching(schedules: 0, batch: 5, commands: 0),
        Batching(schedules: 1, batch: 1, commands: 1),
        Batching(schedules: 10, batch: 3, commands: 4),
        Batching(schedules: 10, batch: 10, commands: 1),
        Batching(schedules: 100, batch: 1_000, commands: 1),
        Batching(schedules: 2_000, batch: 2_000, commands: 1),
        Batching(schedules: 2_001, batch: 2_000, commands: 2),
        Batching(schedules: 2_500, batch: 700, commands: 4),
    ])
    func batchesOfKFinishAfterCeilNOverKCommandsWhereAnAllAtOnceRecomputeWould(_ row: Batching) throws {
        var harness = Self.harness(count: row.schedules)
        let before = Self.byName(harness.state)
        Self.moveToRiga(&harness)
        #expect(harness.state.pendingScheduleRecompute(project: "proj") == row.schedules)
        #expect(harness.state.hasPendingScheduleRecompute == (row.schedules > 0))
        #expect(Self.byName(harness.state) == before, "the change itself predicts nothing")
        var reference = harness.state
        reference.recomputeNextRuns(project: "proj", now: Self.change)
        #expect(!reference.hasPendingScheduleRecompute)

        #expect(harness.finishRecomputes(limit: row.batch, now: Self.batchTime) == row.commands)
        #expect(!harness.state.hasPendingScheduleRecompute)
        #expect(harness.state.dueScheduleRecompute() == nil)
        let after = Self.byName(harness.state)
        #expect(after == Self.byName(reference))
        if row.schedules >= 100 {
            #expect(after.values.filter { before[$0.name]?.nextRunAt != $0.nextRunAt }.count > row.schedules / 3, "the change moved many")
        }
    }

    @Test func everyScheduleGetsItsExpressionsRunInTheNewZoneFromTheChange() throws {
        var harness = Self.harness(count: 400)
        let elsewhere = harness.addAgent("elsewhere", project: "other")
        harness.schedule("o", "0 3 * * *", as: elsewhere, now: Time.start)
        let otherBefore = harness.scheduled("o", project: "other")?.nextRunAt
        Self.moveToRiga(&harness)
        harness.finishRecomputes(limit: 64, now: Self.batchTime)
        let zone = try #require(TimeZone(identifier: "Europe/Riga"))
        for record in harness.state.schedules where record.project == "proj" {
            let expected: Int64
            switch try #require(record.timing) {
            case .cron(let cron): expected = cron.nextRun(after: Self.change, in: zone) ?? 0
            case .every(let nanos):
                expected = try ScheduleInterval(everyNanos: nanos, anchorUnixNanos: record.createdAt).nextRuns(after: Self.change, count: 1)[0]
            case .at(let at): expected = at > Self.change ? at : 0
            }
            #expect(record.nextRunAt == expected, "\(record.name) \(record.expression)")
        }
        #expect(harness.scheduled("o", project: "other")?.nextRunAt == otherBefore, "another project's do not move")
        #expect(harness.state.pendingScheduleRecompute(project: "other") == 0)
        // Nothing to move: the same zone again, at the same time, all at once.
        #expect(harness.state.recomputeNextRuns(project: "proj", now: Self.change) == 0)
        #expect(harness.state.recomputeNextRuns(project: "nobody", now: Self.change) == 0)
    }

    /// What happens to a schedule still pending between two batches.
    enum Meanwhile: String, CaseIterable, Sendable {
        case fired, reported, enabled, reportedAgainUnchanged, deleted
    }

    /// The event comes at ``batchTime``'s morning, three days after the change: a schedule it
    /// predicts gets 2026-03-31 03:00 Riga time; one the batch predicts gets the change's next
    /// 03:00, on 2026-03-28.
    @Test(arguments: Meanwhile.allCases)
    func aSchedulePredictedBetweenBatchesKeepsThatPrediction(_ meanwhile: Meanwhile) throws {
        var harness = Self.harness(count: 0)
        let enabled = meanwhile != .enabled
        for index in 0..<10 { harness.schedule("s\(index)", "0 3 * * *", now: Time.start) { $0.enabled = enabled } }
        Self.moveToRiga(&harness)
        let first = try #require(harness.state.dueScheduleRecompute(limit: 3))
        #expect(harness.state.apply(.recomputeNextRuns(first), now: Self.batchTime).changedState)
        #expect(harness.state.pendingScheduleRecompute(project: "proj") == 7)
        let pending = try #require(harness.state.scheduleTable.recomputes["proj"]?.pending.first)
        let name = try #require(harness.state.scheduleTable.records[pending]?.name)
        let eventTime = Self.batchTime + Time.seconds(60)
        switch meanwhile {
        case .fired: #expect(harness.fired(name, at: eventTime - Time.seconds(30), now: eventTime) == .applied)
        case .reported: #expect(harness.schedule(name, "0 3 * * *", now: eventTime) { $0.task = "app.renamed" } == .applied)
        case .enabled: #expect(harness.schedule(name, "0 3 * * *", now: eventTime) == .applied)
        case .reportedAgainUnchanged: #expect(harness.schedule(name, "0 3 * * *", now: eventTime) == .duplicate)
        case .deleted:
            harness.seq += 1
            let deletion = ScheduleDeletion(seq: harness.seq, scheduler: "beat", name: name)
            #expect(harness.apply(.scheduleDelete(deletion, agentID: harness.agentID), now: eventTime) == .applied)
        }
        let stillPending = meanwhile == .reportedAgainUnchanged ? 7 : 6
        #expect(harness.state.pendingScheduleRecompute(project: "proj") == stillPending)
        #expect(harness.finishRecomputes(limit: 3, now: eventTime + Time.seconds(60)) == (stillPending + 2) / 3)
        let record = harness.state.scheduleTable.records[pending]
        switch meanwhile {
        case .fired, .reported, .enabled: #expect(record?.nextRunAt == instant("2026-03-31T03:00:00+03:00"))
        case .reportedAgainUnchanged: #expect(record?.nextRunAt == instant("2026-03-28T03:00:00+02:00"))
        case .deleted: #expect(record == nil)
        }
        if meanwhile == .fired { #expect(record?.lastRunAt == eventTime - Time.seconds(30)) }
        let others = harness.state.schedules.filter { $0.identity != pending }
        #expect(others.count == 9)
        #expect(others.allSatisfy { $0.nextRunAt == (enabled ? instant("2026-03-28T03:00:00+02:00") : 0) })
    }

    @Test func aSecondChangeStartsOverFromItsOwnInstantAndAStaleBatchChangesNothing() throws {
        var harness = Self.harness(count: 10)
        Self.moveToRiga(&harness)
        let stale = try #require(harness.state.dueScheduleRecompute(limit: 4))
        #expect(harness.state.apply(.recomputeNextRuns(stale), now: Self.batchTime).changedState)
        let second = Self.change + Time.seconds(3_600)
        _ = harness.state.apply(.updateProject(name: "proj", settings: ProjectSettings(timeZone: "America/New_York")), now: second)
        #expect(harness.state.pendingScheduleRecompute(project: "proj") == 10)
        let held = harness.state
        let outcome = harness.state.apply(.recomputeNextRuns(stale), now: Self.batchTime)
        #expect(!outcome.changedState)
        #expect(harness.state.scheduleTable.recomputes == held.scheduleTable.recomputes)
        #expect(Self.byName(harness.state) == Self.byName(held))
        var reference = harness.state
        reference.recomputeNextRuns(project: "proj", now: second)
        #expect(harness.finishRecomputes(limit: 4, now: Self.batchTime) == 3)
        #expect(Self.byName(harness.state) == Self.byName(reference))
        // A batch for a project with nothing pending changes nothing either.
        #expect(!harness.state.apply(.recomputeNextRuns(stale), now: Self.batchTime).changedState)
    }

    @Test func readsShowTheNewZonesNextRunBeforeTheBatchStoresIt() throws {
        var harness = Self.harness(count: 30)
        Self.moveToRiga(&harness)
        var finished = harness
        finished.finishRecomputes(now: Self.batchTime)
        let final = Self.byName(finished.state)
        let stored = Self.byName(harness.state)
        #expect(stored.values.contains { final[$0.name]?.nextRunAt != $0.nextRunAt }, "the stored next runs are still the old zone's")
        for name in stored.keys {
            #expect(harness.scheduled(name)?.nextRunAt == final[name]?.nextRunAt, "GetSchedule \(name)")
        }
        let page = try harness.state.listSchedules(ScheduleQuery(project: "proj", limit: 1_000)).get()
        #expect(page.schedules.count == 30)
        for record in page.schedules { #expect(record.nextRunAt == final[record.name]?.nextRunAt, "ListSchedules \(record.name)") }
        // Half done: the same.
        let batch = try #require(harness.state.dueScheduleRecompute(limit: 15))
        _ = harness.state.apply(.recomputeNextRuns(batch), now: Self.batchTime)
        for name in stored.keys { #expect(harness.scheduled(name)?.nextRunAt == final[name]?.nextRunAt) }
    }

    @Test func creatingAProjectInAnotherZoneThanUTCMarksItsSchedulesPending() throws {
        var harness = Harness()
        let other = harness.addAgent("other", project: "utc")
        for name in ["a", "b", "c"] { harness.schedule(name, "0 3 * * *", now: Time.start) }
        harness.schedule("d", "0 3 * * *", as: other, now: Time.start)
        _ = harness.state.apply(.createProject(name: "utc", settings: ProjectSettings()), now: Self.change)
        #expect(!harness.state.hasPendingScheduleRecompute)
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings(timeZone: "Europe/Riga")), now: Self.change)
        #expect(harness.state.pendingScheduleRecompute(project: "proj") == 3)
        #expect(harness.finishRecomputes(limit: 2, now: Self.batchTime) == 2)
        #expect(harness.state.schedules.filter { $0.project == "proj" }.allSatisfy { $0.nextRunAt == instant("2026-03-28T03:00:00+02:00") })
        // A settings change that keeps the zone predicts nothing again.
        var settings = ProjectSettings(timeZone: "Europe/Riga")
        settings.retention.runsNs = 1
        _ = harness.state.apply(.updateProject(name: "proj", settings: settings), now: Self.batchTime)
        #expect(!harness.state.hasPendingScheduleRecompute)
    }

    @Test func pendingWorkSurvivesTheCodableRoundTrip() throws {
        var harness = Self.harness(count: 25)
        Self.moveToRiga(&harness)
        let batch = try #require(harness.state.dueScheduleRecompute(limit: 10))
        _ = harness.state.apply(.recomputeNextRuns(batch), now: Self.batchTime)
        var decoded = try JSONDecoder().decode(BrainState.self, from: JSONEncoder().encode(harness.state))
        #expect(decoded.scheduleTable.recomputes == harness.state.scheduleTable.recomputes)
        #expect(decoded.savedScheduleRecomputes.map(\.serials.count) == [15])
        // Both finish where they would have.
        harness.finishRecomputes(limit: 7, now: Self.batchTime)
        var restored = Harness()
        restored.state = decoded
        restored.finishRecomputes(limit: 7, now: Self.batchTime)
        decoded = restored.state
        #expect(Self.byName(decoded) == Self.byName(harness.state))
        #expect(!decoded.hasPendingScheduleRecompute)
    }
}
