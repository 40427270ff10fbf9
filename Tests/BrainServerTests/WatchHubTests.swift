import BrainCore
import BrainFraming
import BrainProtocol
import NIOCore
import Testing

@testable import BrainServer

/// The Watch fan-out, change by change: which stream gets which change, which events wait
/// because the client reads too slowly, and which stream ends with RESOURCE_EXHAUSTED.
struct WatchHubTests {
    /// One thing that happens to the hub.
    enum Step: Sendable {
        /// A Watch call on connection `on`.
        case watch(on: Int, callID: UInt64, WatchQuery)
        case cancel(on: Int, callID: UInt64)
        /// The connection closes.
        case close(on: Int)
        /// Changes reach every connection; each has `unsent` bytes in SwiftNIO's buffer.
        case publish([BrainChange], unsent: Int)
        /// The connection became writable: its waiting events are handed over.
        case drain(on: Int)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var limits = WatchHub.Limits(streamsPerConnection: 16, unsentReplyBytes: 1_000, queueBytes: 2_000)
        var steps: [Step]
        var log: [String]
        /// Open streams afterwards, as "connection/callID".
        var open: [String]

        var testDescription: String { name }
    }

    /// A run change of `project` whose frame is about 530 bytes.
    static func run(_ project: String) -> BrainChange {
        var run = RunInfo()
        run.project = project
        run.goal = String(repeating: "g", count: 500)
        return .run(run)
    }

    static let agent = BrainChange.agent(AgentInfo())

    static let cases: [Case] = [
        Case(
            name: "changes go to the streams that follow them, oldest stream first",
            limits: .init(streamsPerConnection: 16, unsentReplyBytes: 1 << 20, queueBytes: 1 << 20),
            steps: [
                .watch(on: 1, callID: 2, WatchQuery(project: "a")), .watch(on: 1, callID: 1, WatchQuery()),
                .watch(on: 2, callID: 5, WatchQuery(project: "z", agents: true)), .publish([run("a"), run("b"), agent], unsent: 0),
            ],
            log: ["c1: 1 run a", "c1: 1 run b", "c1: 2 run a", "c2: 5 agent"], open: ["1/1", "1/2", "2/5"]
        ),
        Case(
            name: "a connection has at most its limit of streams; another connection has its own",
            limits: .init(streamsPerConnection: 2, unsentReplyBytes: 1_000, queueBytes: 2_000),
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .watch(on: 1, callID: 2, WatchQuery()), .watch(on: 1, callID: 3, WatchQuery()),
                .watch(on: 2, callID: 3, WatchQuery()),
            ],
            log: ["c1: 3 refused RESOURCE_EXHAUSTED: this connection already has 2 watches (the limit); cancel one or open another connection"],
            open: ["1/1", "1/2", "2/3"]
        ),
        Case(
            name: "a watch of a run that does not exist is refused (BrainCore's rule)",
            steps: [.watch(on: 1, callID: 1, WatchQuery(runID: "0d6c7a4e-9d7b-4c1e-8f3a-5b2c1d0e9f8a"))],
            log: ["c1: 1 refused NOT_FOUND: run 0d6c7a4e-9d7b-4c1e-8f3a-5b2c1d0e9f8a does not exist"], open: []
        ),
        Case(
            name: "past the reply limit events wait, and are handed over in order once the client reads",
            steps: [.watch(on: 1, callID: 1, WatchQuery()), .publish([run("a"), run("b")], unsent: 1_001), .drain(on: 1)],
            log: ["c1 handed over: 1 run a", "c1 handed over: 1 run b"], open: ["1/1"]
        ),
        Case(
            name: "once events wait, newer ones wait behind them even when there is room",
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .publish([run("a")], unsent: 1_001), .publish([run("b")], unsent: 0), .drain(on: 1),
            ],
            log: ["c1 handed over: 1 run a", "c1 handed over: 1 run b"], open: ["1/1"]
        ),
        Case(
            name: "the stream with the most waiting ends with RESOURCE_EXHAUSTED; a quiet one goes on",
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .watch(on: 1, callID: 2, WatchQuery(project: "quiet")),
                .publish([run("a"), run("a"), run("a"), run("a"), run("a")], unsent: 1_001), .drain(on: 1),
            ],
            log: ["c1: 1 ended RESOURCE_EXHAUSTED: 4 events were waiting", "overflow 1/1"], open: ["1/2"]
        ),
        Case(
            name: "ties go to the oldest stream, and the other goes on",
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .watch(on: 1, callID: 2, WatchQuery()), .publish([run("a"), run("b")], unsent: 1_001),
                .drain(on: 1),
            ],
            log: ["c1: 1 ended RESOURCE_EXHAUSTED: 2 events were waiting", "overflow 1/1", "c1 handed over: 2 run a", "c1 handed over: 2 run b"],
            open: ["1/2"]
        ),
        Case(
            name: "each connection's waiting events are counted apart",
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .watch(on: 2, callID: 1, WatchQuery()),
                .publish([run("a"), run("a"), run("a"), run("a")], unsent: 1_001),
            ],
            log: [
                "c1: 1 ended RESOURCE_EXHAUSTED: 4 events were waiting", "overflow 1/1", "c2: 1 ended RESOURCE_EXHAUSTED: 4 events were waiting",
                "overflow 2/1",
            ],
            open: []
        ),
        Case(
            name: "a cancelled or closed connection's streams get nothing more",
            steps: [
                .watch(on: 1, callID: 1, WatchQuery()), .watch(on: 1, callID: 2, WatchQuery()), .watch(on: 2, callID: 1, WatchQuery()),
                .cancel(on: 1, callID: 1), .cancel(on: 1, callID: 9), .close(on: 2), .publish([run("a")], unsent: 0),
            ],
            log: ["c1: cancel 1 true", "c1: cancel 9 false", "c2: closed 1", "c1: 2 run a"], open: ["1/2"]
        ),
    ]

    @Test(arguments: cases)
    func theHubDoesWhatTheTableSays(_ testCase: Case) throws {
        var hub = WatchHub(limits: testCase.limits)
        let state = BrainState()
        var log: [String] = []
        let allocator = ByteBufferAllocator()
        for step in testCase.steps {
            switch step {
            case .watch(let connection, let callID, let query):
                if case .failure(let error) = hub.start(query, callID: callID, on: connection, state: state) {
                    log.append("c\(connection): \(callID) refused \(error.code): \(error.message)")
                }
            case .cancel(let connection, let callID):
                log.append("c\(connection): cancel \(callID) \(hub.cancel(callID, on: connection))")
            case .close(let connection):
                log.append("c\(connection): closed \(hub.removeAll(on: connection).map(String.init).joined(separator: ","))")
            case .publish(let changes, let unsent):
                for connection in hub.connections.sorted() {
                    var output = allocator.buffer(capacity: 0)
                    let ended = hub.publish(changes, state: state, on: connection, output: &output, unsent: unsent, allocator: allocator)
                    log += try Self.describe(output).map { "c\(connection): \($0)" }
                    log += ended.map { "overflow \($0.connection)/\($0.callID)" }
                }
            case .drain(let connection):
                while let backlog = hub.takeBacklog(on: connection) {
                    log += try Self.describe(backlog).map { "c\(connection) handed over: \($0)" }
                }
                #expect(!hub.hasBacklog(on: connection))
            }
        }
        #expect(log == testCase.log)
        let open = hub.connections.sorted().flatMap { connection in hub.streams(on: connection).keys.sorted().map { "\(connection)/\($0)" } }
        #expect(open == testCase.open)
        #expect(hub.count == open.count)
    }

    /// The frames in `buffer`, one line each.
    static func describe(_ buffer: ByteBuffer) throws -> [String] {
        var buffer = buffer
        var lines: [String] = []
        while let length = buffer.readInteger(endianness: .big, as: UInt32.self), let body = buffer.readSlice(length: Int(length)) {
            let response = try WireCodec.decodeResponse(body)
            if let error = response.error {
                let part = error.message.split(separator: "; ").first { $0.contains("events were waiting") } ?? ""
                let events = part.split(separator: " (").first ?? ""
                lines.append("\(response.callID) ended \(error.code): \(events)")
                #expect(response.endOfStream)
                continue
            }
            switch response.result {
            case .watchEvent(.run(let run)): lines.append("\(response.callID) run \(run.project)")
            case .watchEvent(.agent): lines.append("\(response.callID) agent")
            default: lines.append("\(response.callID) other")
            }
        }
        return lines
    }
}
