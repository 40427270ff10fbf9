/// Proleptic Gregorian arithmetic on wall-clock seconds: seconds since 1970-01-01T00:00 *local*, the way a clock
/// on the wall counts, with no time zone in it. The time zone only enters when a wall time becomes an instant
/// (`ZoneClock`); days, months and weekdays need no time zone, so they are plain arithmetic (Howard Hinnant's
/// `days_from_civil` and `civil_from_days`), which keeps the cron search fast.
struct CivilTime: Hashable, Sendable {
    let year: Int
    /// 1...12.
    let month: Int
    /// 1...31.
    let day: Int
    /// 0...23.
    let hour: Int
    /// 0...59.
    let minute: Int
    /// 0...59.
    let second: Int

    static let secondsPerDay = 86_400

    /// The fields of a wall time.
    init(wall: Int) {
        let days = Self.floorDivide(wall, Self.secondsPerDay)
        let ofDay = wall - days * Self.secondsPerDay
        (year, month, day) = Self.date(days: days)
        hour = ofDay / 3600
        minute = ofDay % 3600 / 60
        second = ofDay % 60
    }

    /// Days since 1970-01-01 of a date; `month` 1...12.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = floorDivide(shifted, 400)
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day number (days since 1970-01-01).
    static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The weekday of a day number: 0 is Sunday ... 6 is Saturday (1970-01-01 was a Thursday).
    static func weekday(days: Int) -> Int {
        let remainder = (days + 4) % 7
        return remainder < 0 ? remainder + 7 : remainder
    }

    /// Division rounding toward negative infinity, so times before 1970 fall into the right day.
    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor != 0 && (value < 0) != (divisor < 0) ? quotient - 1 : quotient
    }
}
