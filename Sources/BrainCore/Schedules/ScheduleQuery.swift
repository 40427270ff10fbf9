/// What ``BrainState/listSchedules(_:)`` lists: every filter left empty (or 0, or `nil`) matches all.
package struct ScheduleQuery: Hashable, Sendable {
    /// The project, by name.
    package var project = ""
    /// The agent that reported the schedule, by id or by name.
    package var agent = ""
    /// Only enabled (`true`) or only disabled (`false`) schedules.
    package var enabled: Bool?
    /// Only schedules whose next run is at or before this (Unix ns): "what runs in the next hour".
    package var dueBefore: Int64 = 0
    /// From a page's ``SchedulePage/nextCursor``; "" for the first page.
    package var cursor = ""
    /// Page size: 0 for ``PageLimits/defaultPage``, at most ``PageLimits/maxPage``.
    package var limit: UInt32 = 0
    /// Only schedules of this scheduler ("" = any).
    package var scheduler = ""
    /// Only schedules with exactly this name ("" = any).
    package var name = ""

    package init(project: String = "", agent: String = "", enabled: Bool? = nil, dueBefore: Int64 = 0, cursor: String = "", limit: UInt32 = 0) {
        self.project = project
        self.agent = agent
        self.enabled = enabled
        self.dueBefore = dueBefore
        self.cursor = cursor
        self.limit = limit
    }
}
