import Foundation
import Testing

@testable import BrainCore

/// ``BrainState/recomputeNextRuns(project:now:)``, the path a time-zone change takes (its speed
/// is measured by the benchmarks, not here): every schedule of the project gets the run its
/// expression gives in the new zone, and no other project's moves.
@Suite("Next runs after a time-zone change")
struct ScheduleRecomputeTests {
    static let expressions = ["0 3 * * *", "*/15 * * * *", "30 2 * * 0", "0 0 1 * *", "45 23 * * 1-5", "@hourly", "0 12 15 6 *", "5 4 * * SUN"]

    @Test func everyScheduleOfTheProjectGetsItsExpressionsRunInTheNewZone() throws {
        var harness = Harness()
        let now = instant("2026-03-27T21:30:00Z")
        for index in 0..<2_000 {
            let expression = Self.expressions[index % Self.expressions.count]
            if index % 10 == 9 {
                harness.schedule("s\(index)", "\(60 + index)", type: .interval, now: now)
            } else {
                harness.schedule("s\(index)", expression, now: now)
            }
        }
        let elsewhere = harness.addAgent("elsewhere", project: "other")
        harness.schedule("o", "0 3 * * *", as: elsewhere, now: now)
        let before = harness.state.schedules.filter { $0.project == "proj" }
        let later = now + Time.seconds(90)
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings(timeZone: "Europe/Riga")), now: later)
        let zone = try #require(TimeZone(identifier: "Europe/Riga"))
        var moved = 0
        for record in harness.state.schedules where record.project == "proj" {
            let expected: Int64
            switch try #require(record.timing) {
            case .cron(let cron): expected = cron.nextRun(after: later, in: zone) ?? 0
            case .every(let nanos): expected = try ScheduleInterval(everyNanos: nanos, anchorUnixNanos: record.createdAt).nextRuns(after: later, count: 1)[0]
            case .at: expected = 0
            }
            #expect(record.nextRunAt == expected, "\(record.name) \(record.expression)")
            if before.first(where: { $0.name == record.name })?.nextRunAt != expected { moved += 1 }
        }
        #expect(moved > 1_000)
        #expect(harness.scheduled("o", project: "other")?.nextRunAt == instant("2026-03-28T03:00:00Z"))
        // Nothing to move: the same zone again, at the same time.
        #expect(harness.state.recomputeNextRuns(project: "proj", now: later) == 0)
        #expect(harness.state.recomputeNextRuns(project: "nobody", now: later) == 0)
    }
}
