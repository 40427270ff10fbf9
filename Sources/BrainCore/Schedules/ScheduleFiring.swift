/// A schedule fired (`ScheduleFired` on the wire), decoded: what
/// ``BrainCommand/scheduleFired(_:agentID:)`` carries.
package struct ScheduleFiring: Hashable, Sendable {
    /// The agent's event seq: the agent-seq dedup applies.
    package var seq: UInt64
    package var scheduler: String
    package var name: String
    /// When, by the agent's clock: becomes the schedule's `last_run_at`.
    package var at: Int64
    /// The task it sent, when known.
    package var taskID: String

    package init(seq: UInt64, scheduler: String, name: String, at: Int64, taskID: String = "") {
        self.seq = seq
        self.scheduler = scheduler
        self.name = name
        self.at = at
        self.taskID = taskID
    }
}
