/// A started task the brain calls lost, and why: what ``BrainCommand/taskLiveness(_:)``
/// journals, so replay needs neither a clock nor the grace period in force at the time.
public struct LostTask: Hashable, Sendable {
    /// The task's identity: project, engine and id.
    public var project: String
    public var engine: String
    public var taskID: String
    /// Shown with the task (``TaskRecord/stateReason``).
    public var reason: String

    public init(project: String, engine: String, taskID: String, reason: String) {
        self.project = project
        self.engine = engine
        self.taskID = taskID
        self.reason = reason
    }
}
