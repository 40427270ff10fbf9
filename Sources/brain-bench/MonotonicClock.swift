import NIOCore

/// Monotonic nanoseconds for measurements (never the wall clock).
enum MonotonicClock {
    @inline(__always)
    static func now() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds
    }

    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        end > start ? Double(end - start) / 1e9 : 0
    }
}
