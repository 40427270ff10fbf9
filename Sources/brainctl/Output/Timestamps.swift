#if canImport(Glibc)
    import Glibc
#endif

/// Formats Unix-nanosecond times for people and scripts.
enum Timestamps {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-21T14:23:11.042Z`.
    static func rfc3339(_ nanos: Int64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        let millis = Int((nanos % 1_000_000_000) / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }

    /// "3s ago", "5m ago", or "-" when unset.
    static func ago(_ nanos: Int64, now: Int64) -> String {
        guard nanos != 0 else { return "-" }
        let seconds = max(0, (now - nanos) / 1_000_000_000)
        if seconds < 120 { return "\(seconds)s ago" }
        if seconds < 7_200 { return "\(seconds / 60)m ago" }
        if seconds < 172_800 { return "\(seconds / 3_600)h ago" }
        return "\(seconds / 86_400)d ago"
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
