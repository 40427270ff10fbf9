import Foundation
import Testing

@testable import BrainCore

/// The cron engine reads offsets from Foundation's `TimeZone` and does calendar arithmetic itself; these check
/// that arithmetic, and the PEP 495 wall-time mapping built on the offsets, against Foundation's `Calendar`.
@Suite("Cron calendar arithmetic and wall times")
struct CronCalendarTests {
    static let zones = [
        "UTC", "Europe/Riga", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham",
        "America/Havana", "Antarctica/Troll", "America/St_Johns",
    ]

    @Test("days and dates round-trip from year -1000 to 3000, weekdays included")
    func civilDays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let first = CivilTime.days(year: -1000, month: 1, day: 1)
        let last = CivilTime.days(year: 3000, month: 12, day: 31)
        var previous = CivilTime.date(days: first - 1)
        for day in first...last {
            let date = CivilTime.date(days: day)
            #expect(CivilTime.days(year: date.year, month: date.month, day: date.day) == day)
            // Consecutive: the next day, or the 1st of the next month.
            let follows = date.day == previous.day + 1 || (date.day == 1 && (date.month == previous.month % 12 + 1))
            if !follows { Issue.record("\(previous) then \(date)") }
            previous = date
        }
        // Spot checks against Foundation.
        for day in stride(from: CivilTime.days(year: 1900, month: 1, day: 1), to: CivilTime.days(year: 2300, month: 1, day: 1), by: 97) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: TimeInterval(day * 86_400)))
            let date = CivilTime.date(days: day)
            #expect([date.year, date.month, date.day, CivilTime.weekday(days: day) + 1] == [parts.year, parts.month, parts.day, parts.weekday])
        }
        #expect(CivilTime.floorDivide(-1, 86_400) == -1)
        #expect(CivilTime.floorDivide(-86_400, 86_400) == -1)
        #expect(CivilTime.floorDivide(86_399, 86_400) == 0)
    }

    @Test("wall times agree with Foundation's Calendar and map back to their instants", arguments: zones)
    func wallTimes(_ name: String) throws {
        let timeZone = try zone(name)
        let clock = ZoneClock(timeZone: timeZone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var random = SplitMix64(seed: UInt64(name.utf8.count) &* 7919)
        // Random instants, and every quarter hour around each change from 2020 to 2031.
        var instants = (0..<500).map { _ in 1_577_836_800 + random.next(below: 347_000_000) }
        var cursor = Date(timeIntervalSince1970: 1_577_836_800)
        while let change = timeZone.nextDaylightSavingTimeTransition(after: cursor), change.timeIntervalSince1970 < 1_924_992_000 {
            let at = Int(change.timeIntervalSince1970)
            instants += stride(from: at - 3 * 3600, through: at + 3 * 3600, by: 900)
            cursor = change
        }
        for instant in instants {
            let (wall, fold) = clock.wall(at: instant)
            let civil = CivilTime(wall: wall)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(instant)))
            #expect(
                [civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second]
                    == [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second], "\(name) \(instant)")
            #expect(clock.instant(wall: wall, fold: fold) == instant, "\(name) \(instant) fold \(fold)")
            #expect(!clock.isSkipped(wall: wall))
        }
    }

    @Test("skipped and repeated wall times in Riga, 2021")
    func skippedAndRepeated() throws {
        let clock = ZoneClock(timeZone: try zone("Europe/Riga"))
        let spring = CivilTime.days(year: 2021, month: 3, day: 28) * 86_400
        // 03:30 does not exist: read with +02 (fold false) it is 04:30+03; with +03 (fold true) 02:30+02.
        #expect(clock.isSkipped(wall: spring + 3 * 3600 + 1800))
        #expect(!clock.isSkipped(wall: spring + 4 * 3600))
        #expect(clock.instant(wall: spring + 3 * 3600 + 1800, fold: false) == spring + 3 * 3600 + 1800 - 7200)
        #expect(clock.instant(wall: spring + 3 * 3600 + 1800, fold: true) == spring + 3 * 3600 + 1800 - 10800)
        let autumn = CivilTime.days(year: 2021, month: 10, day: 31) * 86_400
        // 03:30 happens twice: first at +03, then at +02.
        let first = clock.instant(wall: autumn + 3 * 3600 + 1800, fold: false)
        let second = clock.instant(wall: autumn + 3 * 3600 + 1800, fold: true)
        #expect(second - first == 3600)
        #expect(clock.wall(at: first).fold == false)
        #expect(clock.wall(at: second).fold == true)
        #expect(clock.wall(at: second + 1800).fold == false)
    }
}
