import Testing

@testable import BrainServer

/// The tick's view of ingestion: memory is given back once, when a burst ends and nothing
/// is in flight, and the rate covers the last five seconds.
struct IngestMeterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Events handled so far at each tick, and whether a write or snapshot is in flight.
        var ticks: [(events: UInt64, busy: Bool)]
        /// The ticks (by index) that release memory.
        var releases: [Int]

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "replayed events are not a burst", ticks: [(100, false), (100, false)], releases: []),
        Case(name: "a tick with no events after some releases once", ticks: [(110, false), (120, false), (120, false), (120, false)], releases: [2]),
        Case(name: "not while anything is in flight, but once it ends", ticks: [(110, false), (110, true), (110, false), (110, false)], releases: [2]),
        Case(name: "under load nothing is released", ticks: [(110, false), (120, false), (130, false)], releases: []),
        Case(name: "each burst gets its own release", ticks: [(110, false), (110, false), (150, false), (150, false)], releases: [1, 3]),
    ]

    @Test(arguments: cases)
    func memoryIsReleasedWhenTheTableSays(_ testCase: Case) {
        var meter = IngestMeter(events: 100)
        var releases: [Int] = []
        for (index, tick) in testCase.ticks.enumerated() where meter.tick(now: Int64(index) * 1_000_000_000, events: tick.events, busy: tick.busy) {
            releases.append(index)
        }
        #expect(releases == testCase.releases)
    }

    @Test func theRateCoversTheLastFiveSeconds() {
        var meter = IngestMeter(events: 0)
        #expect(meter.eventsPerSecond == 0)
        // 1,000 events a second for ten seconds, then 3,000 a second for five.
        var events: UInt64 = 0
        for second in 0...15 {
            _ = meter.tick(now: Int64(second) * 1_000_000_000, events: events, busy: false)
            events += second < 10 ? 1_000 : 3_000
        }
        #expect(meter.eventsPerSecond > 2_500 && meter.eventsPerSecond <= 3_000, "\(meter.eventsPerSecond)")
    }
}
