/// A schedule as its scheduler holds it (`ReportedSchedule` on the wire), decoded: what
/// ``BrainCommand/scheduleUpsert(_:seq:agentID:)`` and a ``ReportedScheduleListing`` carry.
///
/// Its args, kwargs and metadata are what the agent sent until the brain redacts them
/// (``redacted(by:)``, ``BrainState/scheduleReportCommand(_:seq:agentID:)``); the journal keeps
/// only the redacted report.
package struct ReportedSchedule: Hashable, Sendable {
    /// The scheduler that holds it (`celery-beat`): one agent may run several.
    package var scheduler: String
    /// Unique within its scheduler and project.
    package var name: String
    /// The task it sends.
    package var task: String
    package var type: ScheduleType
    package var expression: String
    /// How a cron expression's day fields combine.
    package var dialect: CronDayFieldDialect
    /// Redacted JSON, or "".
    package var argsJSON: String
    package var kwargsJSON: String
    /// Whether the scheduler runs it: the brain's view changes only when the agent says so.
    package var enabled: Bool
    /// Anything else the scheduler says, as JSON (redacted), or "".
    package var metadataJSON: String
    /// The last run as the scheduler knows it (agent clock; 0: never).
    package var lastRunAt: Int64
    /// Whether the JSON texts are already the brain's redaction under the agent's project.
    package var isRedacted = false

    package init(
        scheduler: String, name: String, task: String = "", type: ScheduleType, expression: String, dialect: CronDayFieldDialect = .vixie,
        argsJSON: String = "", kwargsJSON: String = "", enabled: Bool = true, metadataJSON: String = "", lastRunAt: Int64 = 0
    ) {
        self.scheduler = scheduler
        self.name = name
        self.task = task
        self.type = type
        self.expression = expression
        self.dialect = dialect
        self.argsJSON = argsJSON
        self.kwargsJSON = kwargsJSON
        self.enabled = enabled
        self.metadataJSON = metadataJSON
        self.lastRunAt = lastRunAt
    }

    /// This report with its args, kwargs and metadata redacted by `redactor` and cut to the
    /// policy's per-event limit (as a task event's are), and marked ``isRedacted``.
    ///
    /// Most schedules hold nothing to redact: when redaction would give each text back as it
    /// is (``Redactor/isUnchangedJSON(_:limit:)``, together within the ceiling) they are kept
    /// without a parse or a copy, as a task event's are; the result is the same either way.
    package func redacted(by redactor: Redactor) -> ReportedSchedule {
        let total = argsJSON.utf8.count + kwargsJSON.utf8.count + metadataJSON.utf8.count
        if total <= redactor.policy.maxEventBytes, redactor.isUnchangedJSON(argsJSON, limit: .max), redactor.isUnchangedJSON(kwargsJSON, limit: .max),
            redactor.isUnchangedJSON(metadataJSON, limit: .max)
        {
            var report = self
            report.isRedacted = true
            return report
        }
        return redactedInFull(by: redactor)
    }

    /// This report redacted the slow way: every JSON text parsed, redacted and written again,
    /// then the three fitted to the event's ceiling.
    package func redactedInFull(by redactor: Redactor) -> ReportedSchedule {
        let fitted = EventBudget.fit(
            [argsJSON, kwargsJSON, metadataJSON].map { EventBudget.Field(redactor.redactJSON($0, limit: .max), isJSON: true) },
            policy: redactor.policy
        )
        var report = self
        report.argsJSON = fitted[0]
        report.kwargsJSON = fitted[1]
        report.metadataJSON = fitted[2]
        report.isRedacted = true
        return report
    }

    /// Whether the texts can be kept as they are: redacted already, and JSON (the flag is
    /// trusted for secrets, not for syntax: snapshots embed the texts as JSON).
    var isRedactedJSON: Bool {
        isRedacted && [argsJSON, kwargsJSON, metadataJSON].allSatisfy { $0.isEmpty || JSONValidator.isValid($0) }
    }
}
