import Foundation
import Testing

@testable import BrainCore

@Suite("Schedule expressions: cron, interval and date")
struct ScheduleExpressionTests {
    static let minute: Int64 = 60_000_000_000
    static let anchor = LocalTime.parse("2021-03-28T01:00+02:00")

    @Test("a date runs once, and not at all once it has passed")
    func date() throws {
        let riga = try zone("Europe/Riga")
        let when = LocalTime.parse("2030-01-01T09:00+02:00")
        let date = ScheduleExpression.date(unixNanos: when)
        #expect(date.nextRuns(after: when - 1, in: riga, count: 5) == [when])
        #expect(date.nextRuns(after: when, in: riga, count: 5).isEmpty)
        #expect(date.nextRuns(after: when + Self.minute, in: riga, count: 5).isEmpty)
        #expect(date.nextRuns(after: when - 1, in: riga, count: 0).isEmpty)
        #expect(date.nextRun(after: 0, in: riga) == when)
        #expect(date.nextRun(after: when, in: riga) == nil)
    }

    @Test("an interval runs at its anchor and every step from it, whatever the start")
    func interval() throws {
        let riga = try zone("Europe/Riga")
        let every = try ScheduleInterval(everyNanos: 10 * Self.minute, anchorUnixNanos: Self.anchor)
        let schedule = ScheduleExpression.interval(every)
        // Before the anchor: the anchor is the first run.
        #expect(schedule.nextRuns(after: Self.anchor - 1000 * Self.minute, in: riga, count: 2) == [Self.anchor, Self.anchor + 10 * Self.minute])
        // At the anchor: the next step.
        #expect(schedule.nextRuns(after: Self.anchor, in: riga, count: 1) == [Self.anchor + 10 * Self.minute])
        // Between steps, and exactly on one: the phase stays the anchor's.
        #expect(
            schedule.nextRuns(after: Self.anchor + 25 * Self.minute, in: riga, count: 2) == [Self.anchor + 30 * Self.minute, Self.anchor + 40 * Self.minute])
        #expect(schedule.nextRuns(after: Self.anchor + 30 * Self.minute, in: riga, count: 1) == [Self.anchor + 40 * Self.minute])
        #expect(schedule.nextRuns(after: Self.anchor, in: riga, count: 0).isEmpty)
    }

    @Test("an interval is elapsed time: a daylight-saving change does not move it")
    func intervalAcrossSpringForward() throws {
        let riga = try zone("Europe/Riga")
        let hourly = ScheduleExpression.interval(try ScheduleInterval(everyNanos: 60 * Self.minute, anchorUnixNanos: Self.anchor))
        let runs = hourly.nextRuns(after: Self.anchor, in: riga, count: 3).map { LocalTime.format($0, in: riga) }
        #expect(runs == ["2021-03-28T02:00+02:00", "2021-03-28T04:00+03:00", "2021-03-28T05:00+03:00"])
    }

    @Test("an interval must be positive, and runs end where Int64 nanoseconds end")
    func intervalLimits() throws {
        for bad: Int64 in [0, -1, Int64.min] {
            do {
                _ = try ScheduleInterval(everyNanos: bad, anchorUnixNanos: 0)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == .badInterval)
                #expect(error.message.contains("positive"))
            }
        }
        let late = try ScheduleInterval(everyNanos: Int64.max / 3, anchorUnixNanos: Int64.min)
        #expect(late.nextRuns(after: Int64.min, count: 10).count == 6)
        #expect(late.nextRuns(after: Int64.max - 1, count: 3).isEmpty)
        let tiny = try ScheduleInterval(everyNanos: 1, anchorUnixNanos: Int64.max - 2)
        #expect(tiny.nextRuns(after: Int64.max - 2, count: 5) == [Int64.max - 1, Int64.max])
        let wide = try ScheduleInterval(everyNanos: Int64.max, anchorUnixNanos: Int64.min)
        #expect(wide.nextRuns(after: 0, count: 2) == [Int64.max - 1])
    }

    @Test("a cron schedule gives its expression's runs in the zone it is given")
    func cron() throws {
        let expression = try CronExpression("0 3 * * *")
        let schedule = ScheduleExpression.cron(expression)
        let from = LocalTime.parse("2021-03-27T12:00+02:00")
        for name in ["Europe/Riga", "America/New_York", "Asia/Kathmandu"] {
            let timeZone = try zone(name)
            #expect(schedule.nextRuns(after: from, in: timeZone, count: 3) == expression.nextRuns(after: from, in: timeZone, count: 3))
        }
        #expect(
            try schedule.nextRun(after: from, in: zone("Europe/Riga")).map { LocalTime.format($0, in: try zone("Europe/Riga")) } == "2021-03-28T04:00+03:00")
        #expect(schedule == .cron(try CronExpression("0 3 * * *")))
        #expect(schedule != .cron(try CronExpression("0 3 * * *", dialect: .celery)))
    }
}
