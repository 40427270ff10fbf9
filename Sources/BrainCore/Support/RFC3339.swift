#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unix-nanosecond times as RFC 3339 text in UTC, for messages people read.
package enum RFC3339 {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-21T14:23:11.042Z`.
    package static func format(_ nanos: Int64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        let millis = Int((nanos % 1_000_000_000) / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}
