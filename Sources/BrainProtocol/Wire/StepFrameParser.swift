/// Reads the one message shape that dominates ingest, a `Request` that publishes a
/// `StepReported`, straight from the frame's bytes: no unpack, no allocation, no copy.
///
/// It is a fast lane, not a second decoder: anything it is not sure to read exactly as
/// protobuf-c would (a field it does not expect, a field seen twice, a varint too long for
/// its type, a zero byte anywhere in the step, as a string holding U+0000 has, which
/// protobuf-c cuts) makes it return `nil`, and the caller decodes the frame with
/// protobuf-c. A differential test holds the two to the same answers.
public enum StepFrameParser {
    /// A publish of a step, read in place; the view points into the parsed bytes.
    public struct Parsed {
        public var callID: UInt64
        public var eventSeq: UInt64
        public var step: StepReportedView
    }

    /// The step published by the `Request` in `frame`, or `nil` when `frame` is anything
    /// else or anything this reader leaves to protobuf-c.
    public static func parse(_ frame: UnsafeRawBufferPointer) -> Parsed? {
        // Request{call_id = 1, publish = 12}, then AgentEvent{seq = 1, step = 12}: the same shape.
        guard case (let callID, let event)? = WireFieldReader.numberAndMessage(frame, field: 12),
            case (let eventSeq, let stepBytes)? = WireFieldReader.numberAndMessage(event, field: 12)
        else { return nil }
        // One scan for U+0000 over the whole step instead of one per string: protobuf-c never
        // writes a zero byte outside a string (proto3 leaves zero scalars out, and a varint's
        // last byte is 0 only for the value 0), so a step without one has no NUL in any string;
        // a step with one, from any encoder, is left to protobuf-c.
        guard !WireFieldReader.containsNUL(stepBytes), let step = parseStep(stepBytes) else { return nil }
        return Parsed(callID: callID, eventSeq: eventSeq, step: step)
    }

    private static func parseStep(_ bytes: UnsafeRawBufferPointer) -> StepReportedView? {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        var view = StepReportedView(
            runID: empty, seq: 0, stepName: empty, status: .unspecified, inputJSON: empty, outputJSON: empty, error: empty,
            durationMs: 0, startedAt: 0
        )
        guard let base = bytes.baseAddress else { return view }
        var reader = WireFieldReader(base: base, end: base + bytes.count)
        var seen: UInt16 = 0
        while reader.more {
            guard let (field, wireType) = reader.nextField(upTo: 9, seen: &seen) else { return nil }
            switch field {
            case 1, 3, 5, 6, 7:
                guard wireType == 2, let text = reader.lengthDelimited() else { return nil }
                switch field {
                case 1: view.runID = text
                case 3: view.stepName = text
                case 5: view.inputJSON = text
                case 6: view.outputJSON = text
                default: view.error = text
                }
            default:
                guard wireType == 0, let value = reader.varint() else { return nil }
                switch field {
                case 2:
                    guard value <= UInt64(UInt32.max) else { return nil }
                    view.seq = UInt32(value)
                case 4:
                    // An open enum: protobuf-c keeps any int32; unknown values read as unspecified.
                    guard value <= UInt64(Int32.max) else { return nil }
                    view.status = StepStatus(rawValue: Int32(value)) ?? .unspecified
                case 8: view.durationMs = value
                default: view.startedAt = Int64(bitPattern: value)
                }
            }
        }
        return view
    }
}
