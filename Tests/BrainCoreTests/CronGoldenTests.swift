import Foundation
import Testing

@testable import BrainCore

/// One golden case from cronsim: an expression, a zone and a start, with cronsim's next runs or its refusal.
struct CronGoldenCase: Sendable {
    let expression: String
    let zone: String
    /// Unix seconds.
    let start: Int
    /// cronsim's next runs in Unix seconds, nil when cronsim refused the expression.
    let runs: [Int]?
    /// cronsim's message when it refused the expression.
    let error: String?

    var label: String { "\"\(expression)\" in \(zone) from \(start)" }
}

/// The fixture written by scripts/make-cron-vectors.py, read once.
enum CronGoldenVectors {
    struct Fixture: Sendable {
        var header: [String: String] = [:]
        var cases: [CronGoldenCase] = []
        var problem: String?
    }

    static let fixture: Fixture = load()

    private static func load() -> Fixture {
        var fixture = Fixture()
        guard let url = Bundle.module.url(forResource: "cron-vectors", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url),
            let top = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let cases = top["cases"] as? [[Any]]
        else {
            fixture.problem = "Fixtures/cron-vectors.json is missing or not the JSON scripts/make-cron-vectors.py writes"
            return fixture
        }
        for (key, value) in top where key != "cases" { fixture.header[key] = "\(value)" }
        for row in cases {
            guard row.count == 4, let expression = row[0] as? String, let zone = row[1] as? String, let start = row[2] as? Int else {
                fixture.problem = "a case is not [expression, zone, start, runs]: \(row)"
                return fixture
            }
            fixture.cases.append(
                CronGoldenCase(expression: expression, zone: zone, start: start, runs: row[3] as? [Int], error: row[3] as? String))
        }
        return fixture
    }

    /// The zone of a case; the fixture only names zones Foundation knows.
    static func timeZone(_ name: String, cache: inout [String: TimeZone]) -> TimeZone? {
        if let known = cache[name] { return known }
        let zone = TimeZone(identifier: name)
        cache[name] = zone
        return zone
    }
}

@Suite("Cron golden vectors from cronsim")
struct CronGoldenTests {
    let fixture = CronGoldenVectors.fixture

    @Test("the fixture has at least 10,000 cases over at least 20 zones, the named ones among them")
    func fixtureCoverage() throws {
        #expect(fixture.problem == nil, "\(fixture.problem ?? "")")
        #expect(fixture.cases.count >= 10_000)
        let zones = Set(fixture.cases.map(\.zone))
        #expect(zones.count >= 20)
        for required in ["Europe/Riga", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"] {
            #expect(zones.contains(required), "missing \(required)")
        }
        #expect(fixture.cases.filter { ($0.runs?.count ?? 0) == 5 }.count >= 10_000)
    }

    /// The walk, cronsim's algorithm in Swift, gives cronsim's runs exactly, including runs that precede the start.
    @Test("Brain's walk gives cronsim's runs on every golden case")
    func walkAgreesWithCronsim() throws {
        var zones: [String: TimeZone] = [:]
        var mismatches: [String] = []
        var checked = 0
        for golden in fixture.cases {
            guard let expected = golden.runs else { continue }
            guard let timeZone = CronGoldenVectors.timeZone(golden.zone, cache: &zones) else {
                mismatches.append("\(golden.label): Foundation does not know the zone")
                continue
            }
            let cron: CronExpression
            do {
                cron = try CronExpression(golden.expression)
            } catch {
                mismatches.append("\(golden.label): refused (\(error)), cronsim runs it")
                continue
            }
            var walk = CronWalk(cron, zone: ZoneClock(timeZone: timeZone), start: golden.start)
            var actual: [Int] = []
            while actual.count < 5, let run = walk.next() { actual.append(run) }
            if actual != expected { mismatches.append("\(golden.label): cronsim \(expected), Brain \(actual)") }
            checked += 1
        }
        #expect(checked >= 10_000)
        #expect(mismatches.isEmpty, "\(mismatches.count) disagreements, first: \(mismatches.prefix(20).joined(separator: "\n"))")
    }

    /// The public API is cronsim's runs less the documented exception: a run at or before the start is not a next run.
    @Test("nextRuns is cronsim's runs strictly after the start")
    func nextRunsAgreeAfterTheStart() throws {
        var zones: [String: TimeZone] = [:]
        var mismatches: [String] = []
        var casesWithEarlyRuns = 0
        for golden in fixture.cases {
            guard let expected = golden.runs, let timeZone = CronGoldenVectors.timeZone(golden.zone, cache: &zones),
                let cron = try? CronExpression(golden.expression)
            else { continue }
            let after = Int64(golden.start) * 1_000_000_000
            let later = expected.map { Int64($0) * 1_000_000_000 }.filter { $0 > after }
            if later.count < expected.count { casesWithEarlyRuns += 1 }
            let actual = cron.nextRuns(after: after, in: timeZone, count: later.count)
            if actual != later { mismatches.append("\(golden.label): cronsim after the start \(later), Brain \(actual)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) disagreements, first: \(mismatches.prefix(20).joined(separator: "\n"))")
        // The exception is real and rare: fixed-time jobs started in the second pass of a repeated hour.
        #expect(casesWithEarlyRuns > 0)
        #expect(casesWithEarlyRuns < fixture.cases.count / 50)
    }

    @Test("Brain refuses what cronsim refuses")
    func refusesWhatCronsimRefuses() {
        let refused = fixture.cases.filter { $0.error != nil }
        #expect(refused.count >= 25)
        for golden in refused {
            #expect(throws: ScheduleExpressionError.self, "\(golden.label): cronsim says \(golden.error ?? "")") {
                try CronExpression(golden.expression)
            }
        }
    }

    /// Where the vixie dialect makes both day fields match (a field starts with `*`), the celery dialect must give
    /// the same runs: both are AND there. This checks the celery dialect against the oracle on those cases.
    @Test("the celery dialect agrees with cronsim wherever Vixie's days are AND")
    func celeryAgreesWhereVixieIsAnd() throws {
        var zones: [String: TimeZone] = [:]
        var compared = 0
        for golden in fixture.cases {
            guard let expected = golden.runs, let timeZone = CronGoldenVectors.timeZone(golden.zone, cache: &zones),
                let vixie = try? CronExpression(golden.expression), vixie.daysMatchBoth
            else { continue }
            let celery = try CronExpression(golden.expression, dialect: .celery)
            var walk = CronWalk(celery, zone: ZoneClock(timeZone: timeZone), start: golden.start)
            var actual: [Int] = []
            while actual.count < 5, let run = walk.next() { actual.append(run) }
            #expect(actual == expected, "\(golden.label)")
            compared += 1
        }
        #expect(compared >= 5_000)
    }
}
