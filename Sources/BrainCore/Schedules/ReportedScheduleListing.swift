/// Every schedule of one scheduler (`ReportedScheduleListing` on the wire), decoded: what
/// ``BrainCommand/scheduleListing(_:agentID:)`` carries.
package struct ReportedScheduleListing: Hashable, Sendable {
    /// The agent's event seq: the agent-seq dedup applies.
    package var seq: UInt64
    package var scheduler: String
    /// The schedules (each report's ``ReportedSchedule/scheduler`` is this listing's).
    package var reports: [ReportedSchedule]
    /// Only a complete listing removes the scheduler's schedules that it does not name; a
    /// partial one only upserts.
    package var complete: Bool

    package init(seq: UInt64, scheduler: String, reports: [ReportedSchedule], complete: Bool) {
        self.seq = seq
        self.scheduler = scheduler
        self.reports = reports
        self.complete = complete
    }
}
