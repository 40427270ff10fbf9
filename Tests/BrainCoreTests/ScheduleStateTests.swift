import BrainProtocol
import Foundation
import Testing

@testable import BrainCore

/// Schedules as state: reports, listings, deletions, firings, next runs in the project's time
/// zone, problems, redaction and queries.
@Suite("Schedules as state")
struct ScheduleStateTests {
    static let now = instant("2026-11-30T09:00:00Z")

    /// A harness whose project `proj` reads schedules in `zone`.
    static func harness(zone: String = "UTC") -> Harness {
        var harness = Harness()
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings(timeZone: zone)), now: now)
        return harness
    }

    struct NextRun: Sendable, CustomTestStringConvertible {
        var zone: String
        var type: ScheduleType
        var expression: String
        var next: String?
        var testDescription: String { "\(type.name) \(expression) in \(zone) → \(next ?? "none")" }
    }

    static let nextRuns: [NextRun] = [
        NextRun(zone: "UTC", type: .cron, expression: "0 3 * * *", next: "2026-12-01T03:00:00Z"),
        NextRun(zone: "Europe/Riga", type: .cron, expression: "0 3 * * *", next: "2026-12-01T03:00:00+02:00"),
        NextRun(zone: "Asia/Kathmandu", type: .cron, expression: "0 15 * * *", next: "2026-11-30T15:00:00+05:45"),
        NextRun(zone: "America/New_York", type: .cron, expression: "@hourly", next: "2026-11-30T10:00:00Z"),
        NextRun(zone: "Europe/Riga", type: .interval, expression: "30", next: "2026-11-30T09:00:30Z"),
        NextRun(zone: "UTC", type: .interval, expression: "2.5", next: "2026-11-30T09:00:02.5Z"),
        NextRun(zone: "UTC", type: .date, expression: "2026-12-24T18:00:00+02:00", next: "2026-12-24T16:00:00Z"),
        NextRun(zone: "UTC", type: .date, expression: "2026-01-01T00:00:00Z", next: nil),
        NextRun(zone: "UTC", type: .cron, expression: "0 3 * * MON#2", next: nil),
        NextRun(zone: "UTC", type: .interval, expression: "0", next: nil),
        NextRun(zone: "UTC", type: .date, expression: "tomorrow", next: nil),
        NextRun(zone: "UTC", type: .unsupported, expression: "solar sunset 56.9 24.1", next: nil),
    ]

    @Test(arguments: nextRuns)
    func theNextRunIsPredictedInTheProjectsZone(_ row: NextRun) throws {
        var harness = Self.harness(zone: row.zone)
        #expect(harness.schedule("job", row.expression, type: row.type, now: Self.now) == .applied)
        let record = try #require(harness.scheduled("job"))
        #expect(record.nextRunAt == row.next.map(instant) ?? 0)
        #expect(record.problem.isEmpty == (row.next != nil || row.type == .date && row.expression.hasPrefix("2026")))
    }

    @Test func aBadExpressionIsStoredWithItsProblemAndRecordedInTheSinkOnce() throws {
        var harness = Self.harness()
        #expect(harness.schedule("bad", "0 3 * * MON#2", now: Self.now) == .applied)
        let record = try #require(harness.scheduled("bad"))
        #expect(record.problem.contains("'#'"))
        #expect((record.timing, record.nextRunAt) == (nil, 0))
        #expect(harness.state.persistenceErrors.map(\.phase) == [PersistencePhase.upsertSchedule])
        #expect(harness.schedule("bad", "0 3 * * MON#2", now: Self.now) == .duplicate, "the same report again")
        harness.listing([ReportedSchedule(scheduler: "beat", name: "bad", task: "app.bad", type: .cron, expression: "0 3 * * MON#2")], complete: false)
        #expect(harness.state.persistenceErrors.count == 1, "a listing repeating it records nothing more")
        harness.schedule("bad", "61 * * * *", now: Self.now)
        #expect(harness.state.persistenceErrors.count == 2, "a new problem is recorded")
        harness.schedule("bad", "0 4 * * *", now: Self.now)
        #expect(harness.scheduled("bad")?.problem == "")
        #expect(harness.scheduled("bad")?.nextRunAt == instant("2026-12-01T04:00:00Z"))
        // Unsupported is listed without a sink row.
        harness.schedule("sun", "solar", type: .unsupported)
        #expect(harness.state.persistenceErrors.count == 2)
        #expect(harness.scheduled("sun")?.problem.isEmpty == false)
    }

    @Test(arguments: [
        ReportedSchedule(scheduler: "", name: "n", type: .cron, expression: "* * * * *"),
        ReportedSchedule(scheduler: "beat", name: "", type: .cron, expression: "* * * * *"),
        ReportedSchedule(scheduler: "beat", name: String(repeating: "n", count: 201), type: .cron, expression: "* * * * *"),
        ReportedSchedule(scheduler: "beat", name: "n", type: .cron, expression: String(repeating: "*", count: 1_001)),
    ])
    func aReportWithoutAUsableIdentityIsRefusedIntoTheSink(_ report: ReportedSchedule) {
        var harness = Self.harness()
        harness.seq += 1
        let outcome = harness.apply(harness.state.scheduleReportCommand(report, seq: harness.seq, agentID: harness.agentID), now: Self.now)
        #expect(outcome.error?.code == .invalidArgument)
        #expect(harness.state.schedules.isEmpty)
        #expect(harness.state.persistenceErrors.map(\.phase) == [PersistencePhase.upsertSchedule])
        #expect(harness.agent?.lastSeq == harness.seq, "a refusal still advances the seq")
    }

    @Test func argsKwargsAndMetadataAreRedactedBeforeTheyAreKept() throws {
        var harness = Self.harness()
        harness.schedule("job", "* * * * *") {
            $0.argsJSON = "[\"postgres://u:hunter2secret@db/x\"]"
            $0.kwargsJSON = "{\"password\": \"hunter2secret\", \"n\": 1}"
            $0.metadataJSON = "{\"api_token\": \"hunter2secret\"}"
        }
        let record = try #require(harness.scheduled("job"))
        for text in [record.argsJSON, record.kwargsJSON, record.metadataJSON] {
            #expect(!text.contains("hunter2secret"))
            #expect(JSONValidator.isValid(text))
        }
        #expect(record.kwargsJSON.contains("\"n\":1"))
        guard
            case .scheduleUpsert(let journalled, _, _) = harness.state.scheduleReportCommand(
                ReportedSchedule(scheduler: "b", name: "n", type: .cron, expression: "* * * * *", kwargsJSON: "{\"secret\": \"x1\"}"), seq: 1,
                agentID: harness.agentID)
        else {
            Issue.record("not an upsert")
            return
        }
        #expect(journalled.isRedacted && !journalled.kwargsJSON.contains("x1"), "the builder redacts before the journal sees it")
    }

    @Test func aCompleteListingRemovesOnlyThatAgentsSchedulesOfThatSchedulerItDoesNotName() throws {
        var harness = Self.harness()
        let other = harness.addAgent("other")
        harness.schedule("a", "0 1 * * *")
        harness.schedule("b", "0 2 * * *")
        harness.schedule("c", "0 3 * * *", scheduler: "apscheduler")
        harness.schedule("d", "0 4 * * *", as: other)  // another agent's, same scheduler name
        let keep = ReportedSchedule(scheduler: "beat", name: "a", task: "app.a", type: .cron, expression: "0 1 * * *")
        let added = ReportedSchedule(scheduler: "beat", name: "e", task: "app.e", type: .interval, expression: "60")
        #expect(harness.listing([keep, added], complete: false) == .applied)
        #expect(harness.state.schedules.count == 5, "a partial listing never deletes")
        #expect(harness.listing([keep, added], complete: false) == .duplicate, "nothing new")
        #expect(harness.listing([keep, added], complete: true) == .applied)
        #expect(Set(harness.state.schedules.map(\.name)) == ["a", "c", "d", "e"])
        #expect(harness.listing([keep, added], complete: true) == .duplicate)
    }

    @Test func aDeletionRemovesItAndAFiringSetsTheLastRunAndTheNext() throws {
        var harness = Self.harness()
        harness.schedule("every", "60", type: .interval, now: Self.now)
        #expect(harness.scheduled("every")?.nextRunAt == Self.now + Time.seconds(60))
        let fired = Self.now + Time.seconds(75)
        #expect(harness.fired("every", at: fired, now: fired + 1) == .applied)
        #expect(harness.scheduled("every")?.lastRunAt == fired)
        #expect(harness.scheduled("every")?.nextRunAt == fired + Time.seconds(60), "an interval runs from its last run")
        #expect(harness.fired("every", at: fired - 10, now: fired + 2) == .duplicate, "an older firing never moves it back")
        #expect(harness.fired("nope", at: fired, now: fired + 2).error?.code == .notFound)

        harness.schedule("cron", "*/15 * * * *", now: Self.now)
        harness.fired("cron", at: instant("2026-11-30T09:15:00Z"), now: instant("2026-11-30T09:15:01Z"))
        #expect(harness.scheduled("cron")?.nextRunAt == instant("2026-11-30T09:30:00Z"))

        let other = harness.addAgent("other")
        harness.seq += 1
        #expect(
            harness.apply(.scheduleDelete(ScheduleDeletion(seq: harness.seq, scheduler: "beat", name: "every"), agentID: other), now: fired).error?.code
                == .permissionDenied)
        harness.seq += 1
        #expect(
            harness.apply(.scheduleDelete(ScheduleDeletion(seq: harness.seq, scheduler: "beat", name: "every"), agentID: harness.agentID), now: fired)
                == .applied)
        #expect(harness.state.schedule(project: "proj", scheduler: "beat", name: "every").failure?.code == .notFound)
        harness.seq += 1
        #expect(
            harness.apply(.scheduleDelete(ScheduleDeletion(seq: harness.seq, scheduler: "beat", name: "every"), agentID: harness.agentID), now: fired)
                == .duplicate)
    }

    @Test func enablingComesOnlyFromTheAgentAndRecomputesTheNextRun() throws {
        var harness = Self.harness()
        harness.schedule("job", "0 3 * * *", now: Self.now) { $0.enabled = false }
        #expect(harness.scheduled("job")?.nextRunAt == 0)
        let later = instant("2026-12-05T12:00:00Z")
        harness.schedule("job", "0 3 * * *", now: later)
        #expect(harness.scheduled("job")?.enabled == true)
        #expect(harness.scheduled("job")?.nextRunAt == instant("2026-12-06T03:00:00Z"))
    }

    @Test func aTimeZoneChangeRecomputesEveryScheduleOfTheProjectOnly() throws {
        var harness = Self.harness()
        let other = harness.addAgent("elsewhere", project: "other")
        harness.schedule("job", "0 3 * * *", now: Self.now)
        harness.schedule("there", "0 3 * * *", as: other, now: Self.now)
        #expect(harness.scheduled("job")?.nextRunAt == instant("2026-12-01T03:00:00Z"))
        _ = harness.state.apply(.updateProject(name: "proj", settings: ProjectSettings(timeZone: "Pacific/Chatham")), now: Self.now)
        #expect(harness.scheduled("job")?.nextRunAt == instant("2026-12-01T03:00:00+13:45"))
        #expect(harness.scheduled("there", project: "other")?.nextRunAt == instant("2026-12-01T03:00:00Z"))
        // A project created after its agents reported schedules (they were read in UTC).
        _ = harness.state.apply(.createProject(name: "other", settings: ProjectSettings(timeZone: "Europe/Riga")), now: Self.now)
        #expect(harness.scheduled("there", project: "other")?.nextRunAt == instant("2026-12-01T03:00:00+02:00"))
    }

    @Test func listSchedulesSortsByNextRunAndFiltersAndPages() throws {
        var harness = Self.harness()
        let other = harness.addAgent("other")
        harness.schedule("late", "0 23 * * *", now: Self.now)
        harness.schedule("soon", "30 9 * * *", now: Self.now)
        harness.schedule("off", "0 10 * * *", now: Self.now) { $0.enabled = false }
        harness.schedule("bad", "0 10 * * MON#1", now: Self.now)
        harness.schedule("mid", "0 12 * * *", as: other, now: Self.now)
        let all = try harness.state.listSchedules(ScheduleQuery()).get()
        #expect(all.schedules.map(\.name) == ["soon", "mid", "late", "off", "bad"])
        #expect(try harness.state.listSchedules(ScheduleQuery(dueBefore: instant("2026-11-30T12:00:00Z"))).get().schedules.map(\.name) == ["soon", "mid"])
        #expect(try harness.state.listSchedules(ScheduleQuery(enabled: false)).get().schedules.map(\.name) == ["off"])
        #expect(try harness.state.listSchedules(ScheduleQuery(agent: "other")).get().schedules.map(\.name) == ["mid"])
        #expect(try harness.state.listSchedules(ScheduleQuery(project: "nope")).get().schedules.isEmpty)
        // By name and scheduler, exactly (what `brainctl schedule show NAME` asks).
        func named(_ name: String, scheduler: String = "") throws -> [String] {
            var query = ScheduleQuery()
            query.name = name
            query.scheduler = scheduler
            return try harness.state.listSchedules(query).get().schedules.map { "\($0.scheduler)/\($0.name)" }
        }
        #expect(try named("mid") == ["beat/mid"])
        #expect(try named("mi").isEmpty)
        #expect(try named("mid", scheduler: "beat") == ["beat/mid"])
        #expect(try named("mid", scheduler: "other-beat").isEmpty)
        #expect(try named("", scheduler: "beat").count == 5)
        var names: [String] = []
        var cursor = ""
        repeat {
            let page = try harness.state.listSchedules(ScheduleQuery(cursor: cursor, limit: 2)).get()
            names += page.schedules.map(\.name)
            cursor = page.nextCursor
        } while !cursor.isEmpty
        #expect(names == ["soon", "mid", "late", "off", "bad"])
        #expect(harness.state.listSchedules(ScheduleQuery(cursor: "t5")).failure?.code == .invalidArgument)
    }

    @Test func nextRunsGivesTheScheduleShowTimes() throws {
        var harness = Self.harness(zone: "Europe/Riga")
        harness.schedule("job", "15 3 * * *", now: instant("2021-03-26T12:00:00Z"))
        let record = try #require(harness.scheduled("job"))
        let runs = harness.state.nextRuns(of: record, count: 3, now: instant("2021-03-26T12:00:00Z"))
        // Riga skips 03:00-04:00 on 2021-03-28: the fixed-time job runs at the change.
        #expect(runs == ["2021-03-27T03:15:00+02:00", "2021-03-28T04:00:00+03:00", "2021-03-29T03:15:00+03:00"].map(instant))
        #expect(harness.state.nextRuns(of: record, count: 0, now: Self.now).count == 5)
        #expect(harness.state.nextRuns(of: record, count: 1_000, now: Self.now).count == 100)
    }

    @Test func changesAreCollectedForWatchers() {
        var harness = Self.harness()
        harness.state.collectChanges = true
        harness.schedule("a", "* * * * *")
        harness.listing([], complete: true)
        let kinds = harness.state.drainChanges().map { change -> String in
            switch change {
            case .schedule(let record): "schedule \(record.name)"
            case .scheduleRemoved(let record): "removed \(record.name)"
            default: "other"
            }
        }
        #expect(kinds == ["schedule a", "removed a"])
    }
}
