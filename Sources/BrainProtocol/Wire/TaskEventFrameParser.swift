/// Reads a `Request` that publishes a `TaskEventReported` in place, as a
/// ``TaskEventReportedView`` of the frame's bytes: no protobuf-c unpack, no C message to
/// convert and free, no string.
///
/// A fast lane like ``StepFrameParser``, not a second decoder: anything it is not sure to read
/// exactly as protobuf-c would (a field it does not expect, a field seen twice, a varint too
/// long for its type, a zero byte anywhere in the event) makes it return `nil`, and the caller
/// decodes the frame with protobuf-c. A differential test holds the two to the same answers.
/// Because it accepts only the fields it knows, a frame it reads carries nothing else: the
/// server may journal such a frame as it came when redaction changed none of its texts.
public enum TaskEventFrameParser {
    /// The ids of a publish: the request's call id and the agent event's seq.
    public struct Identifiers: Equatable {
        public var callID: UInt64
        public var eventSeq: UInt64
    }

    /// Reads the task event published by the `Request` in `frame` in place: byte ranges into
    /// `frame`, no string made and nothing allocated.
    /// - Returns: the publish's ids and the event, or `nil` when `frame` is anything else or
    ///   anything this reader leaves to protobuf-c.
    public static func parse(_ frame: UnsafeRawBufferPointer) -> (ids: Identifiers, event: TaskEventReportedView)? {
        guard case (let ids, let bytes)? = taskEventMessage(in: frame) else { return nil }
        var event = TaskEventReportedView()
        let read = walkFields(of: bytes) { field, value, text in
            switch field {
            case 1: event.taskID = text
            case 2: event.engine = text
            case 3: event.kind = WireTaskEventKind(rawValue: Int32(truncatingIfNeeded: value)) ?? .unspecified
            case 4: event.ts = Int64(bitPattern: value)
            case 5: event.attempt = UInt32(truncatingIfNeeded: value)
            case 6: event.name = text
            case 7: event.queue = text
            case 8: event.groupID = text
            case 9: event.retriedAs = text
            case 10: event.argsJSON = text
            case 11: event.kwargsJSON = text
            case 12: event.excType = text
            case 13: event.excMessage = text
            case 14: event.traceback = text
            default: event.payloadJSON = text
            }
        }
        return read ? (ids, event) : nil
    }

    /// The publish's ids and its `TaskEventReported`'s bytes, when `frame` is a `Request`
    /// publishing a task event (Request{call_id = 1, publish = 12}, then AgentEvent{seq = 1,
    /// task_event = 13}) with no zero byte in the event.
    @inline(__always)
    private static func taskEventMessage(in frame: UnsafeRawBufferPointer) -> (Identifiers, UnsafeRawBufferPointer)? {
        guard case (let callID, let message)? = WireFieldReader.numberAndMessage(frame, field: 12),
            case (let eventSeq, let bytes)? = WireFieldReader.numberAndMessage(message, field: 13), !WireFieldReader.containsNUL(bytes)
        else { return nil }
        return (Identifiers(callID: callID, eventSeq: eventSeq), bytes)
    }

    /// Walks a `TaskEventReported`'s fields, handing each to `visit` (its number, its varint
    /// value, its bytes): the one reading of the message both readers share, so they accept
    /// exactly the same frames. Returns `false` on anything protobuf-c might read otherwise.
    /// A varint reaches `visit` only within its field's type (the kind an int32, the attempt
    /// a uint32).
    @inline(__always)
    private static func walkFields(of bytes: UnsafeRawBufferPointer, _ visit: (Int, UInt64, UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var reader = WireFieldReader(base: base, end: base + bytes.count)
        var seen: UInt16 = 0
        while reader.more {
            guard let (field, wireType) = reader.nextField(upTo: 15, seen: &seen) else { return false }
            switch field {
            case 3, 4, 5:
                guard wireType == 0, let value = reader.varint() else { return false }
                // The kind is an open enum: protobuf-c keeps any int32 (unknown values read as
                // unspecified); the attempt a uint32.
                if field == 3 { guard value <= UInt64(Int32.max) else { return false } }
                if field == 5 { guard value <= UInt64(UInt32.max) else { return false } }
                visit(field, value, UnsafeRawBufferPointer(start: nil, count: 0))
            default:
                guard wireType == 2, let text = reader.lengthDelimited() else { return false }
                visit(field, 0, text)
            }
        }
        return true
    }
}
