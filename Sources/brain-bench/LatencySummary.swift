import Histogram

/// The percentiles reported for a latency histogram recorded in microseconds.
struct LatencySummary: Sendable {
    var count: UInt64
    var p50: UInt64
    var p99: UInt64
    var p999: UInt64
    var max: UInt64

    init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        p50 = histogram.valueAtPercentile(50)
        p99 = histogram.valueAtPercentile(99)
        p999 = histogram.valueAtPercentile(99.9)
        self.max = histogram.max
    }

    var json: JSONOut {
        .object([("p50", .int(Int(p50))), ("p99", .int(Int(p99))), ("p999", .int(Int(p999)))])
    }

    var text: String {
        "p50 \(Format.micros(p50))  p99 \(Format.micros(p99))  p99.9 \(Format.micros(p999))  max \(Format.micros(max))"
    }

    /// A histogram for microsecond latencies up to an hour, growing past that if needed.
    static func makeHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }
}
