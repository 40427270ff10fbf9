import BrainCore
import BrainFraming
import BrainProtocol
import BrainStore
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import BrainServer

/// The connection handler and the engine on an EmbeddedChannel: a connection over its limit
/// is not read, resumes once it drains, and a slow watcher's stream ends instead of growing.
@Suite(.serialized)
struct ConnectionFlowControlTests {
    @Test func aConnectionOverItsLimitIsNotReadUntilItDrains() throws {
        let fixture = try EngineFixture(maxUnsentReplyBytes: 65_536)
        defer { fixture.shutdown() }
        let (channel, reads) = try fixture.connect()
        // The client reads nothing: its socket is full.
        channel.isWritable = false
        let count = 1_000
        var requests = channel.allocator.buffer(capacity: count * 16)
        for callID in 1...UInt64(count) {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .getStatus), into: &requests)
        }
        try channel.writeInbound(requests)
        let first = try fixture.responses(channel)
        let firstBytes = first.reduce(0) { $0 + $1.bytes }
        #expect(first.count > 10 && first.count < count, "\(first.count) replies")
        // Frames stop being handled as soon as the replies pass the limit: one reply over it at most.
        #expect(firstBytes > 65_536 && firstBytes - (first.last?.bytes ?? 0) <= 65_536, "\(firstBytes) bytes")

        // SwiftNIO asks to read again after the batch (autoRead): held back.
        channel.read()
        fixture.loop.run()
        #expect(reads.count == 0)
        #expect(try fixture.responses(channel).isEmpty)

        // The client read enough: the rest is handled in order, then reading resumes.
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        fixture.loop.run()
        let rest = try fixture.responses(channel)
        #expect((first + rest).map(\.response.callID) == Array(1...UInt64(count)))
        #expect((first + rest).allSatisfy { $0.response.error == nil })
        #expect(reads.count == 1)
        #expect(fixture.engine.connections.values.first?.readPaused == false)
        _ = try channel.finish()
    }

    @Test func aClientThatReadsIsNeverHeldBack() throws {
        let fixture = try EngineFixture(maxUnsentReplyBytes: 65_536)
        defer { fixture.shutdown() }
        let (channel, reads) = try fixture.connect()
        var requests = channel.allocator.buffer(capacity: 16_000)
        for callID in 1...1_000 as ClosedRange<UInt64> {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .getStatus), into: &requests)
        }
        try channel.writeInbound(requests)
        // The socket took the first replies at once (writable): the rest follows next loop turn.
        channel.read()
        fixture.loop.run()
        #expect(try fixture.responses(channel).map(\.response.callID) == Array(1...1_000))
        #expect(reads.count == 1)
        _ = try channel.finish()
    }

    @Test func everyReplyWrittenCountsIntoTheBoundAndAskingSwiftNIOBringsItDown() throws {
        let fixture = try EngineFixture(maxUnsentReplyBytes: 65_536)
        defer { fixture.shutdown() }
        let (channel, _) = try fixture.connect()
        let context = try #require(fixture.engine.connections.values.first)
        var requests = channel.allocator.buffer(capacity: 160)
        for callID in 1...10 as ClosedRange<UInt64> {
            WireCodec.writeFrame(BrainRequest(callID: callID, method: .getStatus), into: &requests)
        }
        try channel.writeInbound(requests)
        let replies = try fixture.responses(channel)
        #expect(replies.map(\.response.callID) == Array(1...10))
        // Far under the limit, SwiftNIO was not asked (that would have brought the bound down):
        // the bound is every byte written.
        #expect(context.unsentAtMost == replies.reduce(0) { $0 + $1.bytes })
        // Asked, SwiftNIO says what still waits unsent: nothing, the test's socket took it all.
        #expect(context.measureUnsentBytes() == 0)
        #expect(context.unsentAtMost == 0)
        _ = try channel.finish()
    }

    @Test func aWatchTooSlowToKeepUpEndsWithResourceExhaustedAndAQuietOneGoesOn() throws {
        let fixture = try EngineFixture(maxUnsentReplyBytes: 65_536, maxWatchQueueBytes: 20_000)
        defer { fixture.shutdown() }
        let (channel, _) = try fixture.connect()
        var requests = channel.allocator.buffer(capacity: 256)
        WireCodec.writeFrame(BrainRequest(callID: 1, method: .watch(WatchQuery())), into: &requests)
        WireCodec.writeFrame(BrainRequest(callID: 2, method: .watch(WatchQuery(project: "quiet"))), into: &requests)
        try channel.writeInbound(requests)
        #expect(fixture.engine.watches.count == 2)
        channel.isWritable = false

        try fixture.publishSteps(500, outputBytes: 300)
        let frames = try fixture.responses(channel)
        let events = frames.filter { $0.response.callID == 1 && !$0.response.endOfStream }
        let end = try #require(frames.last)
        // What fit under the reply limit went out; the backlog overflowed and the stream ended.
        #expect(events.count > 10 && events.count < 500)
        #expect(end.response.callID == 1)
        #expect(end.response.endOfStream)
        #expect(end.response.error?.code == .resourceExhausted)
        #expect(end.response.error?.message.contains("watch stream ended: the client read too slowly;") == true)
        #expect(end.response.error?.message.contains("the limit is 20000 bytes") == true)
        #expect(!frames.contains { $0.response.callID == 2 })
        #expect(fixture.engine.watches.count == 1)
        let context = try #require(fixture.engine.connections.values.first)
        #expect(fixture.engine.watches.streams(on: context.id).keys.sorted() == [2])
        #expect(fixture.engine.watches.streams(on: context.id)[2]?.backlogBytes == 0)
        _ = try channel.finish()
    }

    @Test func eventsThatWaitedAreSentInOrderOnceTheClientReads() throws {
        let fixture = try EngineFixture(maxUnsentReplyBytes: 65_536, maxWatchQueueBytes: 1 << 20)
        defer { fixture.shutdown() }
        let (channel, _) = try fixture.connect()
        var requests = channel.allocator.buffer(capacity: 64)
        WireCodec.writeFrame(BrainRequest(callID: 7, method: .watch(WatchQuery())), into: &requests)
        try channel.writeInbound(requests)
        channel.isWritable = false
        try fixture.publishSteps(400, outputBytes: 300)
        let before = try fixture.responses(channel)
        let context = try #require(fixture.engine.connections.values.first)
        #expect(try #require(fixture.engine.watches.streams(on: context.id)[7]).backlogEvents > 0)

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        fixture.loop.run()
        let after = try fixture.responses(channel)
        #expect(fixture.engine.watches.streams(on: context.id)[7]?.backlogEvents == 0)
        let steps = (before + after).compactMap { frame -> UInt32? in
            guard case .watchEvent(.step(let step)) = frame.response.result else { return nil }
            return step.seq
        }
        #expect(steps == Array(1...400))
        #expect(!(before + after).contains { $0.response.endOfStream })
        _ = try channel.finish()
    }
}

/// Counts the reads that reach the channel (SwiftNIO's `read`, which arms the socket).
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}

/// A real engine (state, journal, key in a temporary directory) on an EmbeddedEventLoop.
final class EngineFixture {
    let loop = EmbeddedEventLoop()
    let engine: BrainEngine
    let directory: String
    private let pools: [NIOThreadPool]
    private var agentID = ""
    private var nextSeq: UInt64 = 1

    init(maxUnsentReplyBytes: Int, maxWatchQueueBytes: Int = 8 << 20) throws {
        directory = NSTemporaryDirectory() + "brain-server-tests-\(UUID().uuidString)"
        var configuration = ServerConfiguration(socketPath: "\(directory)/b.sock", dataDirectory: directory)
        configuration.maxUnsentReplyBytes = maxUnsentReplyBytes
        configuration.maxWatchQueueBytes = maxWatchQueueBytes
        configuration.fsyncPolicy = .never
        configuration.directIO = false
        var logger = Logger(label: "test")
        logger.logLevel = .warning  // the notices of streams these tests end on purpose
        let recovered = try Recovery.open(
            directory: directory, configuration: configuration.core, policy: .never, snapshotsKept: 1, directIO: false, logger: logger
        )
        let secret = try SecretKey.loadOrCreate(in: directory)
        pools = (0..<3).map { _ in NIOThreadPool(numberOfThreads: 1) }
        for pool in pools { pool.start() }
        engine = BrainEngine(
            configuration: configuration, eventLoop: loop, secret: secret, state: recovered.state, lastSnapshotAt: 0,
            journal: recovered.journal, journalPool: pools[0], recorder: nil, threadPool: pools[1], snapshotPool: pools[2],
            logger: logger, now: WallClock.now()
        )
    }

    func shutdown() {
        for pool in pools { try? pool.syncShutdownGracefully() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// An active connection with the brain's handler behind a read counter.
    func connect() throws -> (EmbeddedChannel, ReadCounter) {
        let channel = EmbeddedChannel(loop: loop)
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(BrainConnectionHandler(engine: engine, maxFrameBytes: 1 << 20))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "\(directory)/b.sock")).wait()
        reads.count = 0
        return (channel, reads)
    }

    /// Every frame written to the channel since the last call, decoded, with its size.
    func responses(_ channel: EmbeddedChannel) throws -> [(response: BrainResponse, bytes: Int)] {
        var frames: [(BrainResponse, Int)] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while let length = buffer.readInteger(endianness: .big, as: UInt32.self) {
                guard let body = buffer.readSlice(length: Int(length)) else {
                    throw BrainError(.internal, "a frame cut across writes")
                }
                frames.append((try WireCodec.decodeResponse(body), Int(length) + 4))
            }
        }
        return frames
    }

    /// Applies `count` steps of one run straight to the state (no journal: the test has no
    /// disk to wait for) and publishes them to the watchers, as a read batch would.
    func publishSteps(_ count: UInt32, outputBytes: Int) throws {
        let now = WallClock.now()
        if agentID.isEmpty {
            guard case .agent(.success(let agent)) = engine.state.apply(.createAgent(name: "agent", project: "default", tokenHash: "h"), now: now)
            else { throw BrainError(.internal, "no agent") }
            agentID = agent.agentID
        }
        let runID = "5e0c2a9e-1b7d-4c3e-8a6f-2d4b6c8e0a1f"
        _ = engine.state.apply(.event(AgentEvent(seq: nextSeq, kind: .runCreated(RunCreated(runID: runID, goal: "g"))), agentID: agentID), now: now)
        nextSeq += 1
        let output = "{\"pad\":\"\(String(repeating: "z", count: outputBytes))\"}"
        for seq in 1...count {
            var step = StepReported(runID: runID, seq: seq, stepName: "s", status: .ok)
            step.outputJSON = output
            _ = engine.state.apply(.event(AgentEvent(seq: nextSeq, kind: .step(step)), agentID: agentID), now: now)
            nextSeq += 1
        }
        engine.publishChanges()
    }
}
