/// How a schedule's times are given (`ScheduleType`).
public enum WireScheduleType: Int32, Hashable, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case cron = 1
    /// The expression is a duration in seconds ("30", "2.5").
    case interval = 2
    /// The expression is one RFC 3339 instant.
    case date = 3
    /// A kind the brain cannot predict (Celery's solar): listed, no next run.
    case unsupported = 4

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .cron: "cron"
        case .interval: "interval"
        case .date: "date"
        case .unsupported: "unsupported"
        }
    }
}

/// How a cron expression combines day-of-month and day-of-week (`CronDialect`).
public enum WireCronDialect: Int32, Hashable, Sendable, CaseIterable {
    /// Vixie/Debian cron: OR, but AND when either field starts with `*`.
    case vixie = 0
    /// Celery beat's crontab: AND.
    case celery = 1

    public var name: String {
        switch self {
        case .vixie: "vixie"
        case .celery: "celery"
        }
    }
}

/// Agent event: a schedule as its scheduler holds it.
public struct ScheduleReport: Hashable, Sendable {
    /// "celery-beat", ...: one agent may run several schedulers.
    public var scheduler: String = ""
    public var name: String = ""
    public var task: String = ""
    public var type: WireScheduleType = .unspecified
    public var expression: String = ""
    public var dialect: WireCronDialect = .vixie
    public var argsJSON: String = ""
    public var kwargsJSON: String = ""
    public var enabled: Bool = false
    public var metadataJSON: String = ""
    /// As the scheduler knows it (0: never).
    public var lastRunAt: Int64 = 0

    public init(scheduler: String = "", name: String = "") {
        self.scheduler = scheduler
        self.name = name
    }
}

/// Agent event: a schedule is gone.
public struct ScheduleDeleted: Hashable, Sendable {
    public var scheduler: String
    public var name: String

    public init(scheduler: String = "", name: String = "") {
        self.scheduler = scheduler
        self.name = name
    }
}

/// Agent event: a schedule fired.
public struct ScheduleFired: Hashable, Sendable {
    public var scheduler: String
    public var name: String
    /// Agent clock.
    public var at: Int64
    /// The task it sent, when known.
    public var taskID: String

    public init(scheduler: String = "", name: String = "", at: Int64 = 0, taskID: String = "") {
        self.scheduler = scheduler
        self.name = name
        self.at = at
        self.taskID = taskID
    }
}

/// Agent event: every schedule of one scheduler; only a `complete` listing removes the
/// schedules it does not name.
public struct ScheduleListing: Hashable, Sendable {
    public var scheduler: String
    public var schedules: [ScheduleReport]
    public var complete: Bool

    public init(scheduler: String = "", schedules: [ScheduleReport] = [], complete: Bool = false) {
        self.scheduler = scheduler
        self.schedules = schedules
        self.complete = complete
    }
}

/// A schedule as clients see it.
public struct ScheduleInfo: Hashable, Sendable {
    public var project: String = ""
    public var agentID: String = ""
    public var scheduler: String = ""
    public var name: String = ""
    public var task: String = ""
    public var type: WireScheduleType = .unspecified
    public var expression: String = ""
    public var dialect: WireCronDialect = .vixie
    public var argsJSON: String = ""
    public var kwargsJSON: String = ""
    public var enabled: Bool = false
    public var metadataJSON: String = ""
    public var lastRunAt: Int64 = 0
    /// 0 when disabled, unsupported, or a date in the past.
    public var nextRunAt: Int64 = 0
    public var createdAt: Int64 = 0
    public var updatedAt: Int64 = 0
    /// Why the next run cannot be computed ("" when it can).
    public var problem: String = ""
    /// Only in a Watch event: the schedule is gone (deleted by its scheduler, or left out of
    /// a complete listing).
    public var removed: Bool = false

    public init() {}
}

/// `ListSchedules`: filters and a page.
public struct ListSchedulesQuery: Hashable, Sendable {
    /// "" means every project.
    public var project: String = ""
    /// Agent id or name.
    public var agent: String = ""
    /// 0 any, 1 enabled only, 2 disabled only.
    public var enabledFilter: UInt32 = 0
    /// Only schedules whose next run is at or before this (0: no bound).
    public var dueBefore: Int64 = 0
    public var cursor: String = ""
    public var limit: UInt32 = 0
    /// Only schedules of this scheduler; "" means any.
    public var scheduler: String = ""
    /// Only schedules with exactly this name; "" means any.
    public var name: String = ""

    public init() {}
}

/// One page of schedules.
public struct ScheduleList: Hashable, Sendable {
    public var schedules: [ScheduleInfo]
    public var nextCursor: String

    public init(schedules: [ScheduleInfo] = [], nextCursor: String = "") {
        self.schedules = schedules
        self.nextCursor = nextCursor
    }
}

/// `GetSchedule`: one schedule and how many next run times to compute.
public struct GetScheduleQuery: Hashable, Sendable {
    public var project: String
    public var scheduler: String
    public var name: String
    /// 0 means 5; at most 100.
    public var nextRuns: UInt32

    public init(project: String = "", scheduler: String = "", name: String = "", nextRuns: UInt32 = 0) {
        self.project = project
        self.scheduler = scheduler
        self.name = name
        self.nextRuns = nextRuns
    }
}

/// A schedule with its next run times.
public struct ScheduleDetail: Hashable, Sendable {
    public var schedule: ScheduleInfo
    public var nextRuns: [Int64]

    public init(schedule: ScheduleInfo = ScheduleInfo(), nextRuns: [Int64] = []) {
        self.schedule = schedule
        self.nextRuns = nextRuns
    }
}
