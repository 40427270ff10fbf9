import Foundation
import Testing

@testable import BrainCore

/// The Riga 2021 table of the research (tasks-anchors.md §4.2), cronsim's `TestDstTransitions`: on 2021-03-28 the
/// clock jumps from 03:00+02 to 04:00+03; on 2021-10-31 it falls back from 04:00+03 to 03:00+02.
@Suite("Riga 2021: Debian cron's daylight-saving policy")
struct CronRigaTableTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let expression: String
        let from: String
        let runs: [String]
        var testDescription: String { "\(expression) from \(from)" }
    }

    static let springRows: [Row] = [
        // Fixed times in the skipped hour run at the change, 04:00+03.
        Row(expression: "0 3 * * *", from: "2021-03-28T00:00+02:00", runs: ["2021-03-28T04:00+03:00", "2021-03-29T03:00+03:00"]),
        Row(expression: "15 3 * * *", from: "2021-03-28T00:00+02:00", runs: ["2021-03-28T04:00+03:00", "2021-03-29T03:15+03:00"]),
        // Wall-clock jobs: the skipped 03:00 never runs.
        Row(expression: "0 * * * *", from: "2021-03-28T01:30+02:00", runs: ["2021-03-28T02:00+02:00", "2021-03-28T04:00+03:00", "2021-03-28T05:00+03:00"]),
        Row(expression: "* * * * *", from: "2021-03-28T02:58+02:00", runs: ["2021-03-28T02:59+02:00", "2021-03-28T04:00+03:00", "2021-03-28T04:01+03:00"]),
        Row(expression: "0 */2 * * *", from: "2021-03-28T01:30+02:00", runs: ["2021-03-28T02:00+02:00", "2021-03-28T04:00+03:00"]),
    ]

    static let autumnRows: [Row] = [
        // Fixed times in the repeated hour run once, in its first pass.
        Row(expression: "0 3 * * *", from: "2021-10-31T00:00+03:00", runs: ["2021-10-31T03:00+03:00", "2021-11-01T03:00+02:00"]),
        Row(expression: "15 3 * * *", from: "2021-10-31T00:00+03:00", runs: ["2021-10-31T03:15+03:00", "2021-11-01T03:15+02:00"]),
        // Wall-clock jobs run in both passes.
        Row(expression: "0 * * * *", from: "2021-10-31T02:30+03:00", runs: ["2021-10-31T03:00+03:00", "2021-10-31T03:00+02:00", "2021-10-31T04:00+02:00"]),
        Row(expression: "* * * * *", from: "2021-10-31T03:58+03:00", runs: ["2021-10-31T03:59+03:00", "2021-10-31T03:00+02:00", "2021-10-31T03:01+02:00"]),
        Row(expression: "0 */2 * * *", from: "2021-10-31T01:30+03:00", runs: ["2021-10-31T02:00+03:00", "2021-10-31T04:00+02:00"]),
        Row(expression: "0 */3 * * *", from: "2021-10-31T01:30+03:00", runs: ["2021-10-31T03:00+03:00", "2021-10-31T03:00+02:00", "2021-10-31T06:00+02:00"]),
        // A fixed hour range: no second 03:00.
        Row(expression: "0 1-5 * * *", from: "2021-10-31T01:30+03:00", runs: ["2021-10-31T02:00+03:00", "2021-10-31T03:00+03:00", "2021-10-31T04:00+02:00"]),
    ]

    @Test("spring forward, 2021-03-28", arguments: springRows)
    func springForward(_ row: Row) throws {
        #expect(try LocalTime.runs(row.expression, in: zone("Europe/Riga"), from: row.from, count: row.runs.count) == row.runs)
    }

    @Test("fall back, 2021-10-31", arguments: autumnRows)
    func fallBack(_ row: Row) throws {
        #expect(try LocalTime.runs(row.expression, in: zone("Europe/Riga"), from: row.from, count: row.runs.count) == row.runs)
    }
}
