internal import CBrainWire
public import NIOCore

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
    /// `step` as a view into decoder memory (no Swift strings are made); anything else is
    /// converted and handed to `other`.
    /// - Throws: ``BrainError`` with `INVALID_ARGUMENT` when the bytes are not a valid `Request`.
    public static func withDecodedRequest<R>(
        _ buffer: ByteBuffer, scratch: DecodeScratch,
        step: (_ callID: UInt64, _ eventSeq: UInt64, StepReportedView) -> R,
        other: (BrainRequest) -> R
    ) throws(BrainError) -> R {
        try buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(BrainError) -> R in try withDecodedRequest(bytes, scratch: scratch, step: step, other: other) }
        }.get()
    }

    /// The same for a frame body in memory: the step reader (``StepFrameParser``) first,
    /// protobuf-c for everything it leaves.
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

    /// Decodes the readable bytes of `buffer` as a `Request`.
    public static func decodeRequest(_ buffer: ByteBuffer) throws(BrainError) -> BrainRequest {
        try buffer.withUnsafeReadableBytes { bytes in Result { () throws(BrainError) in try decodeRequest(bytes) } }.get()
    }

    /// Appends `request` as one frame (length prefix and body) to `buffer`.
    public static func writeFrame(_ request: BrainRequest, into buffer: inout ByteBuffer) {
        let arena = CArena()
        let message = request.c(arena)
        withUnsafePointer(to: &message.pointee.base) { base in
            writeFrame(packing: base, into: &buffer)
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

    /// Decodes the readable bytes of `buffer` as a `Response`.
    public static func decodeResponse(_ buffer: ByteBuffer) throws(BrainError) -> BrainResponse {
        do {
            return try buffer.withUnsafeReadableBytes { bytes in try decodeResponse(bytes) }
        } catch let error as BrainError {
            throw error
        } catch {
            throw BrainError(.invalidArgument, "\(error)")
        }
    }

    /// Appends `response` as one frame (length prefix and body) to `buffer`.
    public static func writeFrame(_ response: BrainResponse, into buffer: inout ByteBuffer) {
        let arena = CArena()
        let message = response.c(arena)
        withUnsafePointer(to: &message.pointee.base) { base in
            writeFrame(packing: base, into: &buffer)
        }
    }

    /// Appends a cumulative ack frame without building a message tree: the hot path sends
    /// one per read batch.
    public static func writeAckFrame(ackedSeq: UInt64, into buffer: inout ByteBuffer) {
        var ack = Brain__V1__Ack()
        brain__v1__ack__init(&ack)
        ack.acked_seq = ackedSeq
        var response = Brain__V1__Response()
        brain__v1__response__init(&response)
        withUnsafeMutablePointer(to: &ack) { ackPointer in
            response.result_case = BRAIN__V1__RESPONSE__RESULT_ACK
            response.ack = ackPointer
            withUnsafePointer(to: &response.base) { base in writeFrame(packing: base, into: &buffer) }
        }
    }

    /// The bytes of `request` without a length prefix (for golden-bytes tests and recordings).
    public static func encode(_ request: BrainRequest) -> [UInt8] {
        var buffer = ByteBuffer()
        writeFrame(request, into: &buffer)
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The bytes of `response` without a length prefix.
    public static func encode(_ response: BrainResponse) -> [UInt8] {
        var buffer = ByteBuffer()
        writeFrame(response, into: &buffer)
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    private static func writeFrame(packing message: UnsafePointer<ProtobufCMessage>, into buffer: inout ByteBuffer) {
        let size = protobuf_c_message_get_packed_size(message)
        buffer.reserveCapacity(minimumWritableBytes: 4 + size)
        buffer.writeInteger(UInt32(truncatingIfNeeded: size), endianness: .big)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pointer in
            guard size > 0, let base = pointer.baseAddress else { return 0 }
            return protobuf_c_message_pack(message, base.assumingMemoryBound(to: UInt8.self))
        }
    }
}
