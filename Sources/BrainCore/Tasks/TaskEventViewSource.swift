import BrainProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A task event read in place (``TaskEventReportedView``) as the merge reads it: a text
/// becomes a string only when the record takes it, and not when the record holds the same
/// bytes already (a task's later events repeat its name and queue).
///
/// Made only for an event whose short texts are ASCII (``isASCII(_:)``) and whose long ones
/// passed the redaction check (valid UTF-8): every string made from it is then the one
/// `String(decoding:as:)` of a ``TaskEventReport`` would hold, and a byte count is a
/// string's UTF-8 count.
struct TaskEventViewSource: TaskEventSource {
    let view: TaskEventReportedView
    let kind: TaskEventKind
    let seq: UInt64

    var attempt: UInt32 { view.attempt }
    var ts: Int64 { view.ts }

    var error: TaskError? {
        guard !view.excType.isEmpty || !view.excMessage.isEmpty || !view.traceback.isEmpty else { return nil }
        return TaskError(
            excType: TaskEventReportedView.string(view.excType), excMessage: TaskEventReportedView.string(view.excMessage),
            tracebackRedacted: TaskEventReportedView.string(view.traceback))
    }

    var payloadJSON: String { TaskEventReportedView.string(view.payloadJSON) }

    func fill(_ field: inout String, with text: TaskEventTextField, overwrite: Bool) {
        let bytes =
            switch text {
            case .queue: view.queue
            case .groupID: view.groupID
            case .retriedAs: view.retriedAs
            case .args: view.argsJSON
            case .kwargs: view.kwargsJSON
            }
        if !bytes.isEmpty, overwrite || field.isEmpty, !Self.spells(field, bytes) { field = TaskEventReportedView.string(bytes) }
    }

    func fillName(_ name: inout String, overwrite: Bool, names: inout TextInterner) {
        if !view.name.isEmpty, overwrite || name.isEmpty, !Self.spells(name, view.name) { name = names.string(view.name) }
    }

    /// Whether `string`'s UTF-8 is `bytes`.
    @inline(__always)
    static func spells(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        if let same = string.utf8.withContiguousStorageIfAvailable({ $0.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false }) {
            return same
        }
        return string.utf8.elementsEqual(bytes)
    }

    /// Whether every byte is below 0x80 (eight at a time; a text of eight bytes or more ends
    /// with its last eight, overlapping the words before).
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var high: UInt64 = 0
        if count >= 8 {
            var offset = 0
            while offset + 8 <= count {
                high |= bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            high |= bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for byte in bytes { high |= UInt64(byte) }
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
