public import BrainProtocol

extension AgentSession {
    /// Publishes one event of a task's life (`task_event`); returns its seq. Like every event
    /// it is numbered, kept until acknowledged and resent after a reconnect. Args, kwargs,
    /// the exception message, the traceback and the payload may hold secrets: the brain
    /// redacts them under the agent's project before it keeps anything.
    /// - Throws: RESOURCE_EXHAUSTED when `maxUnacked` events already wait for an ack.
    @discardableResult
    public func publishTaskEvent(_ event: TaskEventReported) throws(BrainError) -> UInt64 {
        try publish(.taskEvent(event))
    }

    /// Publishes several task events in one write; returns their seqs.
    @discardableResult
    public func publishTaskEvents(_ events: [TaskEventReported]) throws(BrainError) -> [UInt64] {
        try publish(events.map { .taskEvent($0) })
    }
}
