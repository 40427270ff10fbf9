/// One page of ``BrainState/listSchedules(_:)``: soonest next run first, schedules with no
/// next run last.
package struct SchedulePage: Hashable, Sendable {
    package var schedules: [ScheduleRecord]
    /// The cursor of the next page; "" when no matching schedule follows.
    package var nextCursor: String

    package init(schedules: [ScheduleRecord], nextCursor: String) {
        self.schedules = schedules
        self.nextCursor = nextCursor
    }
}
