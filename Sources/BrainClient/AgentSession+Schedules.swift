public import BrainProtocol

extension AgentSession {
    /// Reports one schedule as its scheduler holds it (`schedule_upsert`); returns the
    /// event's seq. Args, kwargs and metadata may hold secrets: the brain redacts them under
    /// the agent's project before it keeps anything.
    @discardableResult
    public func reportSchedule(_ report: ScheduleReport) throws(BrainError) -> UInt64 {
        try publish(.scheduleUpsert(report))
    }

    /// Reports every schedule of one scheduler (`schedule_listing`); returns the event's seq.
    /// Only a `complete` listing removes the scheduler's schedules it does not name.
    @discardableResult
    public func reportScheduleListing(_ listing: ScheduleListing) throws(BrainError) -> UInt64 {
        try publish(.scheduleListing(listing))
    }

    /// Says a schedule is gone from its scheduler (`schedule_delete`); returns the event's seq.
    @discardableResult
    public func reportScheduleDeleted(scheduler: String, name: String) throws(BrainError) -> UInt64 {
        try publish(.scheduleDelete(ScheduleDeleted(scheduler: scheduler, name: name)))
    }

    /// Says a schedule fired at `at` (the agent's clock, Unix ns), sending `taskID` when
    /// known (`schedule_fired`); returns the event's seq.
    @discardableResult
    public func reportScheduleFired(scheduler: String, name: String, at: Int64, taskID: String = "") throws(BrainError) -> UInt64 {
        try publish(.scheduleFired(ScheduleFired(scheduler: scheduler, name: name, at: at, taskID: taskID)))
    }
}
