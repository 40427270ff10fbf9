/// Ingestion as the engine's tick sees it: the recent events-per-second rate, and the moment
/// a burst ends (a tick with no events after some), when the engine gives back the memory
/// the burst left free. Pure: the tick hands it the clock and the event count.
struct IngestMeter {
    /// How far back the rate looks.
    static let windowNanos: Int64 = 5_000_000_000

    /// (time, events handled) at each tick within the window, plus the one before it.
    private var samples: [(at: Int64, events: UInt64)] = []
    /// Events handled as of the last tick and as of the last memory release.
    private var eventsAtLastTick: UInt64
    private var eventsAtRelease: UInt64

    /// - Parameter events: events handled so far. Replayed events are not a burst to give
    ///   memory back after: what recovery freed is resident and is where the next steps go,
    ///   without page faults.
    init(events: UInt64) {
        eventsAtLastTick = events
        eventsAtRelease = events
    }

    /// A tick.
    /// - Parameters:
    ///   - events: events handled so far.
    ///   - busy: a snapshot or journal write is in flight (they use the buffers still).
    /// - Returns: whether a burst just ended: give back what it left free. Under load
    ///   nothing is, so buffers are reused rather than allocated and faulted in again.
    mutating func tick(now: Int64, events: UInt64, busy: Bool) -> Bool {
        samples.append((now, events))
        let horizon = now - Self.windowNanos
        if let firstKept = samples.firstIndex(where: { $0.at >= horizon }), firstKept > 1 {
            samples.removeFirst(firstKept - 1)
        }
        defer { eventsAtLastTick = events }
        guard events == eventsAtLastTick, events != eventsAtRelease, !busy else { return false }
        eventsAtRelease = events
        return true
    }

    /// Events per second over the window.
    var eventsPerSecond: Double {
        guard let first = samples.first, let last = samples.last, last.at > first.at else { return 0 }
        return Double(last.events - first.events) / (Double(last.at - first.at) / 1e9)
    }
}
