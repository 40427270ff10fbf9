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
    /// A publish of a task event.
    public struct Parsed {
        public var callID: UInt64
        public var eventSeq: UInt64
        public var event: TaskEventReported
    }

    /// The task event published by the `Request` in `frame`, or `nil` when `frame` is
    /// anything else or anything this reader leaves to protobuf-c.
    public static func parse(_ frame: UnsafeRawBufferPointer) -> Parsed? {
        // Request{call_id = 1, publish = 12}, then AgentEvent{seq = 1, task_event = 13}.
        guard case (let callID, let event)? = WireFieldReader.numberAndMessage(frame, field: 12),
            case (let eventSeq, let bytes)? = WireFieldReader.numberAndMessage(event, field: 13),
            !WireFieldReader.containsNUL(bytes), let reported = parseTaskEvent(bytes)
        else { return nil }
        return Parsed(callID: callID, eventSeq: eventSeq, event: reported)
    }

    private static func parseTaskEvent(_ bytes: UnsafeRawBufferPointer) -> TaskEventReported? {
        var event = TaskEventReported()
        guard let base = bytes.baseAddress else { return event }
        var reader = WireFieldReader(base: base, end: base + bytes.count)
        var seen: UInt16 = 0
        while reader.more {
            guard let tag = reader.varint(), tag < 1 << 32 else { return nil }
            let field = Int(tag >> 3)
            guard field >= 1, field <= 15 else { return nil }
            let bit = UInt16(1) << field
            guard seen & bit == 0 else { return nil }
            seen |= bit
            let wireType = tag & 7
            switch field {
            case 3, 4, 5:
                guard wireType == 0, let value = reader.varint() else { return nil }
                switch field {
                case 3:
                    // An open enum: protobuf-c keeps any int32; unknown values read as unspecified.
                    guard value <= UInt64(Int32.max) else { return nil }
                    event.kind = WireTaskEventKind(rawValue: Int32(value)) ?? .unspecified
                case 4: event.ts = Int64(bitPattern: value)
                default:
                    guard value <= UInt64(UInt32.max) else { return nil }
                    event.attempt = UInt32(value)
                }
            default:
                guard wireType == 2, let text = reader.lengthDelimited() else { return nil }
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
        return event
    }
}
