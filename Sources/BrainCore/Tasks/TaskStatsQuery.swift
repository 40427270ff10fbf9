/// Which tasks ``BrainState/taskStats(_:)`` counts: every filter left empty (or 0) matches all.
package struct TaskStatsQuery: Hashable, Sendable {
    /// The project, by name.
    package var project = ""
    /// The engine (`celery`).
    package var engine = ""
    /// One task name, or "" for every name.
    package var name = ""
    /// Tasks the brain first heard of in this window (its clock, Unix ns; 0: open).
    package var createdSince: Int64 = 0
    /// … and until this time.
    package var createdUntil: Int64 = 0

    package init(project: String = "", engine: String = "", name: String = "", createdSince: Int64 = 0, createdUntil: Int64 = 0) {
        self.project = project
        self.engine = engine
        self.name = name
        self.createdSince = createdSince
        self.createdUntil = createdUntil
    }
}
