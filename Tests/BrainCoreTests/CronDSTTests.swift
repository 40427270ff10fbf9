import Foundation
import Testing

@testable import BrainCore

/// Daylight-saving cases beyond Riga, hand-checked against cronsim: 30-minute shifts, odd offsets, a two-hour
/// jump, midnight changes, and the one documented difference from cronsim.
@Suite("Cron runs across daylight-saving changes")
struct CronDSTTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let zone: String
        let expression: String
        let from: String
        let runs: [String]
        var testDescription: String { "\(expression) in \(zone) from \(from)" }
    }

    static let rows: [Row] = [
        // Lord Howe: 02:00+10:30 -> 02:30+11:00 (2021-10-03), 02:00+11:00 -> 01:30+10:30 (2021-04-04).
        Row(
            zone: "Australia/Lord_Howe", expression: "15 2 * * *", from: "2021-10-02T12:00+10:30",
            runs: ["2021-10-03T02:30+11:00", "2021-10-04T02:15+11:00"]),
        Row(
            zone: "Australia/Lord_Howe", expression: "*/15 * * * *", from: "2021-10-03T01:40+10:30",
            runs: ["2021-10-03T01:45+10:30", "2021-10-03T02:30+11:00", "2021-10-03T02:45+11:00"]),
        Row(
            zone: "Australia/Lord_Howe", expression: "45 1 * * *", from: "2021-04-03T12:00+11:00",
            runs: ["2021-04-04T01:45+11:00", "2021-04-05T01:45+10:30"]),
        Row(
            zone: "Australia/Lord_Howe", expression: "*/15 * * * *", from: "2021-04-04T01:20+11:00",
            runs: ["2021-04-04T01:30+11:00", "2021-04-04T01:45+11:00", "2021-04-04T01:30+10:30", "2021-04-04T01:45+10:30", "2021-04-04T02:00+10:30"]),
        // Chatham: 02:45+12:45 -> 03:45+13:45 (2021-09-26), 03:45+13:45 -> 02:45+12:45 (2021-04-04).
        Row(
            zone: "Pacific/Chatham", expression: "0 3 * * *", from: "2021-09-25T12:00+12:45",
            runs: ["2021-09-26T03:45+13:45", "2021-09-27T03:00+13:45"]),
        Row(
            zone: "Pacific/Chatham", expression: "0 * * * *", from: "2021-09-26T01:50+12:45",
            runs: ["2021-09-26T02:00+12:45", "2021-09-26T04:00+13:45"]),
        Row(
            zone: "Pacific/Chatham", expression: "0 3 * * *", from: "2021-04-03T12:00+13:45",
            runs: ["2021-04-04T03:00+13:45", "2021-04-05T03:00+12:45"]),
        // Kathmandu: +05:45 all year.
        Row(
            zone: "Asia/Kathmandu", expression: "0 9 * * *", from: "2021-01-01T00:00+05:45",
            runs: ["2021-01-01T09:00+05:45", "2021-01-02T09:00+05:45"]),
        Row(
            zone: "Asia/Kathmandu", expression: "*/30 * * * *", from: "2021-01-01T00:10+05:45",
            runs: ["2021-01-01T00:30+05:45", "2021-01-01T01:00+05:45"]),
        // Troll: +00:00 -> +02:00 at 01:00 UTC: a two-hour jump.
        Row(
            zone: "Antarctica/Troll", expression: "0 1 * * *", from: "2021-03-27T12:00+00:00",
            runs: ["2021-03-28T03:00+02:00", "2021-03-29T01:00+02:00"]),
        // Havana changes at midnight: 00:00-05:00 -> 01:00-04:00 (2021-03-14), 01:00-04:00 -> 00:00-05:00 (2021-11-07).
        Row(
            zone: "America/Havana", expression: "30 0 * * *", from: "2021-03-13T12:00-05:00",
            runs: ["2021-03-14T01:00-04:00", "2021-03-15T00:30-04:00"]),
        Row(
            zone: "America/Havana", expression: "* 0 * * *", from: "2021-03-13T23:58-05:00",
            runs: ["2021-03-15T00:00-04:00", "2021-03-15T00:01-04:00"]),
        Row(
            zone: "America/Havana", expression: "30 0 * * *", from: "2021-11-06T12:00-04:00",
            runs: ["2021-11-07T00:30-04:00", "2021-11-08T00:30-05:00"]),
        // Several skipped times of one fixed-time job run once, at the change.
        Row(
            zone: "Europe/Riga", expression: "0,30 3 * * *", from: "2021-03-28T00:00+02:00",
            runs: ["2021-03-28T04:00+03:00", "2021-03-29T03:00+03:00"]),
        Row(
            zone: "Europe/Riga", expression: "30 3,4 * * *", from: "2021-03-28T00:00+02:00",
            runs: ["2021-03-28T04:00+03:00", "2021-03-28T04:30+03:00"]),
        // A wall-clock job started in the second pass of the repeated hour goes on in it.
        Row(
            zone: "Europe/Riga", expression: "*/20 3 * * *", from: "2021-10-31T03:30+02:00",
            runs: ["2021-10-31T03:40+02:00", "2021-11-01T03:00+02:00"]),
    ]

    @Test("hand-checked runs", arguments: rows)
    func handChecked(_ row: Row) throws {
        #expect(try LocalTime.runs(row.expression, in: zone(row.zone), from: row.from, count: row.runs.count) == row.runs)
    }

    /// The documented exception: cronsim answers 03:45+03:00, the first pass, which precedes the start. That run
    /// has gone by, and Debian cron does not run a fixed-time job again in the second pass, so Brain's next run is
    /// the next day's.
    @Test("a fixed-time job started in the second pass of a repeated hour runs next on the next day")
    func secondPassStart() throws {
        let riga = try zone("Europe/Riga")
        let start = LocalTime.parse("2021-10-31T03:30+02:00")
        #expect(
            try LocalTime.runs("45 3 * * *", in: riga, from: "2021-10-31T03:30+02:00", count: 2) == [
                "2021-11-01T03:45+02:00", "2021-11-02T03:45+02:00",
            ])
        var walk = CronWalk(try CronExpression("45 3 * * *"), zone: ZoneClock(timeZone: riga), start: Int(start / 1_000_000_000))
        let cronsims = walk.next()
        #expect(cronsims.map { LocalTime.format(Int64($0) * 1_000_000_000, in: riga) } == "2021-10-31T03:45+03:00")
    }

    @Test("in UTC, fixed-time and wall-clock forms of the same times agree")
    func utcHasNoSpecialCase() throws {
        let utc = try zone("UTC")
        let start = LocalTime.parse("2021-03-28T00:00+00:00")
        let fixed = try CronExpression("0 0-23 * * *").nextRuns(after: start, in: utc, count: 48)
        let wallClock = try CronExpression("0 * * * *").nextRuns(after: start, in: utc, count: 48)
        #expect(fixed == wallClock)
        #expect(fixed.count == 48)
    }

    @Test("runs come strictly after the start and in order, for any sub-second start")
    func strictlyAfter() throws {
        let cron = try CronExpression("* * * * *")
        let utc = try zone("UTC")
        let minute = LocalTime.parse("2021-06-01T12:00+00:00")
        #expect(cron.nextRuns(after: minute, in: utc, count: 2) == [minute + 60_000_000_000, minute + 120_000_000_000])
        #expect(cron.nextRuns(after: minute - 1, in: utc, count: 1) == [minute])
        #expect(cron.nextRuns(after: minute + 500_000_000, in: utc, count: 1) == [minute + 60_000_000_000])
        #expect(cron.nextRuns(after: minute, in: utc, count: 0).isEmpty)
        #expect(cron.nextRun(after: minute, in: utc) == minute + 60_000_000_000)
    }

    @Test("sparse schedules reach decades ahead and stop where Unix nanoseconds end (2262), and dates before 1970 work")
    func longSearches() throws {
        let utc = try zone("UTC")
        // 29 February that is also a Monday: 2044, 2072, 2112 (2100 is no leap year) ... 2236; 2264 is past 2262.
        let leapMondays = try CronExpression("0 0 29 2 1", dialect: .celery)
        let runs = leapMondays.nextRuns(after: LocalTime.parse("2016-03-01T00:00+00:00"), in: utc, count: 10)
        #expect(runs.map { String(LocalTime.format($0, in: utc).prefix(4)) } == ["2044", "2072", "2112", "2140", "2168", "2196", "2208", "2236"])
        let old = try CronExpression("0 12 * * *").nextRuns(after: LocalTime.parse("1960-01-01T00:00+00:00"), in: utc, count: 1)
        #expect(old.map { LocalTime.format($0, in: utc) } == ["1960-01-01T12:00+00:00"])
    }
}
