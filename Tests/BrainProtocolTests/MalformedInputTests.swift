import BrainFraming
import BrainProtocol
import NIOCore
import Testing

/// Bytes that are not a `Request` are refused with INVALID_ARGUMENT; bytes from a newer
/// peer (unknown fields, methods, event kinds) decode to `.unknown` instead of failing.
@Suite("Malformed and unknown input")
struct MalformedInputTests {
    /// Each is also refused by Python's protobuf (`Request().ParseFromString(bytes.fromhex(hex))` raises).
    static let garbage: [(name: String, bytes: [UInt8])] = [
        ("a tag with its varint value missing", [0x08]),
        ("a varint longer than ten bytes", [UInt8](repeating: 0xFF, count: 11)),
        ("a length-delimited field running past the end", [0x62, 0x05, 0x08]),
        ("wire type 7", [0x0F]),
        ("field number 0", [0x00, 0x01]),
        ("a run of high bytes", [0xDE, 0xAD, 0xBE, 0xEF]),
        ("a nested string whose length runs past its message", [0x52, 0x03, 0x0A, 0xFF, 0x01]),
        ("an end-group tag with no start", [0x0C]),
        ("a length of 2^64 - 1", [0x62] + [UInt8](repeating: 0xFF, count: 9) + [0x01]),
    ]

    @Test("garbage bytes throw INVALID_ARGUMENT from decodeRequest", arguments: 0..<garbage.count)
    func garbageRequest(_ index: Int) {
        let sample = Self.garbage[index]
        let error = #expect(throws: BrainError.self, "\(sample.name)") {
            try WireCodec.decodeRequest(ByteBuffer(bytes: sample.bytes))
        }
        #expect(error?.code == .invalidArgument, "\(sample.name)")
        #expect(error?.message.contains("\(sample.bytes.count) bytes") == true, "\(sample.name)")
    }

    @Test("garbage bytes throw INVALID_ARGUMENT from the pointer overload too", arguments: 0..<garbage.count)
    func garbageRequestFromPointer(_ index: Int) {
        let sample = Self.garbage[index]
        let error = #expect(throws: BrainError.self, "\(sample.name)") {
            try sample.bytes.withUnsafeBytes { try WireCodec.decodeRequest($0) }
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("garbage bytes throw INVALID_ARGUMENT from decodeResponse", arguments: 0..<garbage.count)
    func garbageResponse(_ index: Int) {
        let sample = Self.garbage[index]
        let error = #expect(throws: BrainError.self, "\(sample.name)") {
            try WireCodec.decodeResponse(ByteBuffer(bytes: sample.bytes))
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("an empty Request body decodes to .unknown with call id 0")
    func emptyBodyIsUnknown() throws {
        #expect(try WireCodec.decodeRequest(ByteBuffer()) == BrainRequest(callID: 0, method: .unknown))
        let fromPointer = try [UInt8]().withUnsafeBytes { try WireCodec.decodeRequest($0) }
        #expect(fromPointer == BrainRequest(callID: 0, method: .unknown))
    }

    @Test("an empty Response body decodes to call id 0, no error, no result")
    func emptyResponseBody() throws {
        #expect(try WireCodec.decodeResponse(ByteBuffer()) == BrainResponse(callID: 0))
    }

    @Test("a request with only a call id decodes to .unknown keeping the call id")
    func callIDOnly() throws {
        #expect(try WireCodec.decodeRequest(ByteBuffer(bytes: [0x08, 0x04])) == BrainRequest(callID: 4, method: .unknown))
    }

    @Test("a method this build does not know (field 57) decodes to .unknown keeping the call id")
    func newerMethodIsUnknown() throws {
        // call_id = 4, then field 57 (length-delimited, empty): tag (57 << 3) | 2 = 458 = 0xCA 0x03.
        let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: [0x08, 0x04, 0xCA, 0x03, 0x00]))
        #expect(decoded == BrainRequest(callID: 4, method: .unknown))
    }

    @Test("unknown fields inside a known method are skipped")
    func unknownFieldIgnored() throws {
        // call_id = 2, get_status = {field 99: varint 1} (tag 99 << 3 = 792 = 0x98 0x06).
        let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: [0x08, 0x02, 0xF2, 0x01, 0x03, 0x98, 0x06, 0x01]))
        #expect(decoded == BrainRequest(callID: 2, method: .getStatus))
    }

    @Test("an agent event of a kind reserved for later (field 20) decodes to kind .unknown")
    func reservedEventKindIsUnknown() throws {
        // publish (field 12) = AgentEvent { seq: 9, field 20: empty message }: tag (20 << 3) | 2 = 162 = 0xA2 0x01.
        let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: [0x62, 0x05, 0x08, 0x09, 0xA2, 0x01, 0x00]))
        #expect(decoded == BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 9, kind: .unknown))))
    }

    @Test("enum values from a newer peer map to the zero case")
    func unknownEnumValues() throws {
        // publish = AgentEvent { seq: 1, step: StepReported { seq: 1, status: 9 } }.
        let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: [0x62, 0x08, 0x08, 0x01, 0x62, 0x04, 0x10, 0x01, 0x20, 0x09]))
        guard case .publish(let event) = decoded.method, case .step(let step) = event.kind else {
            Issue.record("expected a published step, got \(decoded)")
            return
        }
        #expect(step.status == .unspecified)
        #expect(step.seq == 1)
    }
}
