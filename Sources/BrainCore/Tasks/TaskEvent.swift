/// One event of a task as the brain keeps it (seed 002's task_events), redacted.
package struct TaskEvent: Hashable, Sendable, Codable {
    /// What happened.
    package var kind: TaskEventKind
    /// The attempt as reported (0: not given).
    package var attempt: UInt32
    /// When it happened, by the agent's clock.
    package var ts: Int64
    /// When the brain received it, by the brain's clock.
    package var createdAt: Int64
    /// The agent that reported it.
    package var agentID: String
    /// The agent's event seq it came with.
    package var agentSeq: UInt64
    /// The exception it carried (failed, retry), redacted.
    package var error: TaskError?
    /// Anything else it carried, redacted JSON, or "".
    package var payloadJSON: String
    /// What the merge made of it (``TaskStateMachine``): whether it moved the task, and why
    /// or why not. Kept so that "why is this task still started?" has an answer.
    package var rule: TaskMergeRule

    enum CodingKeys: String, CodingKey {
        case kind, attempt, ts
        case createdAt = "created_at"
        case agentID = "agent_id"
        case agentSeq = "agent_seq"
        case error
        case payloadJSON = "payload"
        case rule
    }

    package init(
        kind: TaskEventKind, attempt: UInt32, ts: Int64, createdAt: Int64, agentID: String, agentSeq: UInt64, error: TaskError?,
        payloadJSON: String, rule: TaskMergeRule
    ) {
        self.kind = kind
        self.attempt = attempt
        self.ts = ts
        self.createdAt = createdAt
        self.agentID = agentID
        self.agentSeq = agentSeq
        self.error = error
        self.payloadJSON = payloadJSON
        self.rule = rule
    }

    /// The brain's receipt time minus the agent's timestamp: transit time plus the agent
    /// clock's lag (negative when the agent's clock runs ahead). Shown, never corrected.
    package var skewNs: Int64 { createdAt &- ts }
}
