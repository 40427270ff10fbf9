import BrainFraming
import BrainProtocol
import NIOCore
import Testing

/// Fixed messages encode to exactly the bytes Python's `protobuf` produces, and Python's
/// bytes decode to the same values: the Swift codec interoperates with other clients.
///
/// The constants were generated once with (from /work/main):
///
///     python3 -c "
///     import sys; sys.path.insert(0, 'clients/python/brain_client')
///     import brain_pb2 as pb
///     print(pb.Request(call_id=7, hello=pb.HelloRequest(agent_name='agent-é', project='proj', token='t0k',
///         protocol_version=1, framework_adapter='fw', engine_adapters=['a', 'b'], scheduler_adapters=['s'],
///         capabilities_json='{}', metadata_json='{\"k\":1}')).SerializeToString().hex())
///     print(pb.Request(call_id=0, publish=pb.AgentEvent(seq=300, step=pb.StepReported(
///         run_id='123e4567-e89b-12d3-a456-426614174000', seq=2, step_name='fetch', status=pb.STEP_STATUS_OK,
///         input_json='[1]', output_json='\"x\"', duration_ms=1500, started_at=1700000000000000000))).SerializeToString().hex())
///     print(pb.Request(call_id=5, publish=pb.AgentEvent(seq=1, run_created=pb.RunCreated(goal='g',
///         initial_status=pb.RUN_STATUS_RUNNING, timeout_ms=60000, created_at=-1))).SerializeToString().hex())
///     print(pb.Request(call_id=3, list_runs=pb.ListRunsRequest(statuses=[pb.RUN_STATUS_QUEUED, pb.RUN_STATUS_FAILED],
///         limit=10)).SerializeToString().hex())
///     print(pb.Response(ack=pb.Ack(acked_seq=42)).SerializeToString().hex())
///     print(pb.Response(call_id=9, status=pb.Status(code=pb.NOT_FOUND, message='run x does not exist'),
///         end_of_stream=True).SerializeToString().hex())
///     "
@Suite("Golden bytes shared with Python protobuf")
struct GoldenBytesTests {
    static let helloHex = "080752310a086167656e742dc3a9120470726f6a1a0374306b20012a0266773201613201623a017342027b7d4a077b226b223a317d"
    static let stepHex =
        "624d08ac0262480a2431323365343536372d653839622d313264332d613435362d34323636313431373430303010021a05666574636820012a035b315d320322782240dc0b488080a8b1e39fe7cb17"
    static let runCreatedHex = "080562180801521412016750e0d403580260ffffffffffffffffff01"
    static let listRunsHex = "08038a02060a020105480a"
    static let ackHex = "6202082a"
    static let notFoundHex = "080912180805121472756e207820646f6573206e6f742065786973741801"

    static var hello: BrainRequest {
        BrainRequest(
            callID: 7,
            method: .hello(
                Hello(
                    agentName: "agent-é", project: "proj", token: "t0k", protocolVersion: 1, frameworkAdapter: "fw",
                    engineAdapters: ["a", "b"], schedulerAdapters: ["s"], capabilitiesJSON: "{}", metadataJSON: "{\"k\":1}"
                )))
    }

    static var step: BrainRequest {
        var step = StepReported(runID: "123e4567-e89b-12d3-a456-426614174000", seq: 2, stepName: "fetch", status: .ok)
        step.inputJSON = "[1]"
        step.outputJSON = "\"x\""
        step.durationMs = 1_500
        step.startedAt = 1_700_000_000_000_000_000
        return BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 300, kind: .step(step))))
    }

    static var runCreated: BrainRequest {
        var created = RunCreated(goal: "g")
        created.initialStatus = .running
        created.timeoutMs = 60_000
        created.createdAt = -1
        return BrainRequest(callID: 5, method: .publish(AgentEvent(seq: 1, kind: .runCreated(created))))
    }

    static var listRuns: BrainRequest {
        var query = ListRunsQuery()
        query.statuses = [.queued, .failed]
        query.limit = 10
        return BrainRequest(callID: 3, method: .listRuns(query))
    }

    static let requestCases: [(name: String, hex: String, request: BrainRequest)] = [
        ("hello", helloHex, hello),
        ("publish step", stepHex, step),
        ("publish run_created with a negative time", runCreatedHex, runCreated),
        ("list_runs with packed statuses", listRunsHex, listRuns),
    ]

    static let responseCases: [(name: String, hex: String, response: BrainResponse)] = [
        ("ack", ackHex, .ok(0, .ack(ackedSeq: 42))),
        (
            "not found, end of stream", notFoundHex,
            BrainResponse(callID: 9, error: BrainError(.notFound, "run x does not exist"), endOfStream: true)
        ),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append(UInt8(nibble(high) << 4 | nibble(low)))
        }
        return result
    }

    static func nibble(_ character: UInt8) -> Int {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(character - UInt8(ascii: "0"))
        default: Int(character - UInt8(ascii: "a")) + 10
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("the hex helpers invert each other")
    func hexHelpers() {
        #expect(Self.bytes("00ff10a5") == [0x00, 0xFF, 0x10, 0xA5])
        #expect(Self.hex([0x00, 0xFF, 0x10, 0xA5]) == "00ff10a5")
    }

    @Test("requests encode to Python's bytes", arguments: 0..<requestCases.count)
    func requestEncodesToGolden(_ index: Int) {
        let golden = Self.requestCases[index]
        #expect(Self.hex(WireCodec.encode(golden.request)) == golden.hex, "\(golden.name)")
    }

    @Test("Python's request bytes decode to the same values", arguments: 0..<requestCases.count)
    func goldenDecodesToRequest(_ index: Int) throws {
        let golden = Self.requestCases[index]
        let decoded = try WireCodec.decodeRequest(ByteBuffer(bytes: Self.bytes(golden.hex)))
        #expect(decoded == golden.request, "\(golden.name)")
    }

    @Test("responses encode to Python's bytes and decode back", arguments: 0..<responseCases.count)
    func responseGolden(_ index: Int) throws {
        let golden = Self.responseCases[index]
        #expect(Self.hex(WireCodec.encode(golden.response)) == golden.hex, "\(golden.name)")
        #expect(try WireCodec.decodeResponse(ByteBuffer(bytes: Self.bytes(golden.hex))) == golden.response, "\(golden.name)")
    }

    @Test("writeAckFrame writes a big-endian length prefix and Python's ack bytes")
    func ackFrameGolden() {
        var buffer = ByteBuffer()
        WireCodec.writeAckFrame(ackedSeq: 42, into: &buffer)
        let written = buffer.readBytes(length: buffer.readableBytes)
        #expect(written == [0, 0, 0, 4] + Self.bytes(Self.ackHex))
    }

    @Test("writeFrame prefixes the hello with its length, big-endian")
    func helloFrameGolden() {
        var buffer = ByteBuffer()
        WireCodec.writeFrame(Self.hello, into: &buffer)
        let body = Self.bytes(Self.helloHex)
        let written = buffer.readBytes(length: buffer.readableBytes)
        #expect(written == [0, 0, 0, UInt8(body.count)] + body)
    }
}
