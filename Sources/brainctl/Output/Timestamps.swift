import BrainCore

#if canImport(Glibc)
    import Glibc
#endif

/// Formats Unix-nanosecond times for people and scripts.
enum Timestamps {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-21T14:23:11.042Z` (BrainCore's format,
    /// so the times brainctl prints match the ones in the brain's messages).
    static func rfc3339(_ nanos: Int64) -> String { RFC3339.format(nanos) }

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
