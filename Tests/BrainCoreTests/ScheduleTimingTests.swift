import Foundation
import Testing

@testable import BrainCore

/// Interval durations and date instants as schedules write them.
@Suite("Schedule timing")
struct ScheduleTimingTests {
    @Test(
        arguments: [
            ("30", Int64(30_000_000_000)), ("2.5", 2_500_000_000), ("0.000000001", 1), ("86400", 86_400_000_000_000), ("1.", nil), (".5", nil),
            ("-1", nil), ("1e3", nil), ("", nil), ("0.0000000001", nil), ("99999999999999", nil), (" 30", nil),
        ] as [(String, Int64?)])
    func intervalSeconds(_ text: String, _ nanos: Int64?) {
        #expect(ScheduleTiming.seconds(text) == nanos)
    }

    @Test(
        arguments: [
            ("1970-01-01T00:00:00Z", Int64(0)), ("2026-11-30T09:00:00Z", 1_796_029_200_000_000_000),
            ("2026-11-30t11:00:00+02:00", 1_796_029_200_000_000_000), ("2026-11-30 04:00:00-05:00", 1_796_029_200_000_000_000),
            ("2026-11-30T09:00:00.25Z", 1_796_029_200_250_000_000), ("2026-11-30T09:00:00.123456789123Z", 1_796_029_200_123_456_789),
            ("2026-02-30T09:00:00Z", nil), ("2026-11-30T24:00:00Z", nil), ("2026-11-30T09:00:00", nil), ("2026-11-30", nil),
            ("2026-11-30T09:00:00Zjunk", nil), ("2026-11-30T09:00:00.Z", nil),
        ] as [(String, Int64?)])
    func rfc3339(_ text: String, _ nanos: Int64?) {
        #expect(RFC3339.parse(text) == nanos)
    }

    @Test func aParsedInstantFormatsBack() {
        let text = "2026-11-30T09:00:00.042Z"
        #expect(RFC3339.format(RFC3339.parse(text) ?? 0) == text)
    }
}
