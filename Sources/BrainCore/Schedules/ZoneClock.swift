import Foundation

/// Wall times and instants in one time zone, from Foundation's `TimeZone` (the system tz database): no offsets
/// are written down here, only asked for.
///
/// It answers the two questions Python's `zoneinfo` answers under PEP 495, because cronsim's results depend on
/// them: which instant a wall time is (a repeated wall time has two, told apart by `fold`; a skipped one has none,
/// and is read with the offset before the change when `fold` is false and after it when true), and which wall
/// time an instant is, with `fold` true in the second pass of a repeated stretch.
///
/// It assumes an offset changes at most once within a day either side of the time asked about, which holds for
/// every zone in the tz database since 1970.
struct ZoneClock: Sendable {
    let timeZone: TimeZone

    /// The zone's offset from UTC at an instant (Unix seconds), in seconds.
    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The wall time of an instant, and whether it is the second pass of a repeated wall time.
    func wall(at instant: Int) -> (wall: Int, fold: Bool) {
        let current = offset(at: instant)
        let wall = instant + current
        let earlier = offset(at: instant - CivilTime.secondsPerDay)
        // After a fall-back the same wall time was also shown, with the earlier offset, by an earlier instant.
        let fold = earlier > current && offset(at: wall - earlier) == earlier
        return (wall, fold)
    }

    /// The instant of a wall time; `fold` picks the second of two, or the offset after the change for a skipped one.
    func instant(wall: Int, fold: Bool) -> Int {
        let before = offset(at: wall - CivilTime.secondsPerDay)
        let after = offset(at: wall + CivilTime.secondsPerDay)
        if before == after { return wall - before }
        let asBefore = offset(at: wall - before) == before
        let asAfter = offset(at: wall - after) == after
        switch (asBefore, asAfter) {
        case (true, false): return wall - before
        case (false, true): return wall - after
        default: return fold ? wall - after : wall - before  // repeated (both) or skipped (neither)
        }
    }

    /// Whether a wall time falls in a stretch the clock skips (spring forward).
    func isSkipped(wall: Int) -> Bool {
        self.wall(at: instant(wall: wall, fold: false)).wall != wall
    }
}
