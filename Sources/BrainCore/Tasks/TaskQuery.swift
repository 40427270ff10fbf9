/// What ``BrainState/listTasks(_:)`` lists: every filter left empty (or 0) matches all.
package struct TaskQuery: Hashable, Sendable {
    /// The project, by name.
    package var project = ""
    /// Any of these states (several at once: Flower's #1360).
    package var states: [TaskState] = []
    /// The engine (`celery`).
    package var engine = ""
    /// The task name, exactly.
    package var name = ""
    /// The queue, exactly.
    package var queue = ""
    /// The agent that set the task's state (the worker), by id or by name.
    package var agent = ""
    /// Tasks the brain first heard of at or after this time (its clock, Unix ns).
    package var createdSince: Int64 = 0
    /// … and at or before this time.
    package var createdUntil: Int64 = 0
    /// Text to find in the redacted args or kwargs, ignoring ASCII case (Flower's #358, #1168:
    /// search by argument; what is searched is what is stored, the redacted text).
    package var search = ""
    /// Only tasks `started` since before this time (brain clock, Unix ns; 0: any task): the
    /// stuck ones, with `now` minus ``TaskSettings/stuckAfterNs``.
    package var startedBefore: Int64 = 0
    /// From a page's ``TaskPage/nextCursor``; "" for the first page.
    package var cursor = ""
    /// Page size: 0 for ``PageLimits/defaultPage``, at most ``PageLimits/maxPage``.
    package var limit: UInt32 = 0

    /// The longest search text (Flower's limit).
    package static let maxSearchBytes = 2_048

    package init(
        project: String = "", states: [TaskState] = [], engine: String = "", name: String = "", queue: String = "", agent: String = "",
        createdSince: Int64 = 0, createdUntil: Int64 = 0, search: String = "", cursor: String = "", limit: UInt32 = 0
    ) {
        self.project = project
        self.states = states
        self.engine = engine
        self.name = name
        self.queue = queue
        self.agent = agent
        self.createdSince = createdSince
        self.createdUntil = createdUntil
        self.search = search
        self.cursor = cursor
        self.limit = limit
    }
}
