import BrainFraming
import BrainProtocol
import NIOCore
import Testing

/// `WireCodec.encode` then `decodeResponse` gives back the same response, for every result.
@Suite("Response codec round trips")
struct ResponseCodecRoundTripTests {
    /// Exhaustive, so a new result case fails to compile here until it gets a fixture.
    static func caseName(_ result: BrainResponse.Result) -> String {
        switch result {
        case .welcome: "welcome"
        case .heartbeat: "heartbeat"
        case .ack: "ack"
        case .rejected: "rejected"
        case .statusReply: "statusReply"
        case .agents: "agents"
        case .createdAgent: "createdAgent"
        case .runs: "runs"
        case .run: "run"
        case .steps: "steps"
        case .runInfo: "runInfo"
        case .persistenceErrors: "persistenceErrors"
        case .watchEvent: "watchEvent"
        case .cancelCall: "cancelCall"
        case .stats: "stats"
        case .snapshot: "snapshot"
        case .agentCommand: "agentCommand"
        case .projects: "projects"
        case .projectInfo: "projectInfo"
        case .tasks: "tasks"
        case .task: "task"
        case .taskStats: "taskStats"
        case .commandInfo: "commandInfo"
        case .commands: "commands"
        case .schedules: "schedules"
        case .schedule: "schedule"
        }
    }

    static let allCaseNames: Set<String> = [
        "welcome", "heartbeat", "ack", "rejected", "statusReply", "agents", "createdAgent", "runs", "run", "steps",
        "runInfo", "persistenceErrors", "watchEvent", "cancelCall", "stats", "snapshot", "agentCommand", "projects", "projectInfo", "tasks", "task",
        "taskStats", "commandInfo", "commands", "schedules", "schedule",
    ]

    static var statusReply: StatusReply {
        var reply = StatusReply()
        reply.version = "0.1.0-β"
        reply.startedAt = WireFixtures.time
        reply.uptimeMs = UInt64.max
        reply.socketPath = "/run/user/1000/brain/brain.sock"
        reply.dataDir = "/home/zoë/.local/state/brain"
        reply.agents = AgentCounts(online: 3, offline: 4, unknown: UInt32.max)
        reply.lastSnapshotAt = WireFixtures.time - 1
        reply.runs = WireFixtures.runCounts
        reply.steps = 1 << 40
        reply.journalBytes = 12_345
        reply.persistenceFault = "journal write failed: ENOSPC"
        reply.persistenceErrors = 9
        reply.fsyncPolicy = "batch"
        var sweep = RetentionSweepInfo()
        sweep.at = WireFixtures.time
        sweep.runs = 1
        sweep.tasks = UInt64.max
        sweep.taskEventTrims = 3
        sweep.sinkRows = 4
        sweep.commands = 5
        sweep.truncated = true
        reply.lastRetentionSweep = sweep
        return reply
    }

    static var statsReply: StatsReply {
        var stats = StatsReply()
        stats.runs = WireFixtures.runCounts
        stats.steps = 77
        stats.eventsApplied = UInt64.max
        stats.eventsPerSecond = 12_345.678_9
        stats.persistenceErrors = 3
        stats.connections = 250
        return stats
    }

    static let welcome = Welcome(
        agentID: "9d1c0f5e-0000-8000-8000-000000000001", heartbeatIntervalMs: 2_000, heartbeatTimeoutMs: UInt32.max,
        lastSeq: UInt64.max, registered: true, protocolVersion: 1, project: "projet-é"
    )

    /// Every result: the run results here, the task, project, command and schedule ones from
    /// ``TaskCodecRoundTripTests``.
    static let responses = runResponses + TaskCodecRoundTripTests.results.enumerated().map { BrainResponse.ok(UInt64(100 + $0.offset), $0.element) }

    static let runResponses: [BrainResponse] = [
        .ok(1, .welcome(welcome)),
        .ok(2, .heartbeat(receivedAt: Int64.min)),
        .ok(0, .ack(ackedSeq: UInt64.max)),
        BrainResponse(callID: 3, error: BrainError(.alreadyExists, "step 3 differs ✗"), result: .rejected(seq: 1 << 50)),
        .ok(4, .statusReply(statusReply)),
        .ok(4, .statusReply(StatusReply())),
        .ok(
            5,
            .agents([
                WireFixtures.agentInfo("a-ü", state: .online), WireFixtures.agentInfo("b", state: .offline),
                WireFixtures.agentInfo("c", state: .unknown),
            ])),
        .ok(6, .createdAgent(WireFixtures.agentInfo("new", state: .unknown), token: "brn_tøken_🔑")),
        .ok(7, .runs(RunList(runs: [WireFixtures.runInfo, RunInfo()], nextCursor: "r17"))),
        .ok(
            8,
            .run(
                RunDetail(
                    run: WireFixtures.runInfo, childRunIDs: [WireFixtures.childRunID, WireFixtures.runID],
                    steps: [WireFixtures.stepInfo(seq: 1), WireFixtures.stepInfo(seq: 2), WireFixtures.stepInfo(seq: UInt32.max)]
                ))),
        .ok(9, .steps(StepList(steps: [WireFixtures.stepInfo(seq: 5), WireFixtures.stepInfo(seq: 6)], nextSeq: 7))),
        .ok(10, .runInfo(WireFixtures.runInfo)),
        .ok(11, .persistenceErrors(PersistenceErrorList(errors: [WireFixtures.persistenceError, PersistenceErrorInfo()], nextCursor: "e5"))),
        BrainResponse(callID: 12, result: .watchEvent(.run(WireFixtures.runInfo))),
        BrainResponse(callID: 12, result: .watchEvent(.step(WireFixtures.stepInfo(seq: 3)))),
        BrainResponse(callID: 12, endOfStream: true, result: .watchEvent(.agent(WireFixtures.agentInfo("w", state: .offline)))),
        .ok(13, .cancelCall(cancelled: true)),
        .ok(14, .stats(statsReply)),
        .ok(15, .snapshot(SnapshotReply(writtenAt: WireFixtures.time, bytes: 1 << 33, path: "/data/snapshot-ü.json"))),
    ]

    @Test("the fixtures cover every BrainResponse.Result case")
    func fixturesCoverEveryResult() {
        #expect(Set(Self.responses.compactMap { $0.result.map(Self.caseName) }) == Self.allCaseNames)
    }

    @Test("encode then decode gives the same response", arguments: responses)
    func roundTrip(_ response: BrainResponse) throws {
        let bytes = WireCodec.encode(response)
        let decoded = try bytes.withUnsafeBytes { try WireCodec.decodeResponse($0) }
        #expect(decoded == response)
    }

    @Test("a framed response decodes from a ByteBuffer after the length prefix", arguments: responses)
    func framedRoundTrip(_ response: BrainResponse) throws {
        var buffer = ByteBuffer()
        WireCodec.writeFrame(response, into: &buffer)
        let prefix = buffer.readInteger(endianness: .big, as: UInt32.self)
        let length = try #require(prefix)
        #expect(Int(length) == buffer.readableBytes)
        #expect(try WireCodec.decodeResponse(buffer) == response)
    }

    static let errorCodes: [StatusCode] = [
        .cancelled, .unknown, .invalidArgument, .deadlineExceeded, .notFound, .alreadyExists, .permissionDenied,
        .resourceExhausted, .failedPrecondition, .aborted, .outOfRange, .unimplemented, .internal, .unavailable,
        .dataLoss, .unauthenticated, StatusCode(rawValue: 99),
    ]

    @Test("error statuses keep their code and message and leave the result unset", arguments: errorCodes)
    func errorRoundTrip(_ code: StatusCode) throws {
        let response = BrainResponse.failure(UInt64.max, BrainError(code, "went wrong: \(code.name) — ünïcödé"))
        let decoded = try WireCodec.decodeResponse(ByteBuffer(bytes: WireCodec.encode(response)))
        #expect(decoded == response)
        #expect(decoded.error?.code == code)
        #expect(decoded.result == nil)
    }

    @Test("end_of_stream with and without an error survives the wire")
    func endOfStreamRoundTrip() throws {
        let responses = [
            BrainResponse(callID: 21, endOfStream: true),
            BrainResponse(callID: 22, error: BrainError(.unavailable, "brain is shutting down"), endOfStream: true),
            BrainResponse(callID: 23, endOfStream: false, result: .cancelCall(cancelled: false)),
        ]
        for response in responses {
            #expect(try WireCodec.decodeResponse(ByteBuffer(bytes: WireCodec.encode(response))) == response)
        }
    }

    @Test("an OK status on the wire decodes as no error")
    func okStatusIsNoError() throws {
        let encoded = WireCodec.encode(BrainResponse(callID: 1, error: BrainError(.ok, "fine"), result: .ack(ackedSeq: 1)))
        let decoded = try WireCodec.decodeResponse(ByteBuffer(bytes: encoded))
        #expect(decoded.error == nil)
        #expect(decoded.result == .ack(ackedSeq: 1))
    }

    @Test("writeAckFrame writes the same frame as a built ack response", arguments: [UInt64(0), 1, 300, UInt64.max])
    func ackFrameMatchesBuiltResponse(_ seq: UInt64) {
        var fast = ByteBuffer()
        WireCodec.writeAckFrame(ackedSeq: seq, into: &fast)
        var built = ByteBuffer()
        WireCodec.writeFrame(BrainResponse.ok(0, .ack(ackedSeq: seq)), into: &built)
        #expect(fast == built)
    }

    @Test("StatusCode names are gRPC's")
    func statusCodeNames() {
        #expect(StatusCode.ok.name == "OK")
        #expect(StatusCode.invalidArgument.name == "INVALID_ARGUMENT")
        #expect(StatusCode.unauthenticated.name == "UNAUTHENTICATED")
        #expect(StatusCode(rawValue: 99).name == "CODE_99")
        #expect(StatusCode(rawValue: -1).name == "CODE_-1")
        #expect(BrainError(.notFound, "run x").description == "NOT_FOUND: run x")
    }
}
