import Foundation

/// A five-field cron expression (minute, hour, day of month, month, day of week), parsed and ready to give its
/// next runs in any time zone.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n`, `a-b/n` and `a/n`, month names `JAN`-`DEC`
/// and weekday names `SUN`-`SAT` (any case); day of week 0 and 7 are both Sunday. The nicknames `@yearly`,
/// `@annually`, `@monthly`, `@weekly`, `@daily` and `@hourly` stand for their five fields. Anything else is
/// refused with a `ScheduleExpressionError` naming the part not understood: seconds fields, `@reboot`, `L`, `W`,
/// `#`, `?`, values out of range, empty items, steps of 0.
///
/// Next runs follow Vixie/Debian cron, daylight-saving time included, as cronsim computes them (see `CronWalk`
/// for the policy and docs/schedules.md for the proof).
package struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The expression as written.
    package let text: String
    /// How the day-of-month and day-of-week fields combine.
    package let dialect: CronDayFieldDialect
    /// The five fields as parsed: a nickname's expansion, otherwise the text split on whitespace.
    package let fields: [String]
    /// Whether a day must match both day fields (true) or either (false). Vixie: either, unless one of the
    /// fields starts with `*` (Debian's rule); Celery: always both.
    package let daysMatchBoth: Bool
    /// Whether the minute and hour fields both do not start with `*`: the job runs at set wall-clock times and
    /// gets Debian's daylight-saving handling (a skipped time runs at the change, a repeated one runs once).
    package let isFixedTime: Bool

    // Bit n set: value n matches.
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    /// Bits 0...7; 0 and 7 are both Sunday.
    let daysOfWeek: UInt64

    /// The nicknames and their five fields, as Vixie cron defines them.
    package static let nicknames: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses `text`, refusing what Brain cannot predict.
    package init(_ text: String, dialect: CronDayFieldDialect = .vixie) throws(ScheduleExpressionError) {
        self.text = text
        self.dialect = dialect
        let trimmed = text.split(whereSeparator: \.isWhitespace)
        guard let first = trimmed.first else {
            throw ScheduleExpressionError(.empty, "the cron expression is empty; it needs 5 fields: minute hour day-of-month month day-of-week")
        }
        var parts = trimmed
        if first.hasPrefix("@") {
            parts = try Self.expand(nickname: first, fieldCount: trimmed.count)
        }
        switch parts.count {
        case 5:
            break
        case 6, 7:
            throw ScheduleExpressionError(
                .secondsField,
                "\(parts.count) fields: a seconds field\(parts.count == 7 ? " and a year field are" : " is") not supported; "
                    + "write 5 fields: minute hour day-of-month month day-of-week"
            )
        default:
            throw ScheduleExpressionError(
                .fieldCount, "\(parts.count) field\(parts.count == 1 ? "" : "s"): a cron expression has 5: minute hour day-of-month month day-of-week"
            )
        }
        fields = parts.map(String.init)
        minutes = try CronFieldParser.parse(parts[0], as: .minute)
        hours = try CronFieldParser.parse(parts[1], as: .hour)
        daysOfMonth = try CronFieldParser.parse(parts[2], as: .dayOfMonth)
        months = try CronFieldParser.parse(parts[3], as: .month)
        daysOfWeek = try CronFieldParser.parse(parts[4], as: .dayOfWeek)
        daysMatchBoth = dialect == .celery || parts[2].hasPrefix("*") || parts[4].hasPrefix("*")
        isFixedTime = !parts[0].hasPrefix("*") && !parts[1].hasPrefix("*")
        if daysMatchBoth {
            try Self.refuseImpossibleDays(daysOfMonth, months: months, written: parts[2])
        }
    }

    /// The expression as written.
    package var description: String { text }

    /// The next `count` runs strictly after `after`, in `timeZone`, as Unix nanoseconds in ascending order.
    ///
    /// Fewer come back past the year 2262, where Unix nanoseconds end, or when a search finds no run for 50 years
    /// (cronsim's limit, kept as a safety net: a 29 February that must also be a Monday is at most 40 years away,
    /// and day-of-month/month pairs that never meet are refused when parsing).
    package func nextRuns(after: Int64, in timeZone: TimeZone, count: Int) -> [Int64] {
        guard count > 0 else { return [] }
        var walk = CronWalk(self, zone: ZoneClock(timeZone: timeZone), start: CivilTime.floorDivide(Int(after), 1_000_000_000))
        var runs: [Int64] = []
        runs.reserveCapacity(min(count, 1024))
        while runs.count < count, let seconds = walk.next() {
            let (nanos, overflow) = Int64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
            if overflow { break }
            // cronsim can give a run at or before the start: a fixed-time job started in the second pass of a
            // repeated hour gets that hour's first pass, which has gone by. Debian cron does not run it again.
            if nanos <= after || nanos <= runs.last ?? Int64.min { continue }
            runs.append(nanos)
        }
        return runs
    }

    /// The first run strictly after `after`, or nil when there is none (see `nextRuns`).
    package func nextRun(after: Int64, in timeZone: TimeZone) -> Int64? {
        nextRuns(after: after, in: timeZone, count: 1).first
    }

    // MARK: Parsing helpers

    private static func expand(nickname: Substring, fieldCount: Int) throws(ScheduleExpressionError) -> [Substring] {
        let name = nickname.lowercased()
        if name == "@reboot" {
            throw ScheduleExpressionError(.reboot, "\"@reboot\" runs when the cron daemon starts, not at a time, so it has no next run")
        }
        guard let fields = nicknames[name] else {
            let known = nicknames.keys.sorted().joined(separator: ", ")
            throw ScheduleExpressionError(.nickname, "\"\(nickname)\" is not a nickname Brain knows; use one of \(known), or 5 fields")
        }
        guard fieldCount == 1 else {
            throw ScheduleExpressionError(.fieldCount, "\"\(nickname)\" stands for all 5 fields; nothing may follow it")
        }
        return fields.split(separator: " ")
    }

    /// cronsim's check: when both day fields must match, a day of month past the end of every chosen month (with
    /// February's 29) never comes, and the search would run for 50 years to find nothing.
    private static func refuseImpossibleDays(_ days: UInt64, months: UInt64, written: Substring) throws(ScheduleExpressionError) {
        let lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var longest = 0
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            longest = max(longest, lengths[month - 1])
        }
        let earliest = days.trailingZeroBitCount
        guard earliest > longest else { return }
        throw ScheduleExpressionError(
            .neverRuns,
            "\(CronField.dayOfMonth.subject(written)): no chosen month has a day \(earliest), and both day fields must match, so it never runs"
        )
    }
}
