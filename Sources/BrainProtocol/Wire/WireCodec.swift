internal import CBrainWire

/// Encodes and decodes ``BrainRequest`` and ``BrainResponse`` through protobuf-c.
///
/// This is the only place that unpacks protobuf-c messages: each decode copies every
/// value into Swift types and frees the C tree before it returns.
public enum WireCodec {
    // MARK: Requests

    /// Decodes one frame body as a `Request`.
    /// - Throws: ``BrainError`` with `INVALID_ARGUMENT` when the bytes are not a valid `Request`.
    public static func decodeRequest(_ bytes: UnsafeRawBufferPointer) throws(BrainError) -> BrainRequest {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard let message = brain__v1__request__unpack(nil, bytes.count, base) else {
            throw BrainError(.invalidArgument, "frame of \(bytes.count) bytes is not a valid brain.v1.Request")
        }
        defer { brain__v1__request__free_unpacked(message, nil) }
        return BrainRequest(message.pointee)
    }

    /// Decodes a `Request` with the ingestion fast path: a published step is handed to
    /// `step` as a view into decoder memory (no Swift strings are made): the step reader
    /// (``StepFrameParser``) first, protobuf-c for everything it leaves; anything else is
    /// converted and handed to `other`.
    /// - Throws: ``BrainError`` with `INVALID_ARGUMENT` when the bytes are not a valid `Request`.
    public static func withDecodedRequest<R>(
        _ bytes: UnsafeRawBufferPointer, scratch: DecodeScratch,
        step: (_ callID: UInt64, _ eventSeq: UInt64, StepReportedView) -> R,
        other: (BrainRequest) -> R
    ) throws(BrainError) -> R {
        if let parsed = StepFrameParser.parse(bytes) {
            return step(parsed.callID, parsed.eventSeq, parsed.step)
        }
        return try withUnpackedRequest(bytes, scratch: scratch, step: step, other: other)
    }

    /// protobuf-c's reading of a `Request`, with a published step handed over as a view
    /// into decoder memory. Public so tests can hold ``StepFrameParser`` to it.
    public static func withUnpackedRequest<R>(
        _ bytes: UnsafeRawBufferPointer, scratch: DecodeScratch,
        step: (_ callID: UInt64, _ eventSeq: UInt64, StepReportedView) -> R,
        other: (BrainRequest) -> R
    ) throws(BrainError) -> R {
        let result: Result<R, BrainError> = scratch.withAllocator { allocator in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard let message = brain__v1__request__unpack(allocator, bytes.count, base) else {
                return .failure(BrainError(.invalidArgument, "frame of \(bytes.count) bytes is not a valid brain.v1.Request"))
            }
            defer { brain__v1__request__free_unpacked(message, allocator) }
            let request = message.pointee
            if request.method_case == BRAIN__V1__REQUEST__METHOD_PUBLISH, let event = request.publish,
                event.pointee.event_case == BRAIN__V1__AGENT_EVENT__EVENT_STEP, let reported = event.pointee.step
            {
                let c = reported.pointee
                let view = StepReportedView(
                    runID: rawBytes(c.run_id), seq: c.seq, stepName: rawBytes(c.step_name), status: StepStatus(c.status),
                    inputJSON: rawBytes(c.input_json), outputJSON: rawBytes(c.output_json), error: rawBytes(c.error),
                    durationMs: c.duration_ms, startedAt: c.started_at
                )
                return .success(step(request.call_id, event.pointee.seq, view))
            }
            return .success(other(BrainRequest(request)))
        }
        return try result.get()
    }

    /// Writes `request` as one frame (length prefix and body) through `output`.
    public static func writeFrame<Output: FrameOutput>(_ request: BrainRequest, into output: inout Output) {
        let arena = CArena()
        let message = request.c(arena)
        withUnsafePointer(to: &message.pointee.base) { base in
            writeFrame(packing: base, into: &output)
        }
    }

    // MARK: Responses

    /// Decodes one frame body as a `Response`.
    public static func decodeResponse(_ bytes: UnsafeRawBufferPointer) throws(BrainError) -> BrainResponse {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard let message = brain__v1__response__unpack(nil, bytes.count, base) else {
            throw BrainError(.invalidArgument, "frame of \(bytes.count) bytes is not a valid brain.v1.Response")
        }
        defer { brain__v1__response__free_unpacked(message, nil) }
        return BrainResponse(message.pointee)
    }

    /// Writes `response` as one frame (length prefix and body) through `output`.
    public static func writeFrame<Output: FrameOutput>(_ response: BrainResponse, into output: inout Output) {
        let arena = CArena()
        let message = response.c(arena)
        withUnsafePointer(to: &message.pointee.base) { base in
            writeFrame(packing: base, into: &output)
        }
    }

    /// Appends a cumulative ack frame without building a message tree: the hot path sends
    /// one per read batch.
    public static func writeAckFrame<Output: FrameOutput>(ackedSeq: UInt64, into output: inout Output) {
        var ack = Brain__V1__Ack()
        brain__v1__ack__init(&ack)
        ack.acked_seq = ackedSeq
        var response = Brain__V1__Response()
        brain__v1__response__init(&response)
        withUnsafeMutablePointer(to: &ack) { ackPointer in
            response.result_case = BRAIN__V1__RESPONSE__RESULT_ACK
            response.ack = ackPointer
            withUnsafePointer(to: &response.base) { base in writeFrame(packing: base, into: &output) }
        }
    }

    /// The bytes of `request` without a length prefix (for golden-bytes tests and recordings).
    public static func encode(_ request: BrainRequest) -> [UInt8] {
        var bytes: [UInt8] = []
        writeFrame(request, into: &bytes)
        return Array(bytes.dropFirst(4))
    }

    /// The bytes of `response` without a length prefix.
    public static func encode(_ response: BrainResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        writeFrame(response, into: &bytes)
        return Array(bytes.dropFirst(4))
    }

    private static func writeFrame<Output: FrameOutput>(packing message: UnsafePointer<ProtobufCMessage>, into output: inout Output) {
        let size = protobuf_c_message_get_packed_size(message)
        output.write(4 + size) { memory in
            Output.storeLength(size, at: memory)
            guard size > 0, let base = memory.baseAddress else { return 4 }
            return 4 + protobuf_c_message_pack(message, (base + 4).assumingMemoryBound(to: UInt8.self))
        }
    }
}
