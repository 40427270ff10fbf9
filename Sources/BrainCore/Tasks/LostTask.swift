/// A started task the brain calls lost, and why: what ``BrainCommand/taskLiveness(_:)``
/// journals, so replay needs neither a clock nor the grace period in force at the time.
package struct LostTask: Hashable, Sendable {
    /// The task's identity: project, engine and id.
    package var project: String
    package var engine: String
    package var taskID: String
    /// Shown with the task (``TaskRecord/stateReason``).
    package var reason: String

    package init(project: String, engine: String, taskID: String, reason: String) {
        self.project = project
        self.engine = engine
        self.taskID = taskID
        self.reason = reason
    }
}
