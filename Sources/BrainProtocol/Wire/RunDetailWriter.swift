/// A GetRun reply, `Response { call_id, run: RunDetail }`, written straight from what the
/// brain stores: the run's fields, its children's ids, and each step's bytes, with no
/// `StepInfo` strings and no protobuf-c structs in between.
///
/// Why: building the reply through ``WireCodec`` (a `RunDetail` of Swift strings, each
/// converted to a C string, then packed) took about 8.5 µs of a 16 µs call on one CPU.
/// The bytes are the same as ``WireCodec/writeFrame(_:into:)-(BrainResponse,_)`` writes;
/// a differential test holds them together.
public struct RunDetailWriter {
    /// A stored step's fields, its texts as bytes valid while the writer is called.
    public struct Step {
        public var seq: UInt32
        public var status: StepStatus
        public var name: UnsafeRawBufferPointer
        public var input: UnsafeRawBufferPointer
        public var output: UnsafeRawBufferPointer
        public var error: UnsafeRawBufferPointer
        public var durationMs: UInt64
        public var startedAt: Int64
        public var receivedAt: Int64

        public init(
            seq: UInt32, status: StepStatus, name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer,
            output: UnsafeRawBufferPointer, error: UnsafeRawBufferPointer, durationMs: UInt64, startedAt: Int64, receivedAt: Int64
        ) {
            self.seq = seq
            self.status = status
            self.name = name
            self.input = input
            self.output = output
            self.error = error
            self.durationMs = durationMs
            self.startedAt = startedAt
            self.receivedAt = receivedAt
        }
    }

    private let callID: UInt64
    private let runID: String
    /// The `RunDetail` message's fields.
    private var detail = ProtoWriter(capacity: 4_096)

    /// Starts the reply with the run and its children; the steps follow with ``append(_:)``.
    public init(callID: UInt64, run: RunInfo, childRunIDs: [String]) {
        self.callID = callID
        self.runID = run.runID
        detail.message(1) { run.encode(into: &$0) }
        for child in childRunIDs { detail.repeatedString(2, child) }
    }

    /// Adds one step (`RunDetail.steps`), in order.
    public mutating func append(_ step: Step) {
        let runID = self.runID
        detail.message(3) { info in
            info.string(1, runID)
            info.unsigned(2, UInt64(step.seq))
            info.string(3, bytes: step.name)
            info.enumeration(4, step.status.rawValue)
            info.string(5, bytes: step.input)
            info.string(6, bytes: step.output)
            info.string(7, bytes: step.error)
            info.unsigned(8, step.durationMs)
            info.signed(9, step.startedAt)
            info.signed(10, step.receivedAt)
        }
    }

    /// The `Response` message (without the frame's length prefix).
    public var responseBytes: [UInt8] {
        var bytes: [UInt8] = []
        writeFrame(into: &bytes)
        return Array(bytes.dropFirst(4))
    }

    /// Appends the reply as one frame: a 4-byte big-endian length, then the `Response`: the
    /// call id (field 1, omitted when 0), the `run` field's tag (34) and length, and the
    /// `RunDetail`'s bytes.
    public func writeFrame<Output: FrameOutput>(into output: inout Output) {
        let detailLength = UInt64(detail.bytes.count)
        let runTag = UInt64(34 << 3 | 2)
        var headLength = Varint.size(runTag) + Varint.size(detailLength)
        if callID != 0 { headLength += 1 + Varint.size(callID) }
        let frameLength = 4 + headLength + detail.bytes.count
        output.write(frameLength) { memory in
            guard let base = memory.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
            Output.storeLength(headLength + detail.bytes.count, at: memory)
            var offset = 4
            if callID != 0 {
                base[offset] = UInt8(1 << 3)
                offset += 1
                offset += Varint.write(callID, to: base + offset)
            }
            offset += Varint.write(runTag, to: base + offset)
            offset += Varint.write(detailLength, to: base + offset)
            detail.bytes.withUnsafeBytes { body in
                UnsafeMutableRawBufferPointer(rebasing: memory[offset..<(offset + body.count)]).copyMemory(from: body)
            }
            return offset + detail.bytes.count
        }
    }
}

extension RunInfo {
    /// The `RunInfo` message's fields, in field-number order.
    func encode(into writer: inout ProtoWriter) {
        writer.string(1, runID)
        writer.string(2, agentID)
        writer.string(3, agentName)
        writer.string(4, project)
        writer.enumeration(5, status.rawValue)
        writer.string(6, goal)
        writer.string(7, targetURL)
        writer.string(8, initiatedBy)
        writer.string(9, runType)
        writer.string(10, workflowJSON)
        writer.string(11, inputJSON)
        writer.string(12, metadataJSON)
        writer.string(13, parentRunID)
        writer.unsigned(14, timeoutMs)
        writer.unsigned(15, UInt64(stepCount))
        writer.string(16, resultJSON)
        writer.string(17, errorType)
        writer.string(18, errorMessage)
        writer.unsigned(19, UInt64(failedAtStep))
        writer.string(20, errorContextJSON)
        writer.signed(21, createdAt)
        writer.signed(22, updatedAt)
        writer.signed(23, completedAt)
        writer.signed(24, deletedAt)
    }
}
