import BrainProtocol

extension ReportedSchedule {
    /// The domain report of a wire report, as the agent sent it (not redacted yet: build its
    /// command with ``BrainState/scheduleReportCommand(_:seq:agentID:)``).
    package init(_ wire: ScheduleReport) {
        self.init(
            scheduler: wire.scheduler, name: wire.name, task: wire.task, type: ScheduleType(wire.type), expression: wire.expression,
            dialect: CronDayFieldDialect(wire.dialect), argsJSON: wire.argsJSON, kwargsJSON: wire.kwargsJSON, enabled: wire.enabled,
            metadataJSON: wire.metadataJSON, lastRunAt: wire.lastRunAt)
    }
}

extension ReportedScheduleListing {
    /// The domain listing of a wire listing with the event's `seq` (not redacted yet: build its
    /// command with ``BrainState/scheduleListingCommand(_:agentID:)``).
    package init(_ wire: ScheduleListing, seq: UInt64) {
        self.init(seq: seq, scheduler: wire.scheduler, reports: wire.schedules.map(ReportedSchedule.init), complete: wire.complete)
    }
}
