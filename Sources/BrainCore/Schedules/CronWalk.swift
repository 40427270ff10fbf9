/// Walks a cron expression's runs forward from a start instant in one time zone, under Vixie/Debian cron's
/// daylight-saving policy, step for step as cronsim (the oracle of Brain's golden vectors) does.
///
/// ## The DST policy
///
/// - **Fixed-time jobs**: the expression's minute and hour fields both do not start with `*` (`30 2 * * *`,
///   `0 1-5 * * *`, `@daily`). Their times are wall-clock times, searched without regard to offsets:
///   - a time the clock skips (spring forward) runs at the first minute that exists after it, which is the
///     instant of the change; several skipped times of one job run once there;
///   - a time the clock shows twice (fall back) runs once, at its first occurrence.
/// - **Wall-clock jobs**: the minute or the hour field starts with `*` (`*/15 * * * *`, `0 */2 * * *`,
///   `@hourly`). They follow the clock as it is shown: a skipped minute never runs, a repeated minute runs twice.
///
/// This is the rule of Debian's cron daemon (`man 8 cron`: jobs "that run at a specific time and jobs that run
/// with a granularity greater than one hour" get the special handling), as cronsim reads it: "fixed" is decided by
/// the text of the minute and hour fields, so `0-59 0-23 * * *` is a fixed-time job. In a zone without offset
/// changes, UTC included, both kinds give the same runs.
///
/// The walk keeps cronsim's state: a wall time, plus (for wall-clock jobs) the PEP 495 `fold` that says which of
/// two repeated wall times it is. Its moves are cronsim's `advance_*` methods; where a move lands on a skipped or
/// repeated wall time, the result is what Python's `datetime` gives there, and so what cronsim gives.
struct CronWalk {
    private let cron: CronExpression
    private let zone: ZoneClock
    /// Day-of-week matches with 7 folded onto 0, both being Sunday.
    private let weekdays: UInt64
    /// Fixed-time jobs move on the naive wall clock; wall-clock jobs move in real time (through UTC).
    private let naive: Bool
    private var wall: Int
    private var fold: Bool
    private var exhausted = false

    /// cronsim gives up when a search passes this many years without a match (a 29 February that must also be a
    /// Monday can be decades away; an impossible day is refused when parsing).
    static let searchYears = 50

    /// A walk from `start` (Unix seconds, already truncated to whole seconds).
    init(_ cron: CronExpression, zone: ZoneClock, start: Int) {
        self.cron = cron
        self.zone = zone
        weekdays = cron.daysOfWeek & (1 << 7) != 0 ? cron.daysOfWeek | 1 : cron.daysOfWeek
        naive = cron.isFixedTime
        let (wall, fold) = zone.wall(at: start)
        self.wall = wall
        // A fixed-time job forgets which pass of a repeated hour its start was in: it only has wall times.
        self.fold = naive ? false : fold
    }

    /// The next run as cronsim computes it (Unix seconds), or nil once a search has found nothing for 50 years.
    ///
    /// This can be at or before the start when the start lies in the second pass of a repeated hour and the job is
    /// a fixed-time job due later in that hour: the wall time's first occurrence has passed already. The public
    /// API drops such runs (see `CronExpression.nextRuns`).
    mutating func next() -> Int? {
        guard !exhausted else { return nil }
        tick(1)
        guard advance() else {
            exhausted = true
            return nil
        }
        guard naive else { return zone.instant(wall: wall, fold: fold) }
        // A fixed time the clock skipped runs at the first minute that exists after it: the change itself.
        while zone.isSkipped(wall: wall) { wall += 60 }
        return zone.instant(wall: wall, fold: false)
    }

    // MARK: cronsim's moves

    /// Moves by `seconds`: along the wall clock for fixed-time jobs, in real time for wall-clock ones.
    private mutating func tick(_ seconds: Int) {
        if naive {
            wall += seconds
        } else {
            (wall, fold) = zone.wall(at: zone.instant(wall: wall, fold: fold) + seconds)
        }
    }

    /// Sets the wall time to the start of a day, as Python's `datetime.combine` does (fold 0).
    private mutating func startOfDay(_ days: Int) {
        wall = days * CivilTime.secondsPerDay
        fold = false
    }

    private mutating func advance() -> Bool {
        let startYear = CivilTime(wall: wall).year
        while true {
            advanceMonth()
            if CivilTime(wall: wall).year > startYear + Self.searchYears { return false }
            if advanceDay() { continue }
            if advanceHour() { continue }
            if advanceMinute() { continue }
            if advanceSecond() { continue }
            return true
        }
    }

    private mutating func advanceMonth() {
        let now = CivilTime(wall: wall)
        guard !Self.has(cron.months, now.month) else { return }
        var (year, month) = (now.year, now.month)
        repeat {
            month += 1
            if month > 12 { (year, month) = (year + 1, 1) }
        } while !Self.has(cron.months, month)
        startOfDay(CivilTime.days(year: year, month: month, day: 1))
    }

    private mutating func advanceDay() -> Bool {
        var days = CivilTime.floorDivide(wall, CivilTime.secondsPerDay)
        guard !matchesDay(days) else { return false }
        while !matchesDay(days) {
            days += 1
            // A new month: back to the month check, which skips months that cannot match.
            if CivilTime.date(days: days).day == 1 { break }
        }
        startOfDay(days)
        return true
    }

    private mutating func advanceHour() -> Bool {
        guard !Self.has(cron.hours, CivilTime(wall: wall).hour) else { return false }
        wall -= wall - CivilTime.floorDivide(wall, 3600) * 3600  // minute and second to 0, fold kept
        while !Self.has(cron.hours, CivilTime(wall: wall).hour) {
            tick(3600)
            if CivilTime(wall: wall).hour == 0 { break }  // a new day: back to the day check
        }
        return true
    }

    private mutating func advanceMinute() -> Bool {
        let now = CivilTime(wall: wall)
        guard !Self.has(cron.minutes, now.minute) else { return false }
        wall -= now.second
        if cron.minutes.nonzeroBitCount == 1 {
            // One minute to reach: jump there instead of stepping (cronsim's shortcut; the steps below still run
            // when an offset change of 30 or 45 minutes made the jump land elsewhere).
            let target = cron.minutes.trailingZeroBitCount
            tick(((target - now.minute) % 60 + 60) % 60 * 60)
        }
        while !Self.has(cron.minutes, CivilTime(wall: wall).minute) {
            tick(60)
            if CivilTime(wall: wall).minute == 0 { break }  // a new hour: back to the hour check
        }
        return true
    }

    private mutating func advanceSecond() -> Bool {
        let second = CivilTime(wall: wall).second
        guard second != 0 else { return false }
        tick(60 - second)
        while CivilTime(wall: wall).second != 0 { tick(1) }
        return true
    }

    private func matchesDay(_ days: Int) -> Bool {
        let dayOfMonth = Self.has(cron.daysOfMonth, CivilTime.date(days: days).day)
        let dayOfWeek = Self.has(weekdays, CivilTime.weekday(days: days))
        return cron.daysMatchBoth ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek
    }

    private static func has(_ values: UInt64, _ value: Int) -> Bool {
        values & (1 << UInt64(value)) != 0
    }
}
