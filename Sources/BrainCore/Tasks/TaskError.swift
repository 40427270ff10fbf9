/// Why a task failed (seed 002's `tasks.error`): the real exception class, its message and
/// the traceback, the last two redacted.
package struct TaskError: Hashable, Sendable, Codable {
    /// The exception's class as the worker raised it (`psycopg2.OperationalError`), not a
    /// wrapper (z4j recorded `RuntimeError` for every failure under prefork: research §1.1).
    package var excType: String
    /// The exception's message, redacted.
    package var excMessage: String
    /// The traceback, redacted then cut to ``RedactionPolicy/maxTracebackBytes``.
    package var tracebackRedacted: String

    enum CodingKeys: String, CodingKey {
        case excType = "exc_type"
        case excMessage = "exc_msg"
        case tracebackRedacted = "traceback_redacted"
    }

    package init(excType: String, excMessage: String = "", tracebackRedacted: String = "") {
        self.excType = excType
        self.excMessage = excMessage
        self.tracebackRedacted = tracebackRedacted
    }
}
