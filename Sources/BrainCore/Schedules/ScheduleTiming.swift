import Foundation

/// A schedule's expression, compiled once when the schedule is reported (not at every next-run
/// computation: a time-zone change recomputes every schedule of a project).
package enum ScheduleTiming: Hashable, Sendable {
    case cron(CronExpression)
    /// Every so many nanoseconds; the anchor is the schedule's last run (``ScheduleRecord``).
    case every(nanos: Int64)
    /// Once, at an instant (Unix nanoseconds).
    case at(Int64)

    /// Compiles an expression of `type`, or says why it cannot be: the expression's error, or
    /// that the type is not one the brain predicts.
    package static func compile(type: ScheduleType, expression: String, dialect: CronDayFieldDialect) -> Result<ScheduleTiming, ScheduleExpressionError> {
        switch type {
        case .cron:
            do {
                return .success(.cron(try CronExpression(expression, dialect: dialect)))
            } catch {
                return .failure(error)
            }
        case .interval:
            guard let nanos = Self.seconds(expression), nanos > 0 else {
                return .failure(
                    ScheduleExpressionError(.badInterval, "interval \"\(expression)\" is not a positive number of seconds (like 30 or 2.5)"))
            }
            return .success(.every(nanos: nanos))
        case .date:
            guard let instant = RFC3339.parse(expression) else {
                return .failure(
                    ScheduleExpressionError(.badValue, "date \"\(expression)\" is not an RFC 3339 instant (like 2026-11-30T09:00:00Z)"))
            }
            return .success(.at(instant))
        case .unsupported:
            return .failure(
                ScheduleExpressionError(.unsupported, "the scheduler's type for this schedule is not one the brain can predict; it has no next run"))
        }
    }

    /// The first run strictly after `after`, or `nil` when there is none. `anchor` is the
    /// interval's phase (a run instant); `timeZone` is the project's.
    package func nextRun(after: Int64, anchor: Int64, in timeZone: TimeZone) -> Int64? {
        nextRuns(after: after, anchor: anchor, in: timeZone, count: 1).first
    }

    /// The next `count` runs strictly after `after`, ascending.
    package func nextRuns(after: Int64, anchor: Int64, in timeZone: TimeZone, count: Int) -> [Int64] {
        switch self {
        case .cron(let cron):
            return cron.nextRuns(after: after, in: timeZone, count: count)
        case .every(let nanos):
            guard let interval = try? ScheduleInterval(everyNanos: nanos, anchorUnixNanos: anchor) else { return [] }
            return interval.nextRuns(after: after, count: count)
        case .at(let instant):
            return count > 0 && instant > after ? [instant] : []
        }
    }

    /// A decimal number of seconds (`30`, `2.5`, up to nanoseconds) in nanoseconds; `nil` for
    /// anything else or a value past Int64.
    static func seconds(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 12, let seconds = Int64(whole) else {
            return nil
        }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCIIDigit), let value = Int64(digits) else { return nil }
            fraction = value
            for _ in digits.count..<9 { fraction *= 10 }
        }
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, past) = nanos.addingReportingOverflow(fraction)
        return past ? nil : total
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
