import Foundation
import Testing

@testable import BrainCore

/// Local times as the schedule tables write them, `2021-03-28T04:00+03:00`, to and from Unix nanoseconds.
enum LocalTime {
    /// Unix nanoseconds of `YYYY-MM-DDTHH:MM±HH:MM`; records an issue and gives 0 for anything else.
    static func parse(_ text: String) -> Int64 {
        let parts = text.split(whereSeparator: { "-T:+".contains($0) }).map { Int($0) }
        let negative = text.dropFirst(16).hasPrefix("-")
        guard parts.count == 7, text.count == 22, let year = parts[0], let month = parts[1], let day = parts[2], let hour = parts[3],
            let minute = parts[4], let offsetHours = parts[5], let offsetMinutes = parts[6]
        else {
            Issue.record("not a local time: \(text)")
            return 0
        }
        let offset = (offsetHours * 3600 + offsetMinutes * 60) * (negative ? -1 : 1)
        let wall = CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
        return Int64(wall - offset) * 1_000_000_000
    }

    /// `YYYY-MM-DDTHH:MM±HH:MM` of an instant in a zone (seconds dropped: cron runs are whole minutes).
    static func format(_ nanos: Int64, in zone: TimeZone) -> String {
        let seconds = CivilTime.floorDivide(Int(nanos), 1_000_000_000)
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let wall = CivilTime(wall: seconds + offset)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(wall.year)-\(two(wall.month))-\(two(wall.day))T\(two(wall.hour)):\(two(wall.minute))\(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }

    /// The next runs of `expression` after `from`, formatted in the zone.
    static func runs(
        _ expression: String, dialect: CronDayFieldDialect = .vixie, in zone: TimeZone, from: String, count: Int
    ) throws -> [String] {
        let cron = try CronExpression(expression, dialect: dialect)
        return cron.nextRuns(after: parse(from), in: zone, count: count).map { format($0, in: zone) }
    }
}

/// A zone the tests need; fails the test when Foundation does not know it.
func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier), "Foundation does not know \(identifier)")
}
