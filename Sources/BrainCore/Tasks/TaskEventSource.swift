import BrainProtocol

/// What the merge reads of a task event (``TaskRecord/absorb(_:agentID:now:first:names:)``):
/// a decoded ``TaskEventReport`` (strings) or an event read in place from its frame
/// (``TaskEventViewSource``, bytes). One merge for both, specialized for each, so the two
/// ways in cannot drift apart.
protocol TaskEventSource {
    var kind: TaskEventKind { get }
    var attempt: UInt32 { get }
    var ts: Int64 { get }
    var seq: UInt64 { get }
    /// The error the event carries, if it names an exception or a message.
    var error: TaskError? { get }
    /// The payload as the event keeps it ("" when it carries none).
    var payloadJSON: String { get }
    /// Sets `field` to the event's `text` when the event carries it and `overwrite` is set
    /// or `field` is still empty.
    func fill(_ field: inout String, with text: TaskEventTextField, overwrite: Bool)
    /// ``fill(_:with:overwrite:)`` of the name, taking the string from `names` when it holds it.
    func fillName(_ name: inout String, overwrite: Bool, names: inout TextInterner)
}

/// The texts of a task event the merge copies into the task's record.
enum TaskEventTextField {
    case queue, groupID, retriedAs, args, kwargs
}

extension TaskEventReport: TaskEventSource {
    func fill(_ field: inout String, with text: TaskEventTextField, overwrite: Bool) {
        let value =
            switch text {
            case .queue: queue
            case .groupID: groupID
            case .retriedAs: retriedAs
            case .args: argsJSON
            case .kwargs: kwargsJSON
            }
        fill(&field, value: value, overwrite: overwrite)
    }

    func fillName(_ name: inout String, overwrite: Bool, names: inout TextInterner) {
        fill(&name, value: self.name, overwrite: overwrite)
    }

    private func fill(_ field: inout String, value: String, overwrite: Bool) {
        if !value.isEmpty, overwrite || field.isEmpty { field = value }
    }
}
