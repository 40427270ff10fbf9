import Foundation
import Testing

@testable import BrainCore

/// The two ways of combining the day fields: Vixie's OR (with Debian's `*` rule) and Celery's AND. cronsim only
/// knows Vixie's, so Celery's is checked here by hand and against a brute-force reference.
@Suite("Cron day-field dialects")
struct CronDialectTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let expression: String
        let dialect: CronDayFieldDialect
        let from: String
        let runs: [String]
        var testDescription: String { "\(expression) (\(dialect))" }
    }

    static let rows: [Row] = [
        // The man page's example: the 1st, the 15th and every Friday ...
        Row(
            expression: "30 4 1,15 * 5", dialect: .vixie, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-01T04:30+00:00", "2021-02-05T04:30+00:00", "2021-02-12T04:30+00:00", "2021-02-15T04:30+00:00", "2021-02-19T04:30+00:00"]),
        // ... and in Celery only a 1st or 15th that is a Friday.
        Row(
            expression: "30 4 1,15 * 5", dialect: .celery, from: "2021-02-01T00:00+00:00",
            runs: ["2021-10-01T04:30+00:00", "2021-10-15T04:30+00:00", "2022-04-01T04:30+00:00", "2022-04-15T04:30+00:00", "2022-07-01T04:30+00:00"]),
        // Every 13th and every Friday, or only Friday the 13th.
        Row(
            expression: "0 12 13 * FRI", dialect: .vixie, from: "2021-01-01T00:00+00:00",
            runs: ["2021-01-01T12:00+00:00", "2021-01-08T12:00+00:00", "2021-01-13T12:00+00:00", "2021-01-15T12:00+00:00", "2021-01-22T12:00+00:00"]),
        Row(
            expression: "0 12 13 * FRI", dialect: .celery, from: "2021-01-01T00:00+00:00",
            runs: ["2021-08-13T12:00+00:00", "2022-05-13T12:00+00:00", "2023-01-13T12:00+00:00", "2023-10-13T12:00+00:00", "2024-09-13T12:00+00:00"]),
        // Odd days or Mondays; written with a leading "*", Debian makes it odd days that are Mondays, as Celery does.
        Row(
            expression: "0 0 1-31/2 * 1", dialect: .vixie, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-03T00:00+00:00", "2021-02-05T00:00+00:00", "2021-02-07T00:00+00:00", "2021-02-08T00:00+00:00", "2021-02-09T00:00+00:00"]),
        Row(
            expression: "0 0 */2 * 1", dialect: .vixie, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-15T00:00+00:00", "2021-03-01T00:00+00:00", "2021-03-15T00:00+00:00", "2021-03-29T00:00+00:00", "2021-04-05T00:00+00:00"]),
        Row(
            expression: "0 0 1-31/2 * 1", dialect: .celery, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-15T00:00+00:00", "2021-03-01T00:00+00:00", "2021-03-15T00:00+00:00", "2021-03-29T00:00+00:00", "2021-04-05T00:00+00:00"]),
        // With one day field "*", both dialects agree.
        Row(
            expression: "0 6 1 * *", dialect: .celery, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-01T06:00+00:00", "2021-03-01T06:00+00:00"]),
        Row(
            expression: "0 6 * * SUN", dialect: .celery, from: "2021-02-01T00:00+00:00",
            runs: ["2021-02-07T06:00+00:00", "2021-02-14T06:00+00:00"]),
    ]

    @Test("hand-checked runs in both dialects", arguments: rows)
    func handChecked(_ row: Row) throws {
        #expect(try LocalTime.runs(row.expression, dialect: row.dialect, in: zone("UTC"), from: row.from, count: row.runs.count) == row.runs)
    }

    @Test("the dialect is recorded")
    func recorded() throws {
        #expect(try CronExpression("0 0 * * *").dialect == .vixie)
        #expect(try CronExpression("0 0 * * *", dialect: .celery).dialect == .celery)
        #expect(CronDayFieldDialect(rawValue: "celery") == .celery)
    }

    /// Random expressions in zones without offset changes, both dialects, against a reference that walks day by
    /// day and tries every hour and minute: the simplest possible reading of the fields.
    @Test("random expressions agree with a brute-force reference in both dialects")
    func bruteForce() throws {
        var random = SplitMix64(seed: 0x5EED_C0FF_EE00_0014)
        var compared = 0
        for zoneName in ["UTC", "Asia/Kathmandu", "Asia/Kolkata"] {
            let timeZone = try zone(zoneName)
            for _ in 0..<150 {
                let text = Self.randomExpression(&random)
                let after = Int64(random.next(below: 350_000_000) + 1_580_000_000) * 1_000_000_000 + Int64(random.next(below: 1000))
                let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(after / 1_000_000_000)))
                for dialect in CronDayFieldDialect.allCases {
                    guard let cron = try? CronExpression(text, dialect: dialect) else { continue }
                    let fields = text.split(separator: " ")
                    let both = dialect == .celery || fields[2].hasPrefix("*") || fields[4].hasPrefix("*")
                    let expected = Self.reference(cron, both: both, offset: offset, after: after, count: 5)
                    #expect(cron.nextRuns(after: after, in: timeZone, count: 5) == expected, "\(text) (\(dialect)) in \(zoneName) after \(after)")
                    compared += 1
                }
            }
        }
        #expect(compared > 700)
    }

    /// Runs of `cron` in a zone of constant `offset`: every day, every hour, every minute, in order.
    static func reference(_ cron: CronExpression, both: Bool, offset: Int, after: Int64, count: Int) -> [Int64] {
        func has(_ bits: UInt64, _ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }
        let start = CivilTime.floorDivide(Int(after), 1_000_000_000)
        var runs: [Int64] = []
        var day = CivilTime.floorDivide(start + offset, 86_400)
        for _ in 0..<(366 * 45) {
            let date = CivilTime.date(days: day)
            let weekday = CivilTime.weekday(days: day)
            let dayOfMonth = has(cron.daysOfMonth, date.day)
            let dayOfWeek = has(cron.daysOfWeek, weekday) || (weekday == 0 && has(cron.daysOfWeek, 7))
            if has(cron.months, date.month), both ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek {
                for hour in 0..<24 where has(cron.hours, hour) {
                    for minute in 0..<60 where has(cron.minutes, minute) {
                        let instant = day * 86_400 + hour * 3600 + minute * 60 - offset
                        guard instant > start else { continue }
                        runs.append(Int64(instant) * 1_000_000_000)
                        if runs.count == count { return runs }
                    }
                }
            }
            day += 1
        }
        return runs
    }

    static func randomExpression(_ random: inout SplitMix64) -> String {
        func atom(_ low: Int, _ high: Int) -> String {
            let a = low + random.next(below: high - low + 1)
            let b = a + random.next(below: high - a + 1)
            switch random.next(below: 6) {
            case 0: return "*/\(1 + random.next(below: 12))"
            case 1: return "\(a)-\(b)"
            case 2: return "\(a)-\(b)/\(1 + random.next(below: 5))"
            case 3: return "\(a)/\(1 + random.next(below: 9))"
            default: return "\(a)"
            }
        }
        func field(_ low: Int, _ high: Int, star: Int) -> String {
            if random.next(below: 100) < star { return "*" }
            return (0...random.next(below: 2)).map { _ in atom(low, high) }.joined(separator: ",")
        }
        return [field(0, 59, star: 20), field(0, 23, star: 20), field(1, 31, star: 40), field(1, 12, star: 60), field(0, 7, star: 40)]
            .joined(separator: " ")
    }
}

/// A small seeded generator, so random tests repeat exactly.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<bound.
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
