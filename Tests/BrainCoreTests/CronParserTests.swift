import Foundation
import Testing

@testable import BrainCore

@Suite("Cron expressions: what is accepted, what is refused and why")
struct CronParserTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        let expression: String
        let dialect: CronDayFieldDialect
        let code: ScheduleExpressionError.Code
        let fragment: String
        init(_ expression: String, _ code: ScheduleExpressionError.Code, _ fragment: String, dialect: CronDayFieldDialect = .vixie) {
            self.expression = expression
            self.code = code
            self.fragment = fragment
            self.dialect = dialect
        }
        var testDescription: String { "\"\(expression)\" (\(dialect))" }
    }

    static let refusals: [Refusal] = [
        Refusal("", .empty, "the cron expression is empty"),
        Refusal("   ", .empty, "the cron expression is empty"),
        Refusal("0 0 * *", .fieldCount, "4 fields: a cron expression has 5"),
        Refusal("0 0 * * * * * *", .fieldCount, "8 fields"),
        Refusal("0 0 12 * * *", .secondsField, "6 fields: a seconds field is not supported"),
        Refusal("0 0 12 * * * 2030", .secondsField, "a seconds field and a year field are not supported"),
        Refusal("@reboot", .reboot, "\"@reboot\" runs when the cron daemon starts, not at a time"),
        Refusal("@midnight", .nickname, "\"@midnight\" is not a nickname Brain knows; use one of @annually, @daily"),
        Refusal("@every 5m", .nickname, "\"@every\" is not a nickname Brain knows"),
        Refusal("@daily 0", .fieldCount, "\"@daily\" stands for all 5 fields; nothing may follow it"),
        Refusal("0 0 L * *", .unsupported, "field 3 (day of month) \"L\": 'L' (last day of the month) is not supported"),
        Refusal("0 0 LW * *", .unsupported, "field 3 (day of month) \"LW\": 'LW' (last weekday of the month) is not supported"),
        Refusal("0 0 15W * *", .unsupported, "field 3 (day of month) \"15W\": 'W' (nearest weekday) is not supported"),
        Refusal("0 0 * * 5L", .unsupported, "field 5 (day of week) \"5L\": 'L' (last weekday of its kind in the month, as in 5L)"),
        Refusal("0 0 * * MON#2", .unsupported, "field 5 (day of week) \"MON#2\": '#' (nth weekday of the month) is not supported"),
        Refusal("0 0 * * 1#1,FRI", .unsupported, "'#' (nth weekday of the month) is not supported"),
        Refusal("0 0 ? * MON", .unsupported, "field 3 (day of month) \"?\": '?' (Quartz's \"no specific value\"; write *) is not supported"),
        Refusal("0 0 * * 8", .outOfRange, "field 5 (day of week) \"8\": 8 is out of range (0-7 or SUN-SAT, where 0 and 7 are Sunday)"),
        Refusal("60 * * * *", .outOfRange, "field 1 (minute) \"60\": 60 is out of range (0-59)"),
        Refusal("* 24 * * *", .outOfRange, "field 2 (hour) \"24\": 24 is out of range (0-23)"),
        Refusal("* * 0 * *", .outOfRange, "field 3 (day of month) \"0\": 0 is out of range (1-31)"),
        Refusal("* * 32 * *", .outOfRange, "field 3 (day of month) \"32\": 32 is out of range (1-31)"),
        Refusal("* * * 13 *", .outOfRange, "field 4 (month) \"13\": 13 is out of range (1-12 or JAN-DEC)"),
        Refusal("* * * 0 *", .outOfRange, "field 4 (month) \"0\": 0 is out of range"),
        Refusal("0-99999999999999999999 * * * *", .outOfRange, "99999999999999999999 is out of range (0-59)"),
        Refusal("1,,2 * * * *", .emptyItem, "field 1 (minute) \"1,,2\": empty item in a list"),
        Refusal("1, * * * *", .emptyItem, "field 1 (minute) \"1,\": empty item in a list"),
        Refusal("*/0 * * * *", .badStep, "field 1 (minute) \"*/0\": step 0; a step must be 1 or more"),
        Refusal("*/ * * * *", .badStep, "field 1 (minute) \"*/\": a step is missing after '/'"),
        Refusal("*/x * * * *", .badStep, "step \"x\" is not a number"),
        Refusal("*/2/3 * * * *", .badStep, "step \"2/3\" is not a number"),
        Refusal("5-1 * * * *", .badRange, "field 1 (minute) \"5-1\": range 5-1 runs backwards; ranges do not wrap around"),
        Refusal("* * * * FRI-MON", .badRange, "field 5 (day of week) \"FRI-MON\": range FRI-MON runs backwards"),
        Refusal("-5 * * * *", .badRange, "range \"-5\" needs a value at both ends"),
        Refusal("5- * * * *", .badRange, "range \"5-\" needs a value at both ends"),
        Refusal("1-2-3 * * * *", .badValue, "\"2-3\" is not a number"),
        Refusal("MON * * * *", .badValue, "field 1 (minute) \"MON\": \"MON\" is not a number"),
        Refusal("* * * FOO *", .badValue, "field 4 (month) \"FOO\": \"FOO\" is not a number or a month name"),
        Refusal("* * * * JAN", .badValue, "field 5 (day of week) \"JAN\": \"JAN\" is not a number or a weekday name"),
        Refusal("+5 * * * *", .badValue, "\"+5\" is not a number"),
        Refusal("H * * * *", .badValue, "\"H\" is not a number"),
        Refusal("** * * * *", .badValue, "\"**\" is not a number"),
        Refusal("0 0 30 2 *", .neverRuns, "field 3 (day of month) \"30\": no chosen month has a day 30, and both day fields must match"),
        Refusal("0 0 31 4,6,9,11 *", .neverRuns, "no chosen month has a day 31"),
        Refusal("0 0 30 2 MON", .neverRuns, "no chosen month has a day 30", dialect: .celery),
    ]

    @Test("refused forms, each with its code and a message naming the part", arguments: refusals)
    func refused(_ refusal: Refusal) {
        do {
            let cron = try CronExpression(refusal.expression, dialect: refusal.dialect)
            Issue.record("accepted as \(cron.fields)")
        } catch {
            #expect(error.code == refusal.code)
            #expect(error.message.contains(refusal.fragment), "message: \(error.message)")
            #expect(error.description == error.message)
        }
    }

    /// The bit set of values a field matches, as a sorted list.
    static func values(_ bits: UInt64) -> [Int] {
        (0..<64).filter { bits & (1 << UInt64($0)) != 0 }
    }

    @Test("fields: ranges, lists, steps, names in any case, weekday 7, and cronsim's step forms")
    func accepted() throws {
        let cron = try CronExpression("5/15 1-22/10,23 */10 jan-Mar,DEC mon-FRI,7")
        #expect(Self.values(cron.minutes) == [5, 20, 35, 50])
        #expect(Self.values(cron.hours) == [1, 11, 21, 23])
        #expect(Self.values(cron.daysOfMonth) == [1, 11, 21, 31])
        #expect(Self.values(cron.months) == [1, 2, 3, 12])
        #expect(Self.values(cron.daysOfWeek) == [1, 2, 3, 4, 5, 7])
        #expect(cron.fields == ["5/15", "1-22/10,23", "*/10", "jan-Mar,DEC", "mon-FRI,7"])
        #expect(cron.isFixedTime)
        #expect(cron.daysMatchBoth)  // the day of month starts with "*": Debian's AND

        // A step larger than the field keeps the first value; weekday steps run to 7 (Sunday).
        #expect(Self.values(try CronExpression("*/100 * * * *").minutes) == [0])
        #expect(Self.values(try CronExpression("0 0 * * 1/2").daysOfWeek) == [1, 3, 5, 7])
        #expect(Self.values(try CronExpression("0 0 * * */3").daysOfWeek) == [0, 3, 6])
        // cronsim reads a step over a one-value range like a step from that value.
        #expect(Self.values(try CronExpression("5-5/20 * * * *").minutes) == [5, 25, 45])
        // Whitespace of any kind separates fields.
        #expect(try CronExpression("  0\t12 * *   *  ").fields == ["0", "12", "*", "*", "*"])
    }

    @Test("weekday 7 and 0 are both Sunday")
    func sundayTwice() throws {
        let utc = try zone("UTC")
        let from = LocalTime.parse("2021-06-01T00:00+00:00")
        let seven = try CronExpression("0 9 * * 7").nextRuns(after: from, in: utc, count: 3)
        #expect(seven == (try CronExpression("0 9 * * 0").nextRuns(after: from, in: utc, count: 3)))
        #expect(seven == (try CronExpression("0 9 * * sun").nextRuns(after: from, in: utc, count: 3)))
        #expect(seven.map { LocalTime.format($0, in: utc) } == ["2021-06-06T09:00+00:00", "2021-06-13T09:00+00:00", "2021-06-20T09:00+00:00"])
    }

    @Test("which jobs get the fixed-time daylight-saving handling, and how the day fields combine")
    func kinds() throws {
        #expect(try CronExpression("30 2 * * *").isFixedTime)
        #expect(try CronExpression("0-59 0-23 * * *").isFixedTime)  // decided by the text, as Debian does
        #expect(try !CronExpression("*/15 2 * * *").isFixedTime)
        #expect(try !CronExpression("0 */2 * * *").isFixedTime)
        #expect(try !CronExpression("0 *,3 * * *").isFixedTime)
        #expect(try !CronExpression("30 4 1,15 * 5").daysMatchBoth)
        #expect(try CronExpression("30 4 1,15 * */2").daysMatchBoth)
        #expect(try CronExpression("30 4 * * 5").daysMatchBoth)
        #expect(try CronExpression("30 4 1,15 * 5", dialect: .celery).daysMatchBoth)
        // Vixie's OR lets a day no chosen month has stand beside a weekday.
        #expect(try !CronExpression("0 0 30 2 MON").daysMatchBoth)
    }

    struct Nickname: Sendable, CustomTestStringConvertible {
        let nickname: String
        let fields: String
        let runs: [String]
        var testDescription: String { nickname }
    }

    static let nicknames: [Nickname] = [
        Nickname(nickname: "@yearly", fields: "0 0 1 1 *", runs: ["2022-01-01T00:00+02:00", "2023-01-01T00:00+02:00"]),
        Nickname(nickname: "@annually", fields: "0 0 1 1 *", runs: ["2022-01-01T00:00+02:00", "2023-01-01T00:00+02:00"]),
        Nickname(nickname: "@monthly", fields: "0 0 1 * *", runs: ["2021-04-01T00:00+03:00", "2021-05-01T00:00+03:00"]),
        Nickname(nickname: "@weekly", fields: "0 0 * * 0", runs: ["2021-03-28T00:00+02:00", "2021-04-04T00:00+03:00"]),
        Nickname(nickname: "@daily", fields: "0 0 * * *", runs: ["2021-03-28T00:00+02:00", "2021-03-29T00:00+03:00"]),
        Nickname(nickname: "@hourly", fields: "0 * * * *", runs: ["2021-03-28T02:00+02:00", "2021-03-28T04:00+03:00"]),
    ]

    @Test("nicknames stand for their five fields", arguments: nicknames)
    func nickname(_ row: Nickname) throws {
        let cron = try CronExpression(row.nickname)
        #expect(cron.fields.joined(separator: " ") == row.fields)
        #expect(cron.text == row.nickname)
        #expect(try CronExpression(row.nickname.uppercased()).fields == cron.fields)
        let from = row.nickname == "@hourly" ? "2021-03-28T01:30+02:00" : "2021-03-27T12:00+02:00"
        #expect(try LocalTime.runs(row.nickname, in: zone("Europe/Riga"), from: from, count: 2) == row.runs)
    }
}
