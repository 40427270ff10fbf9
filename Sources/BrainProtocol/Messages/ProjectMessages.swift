/// How long a project keeps each kind of finished record, in nanoseconds (0: the brain's
/// default, 30 days). `Wire` because BrainCore's `RetentionSettings` is the domain type.
public struct WireRetentionSettings: Hashable, Sendable {
    public var runsNs: Int64
    public var tasksNs: Int64
    public var taskEventsNs: Int64
    public var sinkRowsNs: Int64

    public init(runsNs: Int64 = 0, tasksNs: Int64 = 0, taskEventsNs: Int64 = 0, sinkRowsNs: Int64 = 0) {
        self.runsNs = runsNs
        self.tasksNs = tasksNs
        self.taskEventsNs = taskEventsNs
        self.sinkRowsNs = sinkRowsNs
    }
}

/// A project's settings as the wire carries them (`ProjectSettings`). `Wire` because
/// BrainCore's `ProjectSettings` is the domain type.
public struct WireProjectSettings: Hashable, Sendable {
    /// `nil`: absent on the wire (the brain's defaults).
    public var retention: WireRetentionSettings?
    /// Key patterns redacted on top of the brain's list.
    public var extraKeyPatterns: [String]
    /// Keys never redacted by name (their values are still scanned).
    public var allowedKeys: [String]
    /// An IANA name; "" means UTC.
    public var timeZone: String
    /// Redact step input and output too.
    public var redactSteps: Bool

    public init(
        retention: WireRetentionSettings? = nil, extraKeyPatterns: [String] = [], allowedKeys: [String] = [], timeZone: String = "",
        redactSteps: Bool = false
    ) {
        self.retention = retention
        self.extraKeyPatterns = extraKeyPatterns
        self.allowedKeys = allowedKeys
        self.timeZone = timeZone
        self.redactSteps = redactSteps
    }
}

/// A project as clients see it.
public struct ProjectInfo: Hashable, Sendable {
    public var projectID: String
    public var name: String
    public var settings: WireProjectSettings
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(projectID: String = "", name: String = "", settings: WireProjectSettings = WireProjectSettings(), createdAt: Int64 = 0, updatedAt: Int64 = 0) {
        self.projectID = projectID
        self.name = name
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
