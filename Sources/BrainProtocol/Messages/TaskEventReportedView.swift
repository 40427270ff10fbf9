/// A task event read in place from the frame it arrived in (``TaskEventFrameParser``): the
/// hot path of task ingestion, as ``StepReportedView`` is for steps.
///
/// Its byte ranges point into the frame and are valid only as long as the frame is: copy
/// what must outlive it (``reported``). A field the event does not carry is empty. The
/// bytes are what the agent sent, not yet checked as UTF-8 (``reported`` repairs them as
/// protobuf-c's reading would).
public struct TaskEventReportedView {
    public var taskID = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Empty when the event names no engine (the brain then takes `celery`).
    public var engine = UnsafeRawBufferPointer(start: nil, count: 0)
    public var kind = WireTaskEventKind.unspecified
    public var ts: Int64 = 0
    public var attempt: UInt32 = 0
    public var name = UnsafeRawBufferPointer(start: nil, count: 0)
    public var queue = UnsafeRawBufferPointer(start: nil, count: 0)
    public var groupID = UnsafeRawBufferPointer(start: nil, count: 0)
    public var retriedAs = UnsafeRawBufferPointer(start: nil, count: 0)
    public var argsJSON = UnsafeRawBufferPointer(start: nil, count: 0)
    public var kwargsJSON = UnsafeRawBufferPointer(start: nil, count: 0)
    public var excType = UnsafeRawBufferPointer(start: nil, count: 0)
    public var excMessage = UnsafeRawBufferPointer(start: nil, count: 0)
    public var traceback = UnsafeRawBufferPointer(start: nil, count: 0)
    public var payloadJSON = UnsafeRawBufferPointer(start: nil, count: 0)

    public init() {}

    /// An owning copy, for the paths that are not hot (refusals, duplicates, events
    /// redaction changes): what protobuf-c would have decoded from the same frame.
    public var reported: TaskEventReported {
        var reported = TaskEventReported(taskID: Self.string(taskID), engine: Self.string(engine), kind: kind, ts: ts)
        reported.attempt = attempt
        reported.name = Self.string(name)
        reported.queue = Self.string(queue)
        reported.groupID = Self.string(groupID)
        reported.retriedAs = Self.string(retriedAs)
        reported.argsJSON = Self.string(argsJSON)
        reported.kwargsJSON = Self.string(kwargsJSON)
        reported.excType = Self.string(excType)
        reported.excMessage = Self.string(excMessage)
        reported.traceback = Self.string(traceback)
        reported.payloadJSON = Self.string(payloadJSON)
        return reported
    }

    /// The string `bytes` spell (repaired as `String(decoding:as:)` does), "" for none: how
    /// every text of the view becomes a string, here and in the merge.
    package static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        bytes.isEmpty ? "" : String(decoding: bytes, as: UTF8.self)
    }
}
