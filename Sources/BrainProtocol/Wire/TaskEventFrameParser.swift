/// Reads a `Request` that publishes a `TaskEventReported` straight from the frame's bytes
/// into a ``TaskEventReported``: no protobuf-c unpack, no C message to convert and free.
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

    /// Reads the task event published by the `Request` in `frame` into `event`, which must
    /// come in empty (`TaskEventReported()`): the fields are written where the caller keeps
    /// them, so a task event's thirteen strings are never copied or moved on the way in.
    /// - Returns: the publish's ids, or `nil` when `frame` is anything else or anything this
    ///   reader leaves to protobuf-c (`event` then holds whatever was read before: discard it).
    public static func parse(_ frame: UnsafeRawBufferPointer, into event: inout TaskEventReported) -> Identifiers? {
        var interner: TextInterner? = nil
        return parse(frame, into: &event, interning: &interner)
    }

    /// ``parse(_:into:)``, with the task's name taken from `interner` (the connection's) when
    /// it holds it: a name comes in every task of that name, and each task's record then
    /// shares one string. (Ids are not interned: a task's record keeps the first event's, and
    /// looking the others up cost more than making them.)
    public static func parse(_ frame: UnsafeRawBufferPointer, into event: inout TaskEventReported, interning interner: inout TextInterner?) -> Identifiers? {
        guard case (let ids, let bytes)? = taskEventMessage(in: frame), parseTaskEvent(bytes, into: &event, interning: &interner) else { return nil }
        return ids
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

    /// The texts redaction reads (args, kwargs, the error's message and traceback, the payload)
    /// of the task event published by the `Request` in `frame`, where they lie in `frame`: no
    /// string is made and nothing is allocated, so another thread can check them for secrets
    /// while the event loop works. `nil` exactly when ``parse(_:into:)`` returns `nil`, and the
    /// texts are then the bytes ``parse(_:into:)`` would make its strings of.
    public static func texts(of frame: UnsafeRawBufferPointer) -> TaskEventTexts? {
        guard case (_, let bytes)? = taskEventMessage(in: frame) else { return nil }
        var texts = TaskEventTexts()
        let read = walkFields(of: bytes) { field, _, text in
            switch field {
            case 10: texts.args = text
            case 11: texts.kwargs = text
            case 13: texts.excMessage = text
            case 14: texts.traceback = text
            case 15: texts.payload = text
            default: break
            }
        }
        return read ? texts : nil
    }

    private static func parseTaskEvent(_ bytes: UnsafeRawBufferPointer, into event: inout TaskEventReported, interning interner: inout TextInterner?) -> Bool {
        walkFields(of: bytes) { field, value, text in
            switch field {
            case 3: event.kind = WireTaskEventKind(rawValue: Int32(truncatingIfNeeded: value)) ?? .unspecified
            case 4: event.ts = Int64(bitPattern: value)
            case 5: event.attempt = UInt32(truncatingIfNeeded: value)
            case 6 where interner != nil: event.name = interner?.string(text) ?? ""
            default:
                let string = text.isEmpty ? "" : String(decoding: text, as: UTF8.self)
                switch field {
                case 1: event.taskID = string
                case 2: event.engine = string
                case 6: event.name = string
                case 7: event.queue = string
                case 8: event.groupID = string
                case 9: event.retriedAs = string
                case 10: event.argsJSON = string
                case 11: event.kwargsJSON = string
                case 12: event.excType = string
                case 13: event.excMessage = string
                case 14: event.traceback = string
                default: event.payloadJSON = string
                }
            }
        }
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
