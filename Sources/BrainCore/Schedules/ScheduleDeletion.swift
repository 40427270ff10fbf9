/// A scheduler dropped a schedule (`ScheduleDeleted` on the wire), decoded: what
/// ``BrainCommand/scheduleDelete(_:agentID:)`` carries.
package struct ScheduleDeletion: Hashable, Sendable {
    /// The agent's event seq: the agent-seq dedup applies.
    package var seq: UInt64
    package var scheduler: String
    package var name: String

    package init(seq: UInt64, scheduler: String, name: String) {
        self.seq = seq
        self.scheduler = scheduler
        self.name = name
    }
}
