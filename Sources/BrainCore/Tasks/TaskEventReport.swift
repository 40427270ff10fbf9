import BrainProtocol

/// A task event as an agent reports it, decoded: what ``BrainCommand/taskEvent(_:agentID:)``
/// carries (the wire message that will carry it is future work; this is its BrainCore side).
///
/// Its text fields are what the agent sent until the brain redacts them
/// (``redacted(by:)``, ``BrainState/taskEventCommand(_:agentID:)``); the journal keeps only the
/// redacted report.
package struct TaskEventReport: Hashable, Sendable {
    /// The agent's event seq, numbered with its other events (`AgentEvent.seq`): a report at
    /// or below the agent's last seq was handled before and changes nothing.
    package var seq: UInt64
    /// What happened.
    package var kind: TaskEventKind {
        didSet { fields.kind = kind.wire }
    }
    /// Whether the texts are already the brain's redaction under the agent's project
    /// (``redacted(by:)`` sets it; the journal's reports have it). ``BrainState/apply(_:now:)``
    /// redacts a report without it.
    package var isRedacted = false
    /// The event's fields as the wire message holds them (the kind as ``kind`` says, the
    /// engine never ""). Held whole, not field by field: a report made from a decoded message
    /// takes it over as it is (``init(_:seq:)``), where copying thirteen strings out of it
    /// cost a retain and a release of each per task event. The fields below read and write it.
    /// Set whole only by a reader filling an ``init()`` report, then ``adoptFields(seq:)``.
    package var fields: TaskEventReported

    /// The task's id as its engine knows it (a Celery task's uuid), 1 to 200 bytes.
    package var taskID: String {
        get { fields.taskID }
        set { fields.taskID = newValue }
    }
    /// The engine that runs the task (`celery`, `rq`), 1 to 40 bytes; a task is one id in one
    /// engine of one project.
    package var engine: String {
        get { fields.engine }
        set { fields.engine = newValue }
    }
    /// When it happened, by the agent's clock (Unix nanoseconds). Kept as sent, never
    /// replaced by the brain's clock: the skew is shown beside it (``TaskEvent/skewNs``).
    package var ts: Int64 {
        get { fields.ts }
        set { fields.ts = newValue }
    }
    /// Which run of the task this is, from 1 (Celery's `retries` + 1); 0 when the agent does
    /// not know (Celery's `task-started` carries no count): the event then belongs to the
    /// task's current attempt.
    package var attempt: UInt32 {
        get { fields.attempt }
        set { fields.attempt = newValue }
    }
    /// The task's name (`app.tasks.send_email`), up to 500 bytes; "" when the event does not
    /// say (Celery's `task-started` does not).
    package var name: String {
        get { fields.name }
        set { fields.name = newValue }
    }
    /// The queue the task was sent to, or "".
    package var queue: String {
        get { fields.queue }
        set { fields.queue = newValue }
    }
    /// Celery's `group_id`, or "".
    package var groupID: String {
        get { fields.groupID }
        set { fields.groupID = newValue }
    }
    /// The id of the task that re-runs this one (a retry by the brain's command), or "".
    package var retriedAs: String {
        get { fields.retriedAs }
        set { fields.retriedAs = newValue }
    }
    /// Positional arguments as JSON (a list), or "" when the event does not carry them.
    package var argsJSON: String {
        get { fields.argsJSON }
        set { fields.argsJSON = newValue }
    }
    /// Keyword arguments as JSON (an object), or "".
    package var kwargsJSON: String {
        get { fields.kwargsJSON }
        set { fields.kwargsJSON = newValue }
    }
    /// The exception's class (failed, retry), up to 200 bytes.
    package var excType: String {
        get { fields.excType }
        set { fields.excType = newValue }
    }
    /// The exception's message (redacted by the brain).
    package var excMessage: String {
        get { fields.excMessage }
        set { fields.excMessage = newValue }
    }
    /// The traceback (redacted by the brain).
    package var traceback: String {
        get { fields.traceback }
        set { fields.traceback = newValue }
    }
    /// Anything else the event carries, as JSON (`{"runtime": 1.2, "hostname": "w1"}`), or "".
    package var payloadJSON: String {
        get { fields.payloadJSON }
        set { fields.payloadJSON = newValue }
    }

    package init(
        seq: UInt64, taskID: String, engine: String, kind: TaskEventKind, ts: Int64, attempt: UInt32 = 0, name: String = "",
        queue: String = "", groupID: String = "", retriedAs: String = "", argsJSON: String = "", kwargsJSON: String = "",
        excType: String = "", excMessage: String = "", traceback: String = "", payloadJSON: String = ""
    ) {
        self.seq = seq
        self.kind = kind
        fields = TaskEventReported(taskID: taskID, engine: engine, kind: kind.wire, ts: ts)
        fields.attempt = attempt
        fields.name = name
        fields.queue = queue
        fields.groupID = groupID
        fields.retriedAs = retriedAs
        fields.argsJSON = argsJSON
        fields.kwargsJSON = kwargsJSON
        fields.excType = excType
        fields.excMessage = excMessage
        fields.traceback = traceback
        fields.payloadJSON = payloadJSON
    }

    /// The report an agent's `task_event` carries, with the `AgentEvent.seq` it came with, not
    /// yet redacted; `nil` when its kind is `unspecified` (nothing to merge).
    package init?(_ reported: TaskEventReported, seq: UInt64) {
        self.init()
        fields = reported
        guard adoptFields(seq: seq) else { return nil }
    }

    /// An empty report for a frame reader to fill in place (``fields``, empty as a decoder
    /// expects: the kind unspecified until read), so the texts are written once where the
    /// report keeps them; then ``adoptFields(seq:)``, which sets ``kind`` from them.
    package init() {
        seq = 0
        kind = .taskSent
        fields = TaskEventReported()
    }

    /// Makes the report of what was read into ``fields``: the kind as the wire said it, the
    /// engine `celery` when it named none, the `AgentEvent.seq` it came with.
    /// - Returns: `false` when the kind is `unspecified` (nothing to merge: the caller refuses it).
    package mutating func adoptFields(seq: UInt64) -> Bool {
        guard let kind = TaskEventKind(fields.kind) else { return false }
        self.seq = seq
        self.kind = kind
        if fields.engine.isEmpty { fields.engine = Self.defaultEngine }
        return true
    }

    /// The error the event carries, if it names an exception or a message.
    var error: TaskError? {
        guard !excType.isEmpty || !excMessage.isEmpty || !traceback.isEmpty else { return nil }
        return TaskError(excType: excType, excMessage: excMessage, tracebackRedacted: traceback)
    }

    /// This report with its args, kwargs, error message, traceback and payload redacted and
    /// cut by `redactor` (per value, per traceback, then per event: ``RedactionPolicy``), and
    /// marked ``isRedacted``. Ids, names, the queue and the exception class are not secrets
    /// and are kept (their lengths are checked when the event is applied).
    ///
    /// Most events hold nothing to redact: when redaction would change none of the texts
    /// (``isUnchanged(by:)``) they are kept as they are, without a parse or a copy; the
    /// result is the same either way (the property tests compare the two).
    package consuming func redacted(by redactor: Redactor) -> TaskEventReport {
        _ = redact(by: redactor)
        return self
    }

    /// Redacts the report in place by `redactor` (as ``redacted(by:)`` does, without a copy
    /// of the report); returns whether its texts are still the ones the agent sent
    /// (redaction found nothing to change), which is when the server may journal the event
    /// as the frame it came in.
    package mutating func redact(by redactor: Redactor) -> Bool {
        if isUnchanged(by: redactor) {
            isRedacted = true
            return true
        }
        self = redactedInFull(by: redactor)
        return false
    }

    /// Whether redacting this report would give each of its texts back unchanged
    /// (``Redactor/isUnchangedJSON(_:limit:)``, ``Redactor/isUnchangedText(_:limit:)``) with
    /// all of them together within the event's ceiling (so ``EventBudget`` cuts nothing).
    package func isUnchanged(by redactor: Redactor) -> Bool {
        let policy = redactor.policy
        let total = argsJSON.utf8.count + kwargsJSON.utf8.count + excMessage.utf8.count + traceback.utf8.count + payloadJSON.utf8.count
        return total <= policy.maxEventBytes && redactor.isUnchangedJSON(argsJSON, limit: .max) && redactor.isUnchangedJSON(kwargsJSON, limit: .max)
            && redactor.isUnchangedJSON(payloadJSON, limit: .max) && redactor.isUnchangedText(excMessage, limit: policy.maxValueBytes)
            && redactor.isUnchangedText(traceback, limit: policy.maxTracebackBytes)
    }

    /// ``isUnchanged(by:)`` for a task event read in place from its frame
    /// (``TaskEventFrameParser/parse(_:)``), its texts as the agent sent them: `true` only when
    /// the report read from that frame is unchanged by `redactor`, so another thread may
    /// decide it while the event loop works (``keepAsSent()``). Bytes that are not valid UTF-8
    /// do not pass (the report's strings hold them repaired).
    package static func isUnchanged(_ event: TaskEventReportedView, by redactor: Redactor) -> Bool {
        var verdicts = KeyVerdicts.disabled
        return isUnchanged(event, by: redactor, verdicts: &verdicts)
    }

    /// ``isUnchanged(_:by:)`` with the calling thread's memo of key verdicts.
    package static func isUnchanged(_ event: TaskEventReportedView, by redactor: Redactor, verdicts: inout KeyVerdicts) -> Bool {
        let policy = redactor.policy
        let total = event.argsJSON.count + event.kwargsJSON.count + event.excMessage.count + event.traceback.count + event.payloadJSON.count
        return total <= policy.maxEventBytes
            && redactor.isUnchangedJSON(event.argsJSON.assumingMemoryBound(to: UInt8.self), limit: .max, verdicts: &verdicts)
            && redactor.isUnchangedJSON(event.kwargsJSON.assumingMemoryBound(to: UInt8.self), limit: .max, verdicts: &verdicts)
            && redactor.isUnchangedJSON(event.payloadJSON.assumingMemoryBound(to: UInt8.self), limit: .max, verdicts: &verdicts)
            && redactor.isUnchangedText(event.excMessage.assumingMemoryBound(to: UInt8.self), limit: policy.maxValueBytes)
            && redactor.isUnchangedText(event.traceback.assumingMemoryBound(to: UInt8.self), limit: policy.maxTracebackBytes)
    }

    /// Marks the report redacted as it is: for a report whose frame's texts were found
    /// unchanged by the redactor of its agent's project (``isUnchanged(_:by:)``), which is
    /// what ``redact(by:)`` would find again.
    package mutating func keepAsSent() {
        isRedacted = true
    }

    /// This report redacted the slow way: every JSON text parsed, redacted and written again,
    /// every text masked, then the whole fitted to the event's ceiling.
    package func redactedInFull(by redactor: Redactor) -> TaskEventReport {
        redacted(by: redactor, skippingUnchanged: false)
    }

    /// ``redactedInFull(by:)``, with each text redaction would leave unchanged kept as it is
    /// (``Redactor/isUnchangedJSON(_:limit:)``, ``Redactor/isUnchangedText(_:limit:)``), not
    /// parsed and written again: for an event known to hold something to redact, where
    /// usually one text does (a kwarg with a token). The same report (the property tests
    /// compare the two).
    package func redactedTextByText(by redactor: Redactor) -> TaskEventReport {
        redacted(by: redactor, skippingUnchanged: true)
    }

    private func redacted(by redactor: Redactor, skippingUnchanged: Bool) -> TaskEventReport {
        let policy = redactor.policy
        func json(_ text: String) -> String {
            skippingUnchanged && redactor.isUnchangedJSON(text, limit: .max) ? text : redactor.redactJSON(text, limit: .max)
        }
        func plain(_ text: String, limit: Int) -> String {
            skippingUnchanged && redactor.isUnchangedText(text, limit: limit) ? text : redactor.redactText(text, limit: limit)
        }
        // The JSON texts are cut once, by the event's budget (each of their strings is cut to
        // the value limit already).
        let fitted = EventBudget.fit(
            [
                EventBudget.Field(json(argsJSON), isJSON: true),
                EventBudget.Field(json(kwargsJSON), isJSON: true),
                EventBudget.Field(plain(excMessage, limit: policy.maxValueBytes), isJSON: false),
                EventBudget.Field(plain(traceback, limit: policy.maxTracebackBytes), isJSON: false),
                EventBudget.Field(json(payloadJSON), isJSON: true),
            ],
            policy: policy
        )
        var report = self
        report.argsJSON = fitted[0]
        report.kwargsJSON = fitted[1]
        report.excMessage = fitted[2]
        report.traceback = fitted[3]
        report.payloadJSON = fitted[4]
        report.isRedacted = true
        return report
    }
}
