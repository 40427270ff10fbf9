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

/// The connection handler and a real engine (journal included) on a testing channel: a
/// stream of requests gets the same replies however the socket cuts it, at every byte or
/// one byte per read. Acks are cumulative, so how many there are depends on the reads; what
/// they acknowledge in the end does not.
///
/// NIOAsyncTestingChannel, not EmbeddedChannel: the journal thread completes its writes on
/// the engine's loop, and only the async testing loop may be called from another thread.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FrameCutTests {
    static let runID = "3b9f1c2e-8d4a-4f6b-9e1d-7c5a2b8e4f60"

    /// Hello, a run, two steps (the fast lane), a step refused (no such run), then a query.
    static func requestStream() -> [UInt8] {
        var created = RunCreated(runID: runID, goal: "cut")
        created.initialStatus = .running
        var first = StepReported(runID: runID, seq: 1, stepName: "fetch", status: .ok)
        first.outputJSON = "{\"n\":1}"
        let second = StepReported(runID: runID, seq: 2, stepName: "parse", status: .error)
        let stray = StepReported(runID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", seq: 1, stepName: "lost", status: .ok)
        let requests = [
            BrainRequest(callID: 1, method: .hello(Hello(agentName: "cutter", token: "t"))),
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 1, kind: .runCreated(created)))),
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 2, kind: .step(first)))),
            BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 3, kind: .step(second)))),
            BrainRequest(callID: 7, method: .publish(AgentEvent(seq: 4, kind: .step(stray)))),
            BrainRequest(callID: 2, method: .getRun(GetRunQuery(runID: runID))),
        ]
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        for request in requests { WireCodec.writeFrame(request, into: &buffer) }
        return Array(buffer.readableBytesView)
    }

    @Test func framesCutAtEveryByteGetTheSameRepliesAsWholeOnes() async throws {
        let pools = (0..<3).map { _ in NIOThreadPool(numberOfThreads: 1) }
        for pool in pools { pool.start() }
        let stream = Self.requestStream()
        let whole = try await Self.replies(to: stream, cutAt: [], pools: pools)
        #expect(whole.contains { $0.hasPrefix("1 welcome") })
        #expect(whole.contains { $0.hasPrefix("7 ") && $0.hasSuffix("rejected 4") })
        #expect(whole.contains { $0.hasPrefix("2 run") && $0.contains("1 fetch") && $0.contains("2 parse") })
        #expect(whole.last == "acked 4")

        let oneByteReads = try await Self.replies(to: stream, cutAt: Array(1..<stream.count), pools: pools)
        #expect(oneByteReads == whole, "one byte per read")
        for cut in 1..<stream.count {
            let replies = try await Self.replies(to: stream, cutAt: [cut], pools: pools)
            #expect(replies == whole, "cut at byte \(cut) of \(stream.count)")
        }
        for pool in pools { try await pool.shutdownGracefully() }
    }

    /// Delivers `stream` to a fresh brain in reads cut at `cuts`, and returns its replies
    /// (acks left out), then the highest seq acknowledged.
    static func replies(to stream: [UInt8], cutAt cuts: [Int], pools: [NIOThreadPool]) async throws -> [String] {
        let directory = NSTemporaryDirectory() + "brain-cut-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration(socketPath: "\(directory)/b.sock", dataDirectory: directory)
        configuration.fsyncPolicy = .never
        configuration.directIO = false
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let recovered = try Recovery.open(
            directory: directory, configuration: configuration.core, policy: .never, snapshotsKept: 1, directIO: false, logger: logger
        )
        let secret = try SecretKey.loadOrCreate(in: directory)
        let loop = NIOAsyncTestingEventLoop()
        let engine = UnsafeTransfer(
            BrainEngine(
                configuration: configuration, eventLoop: loop, secret: secret, state: recovered.state, lastSnapshotAt: 0,
                journal: recovered.journal, journalPool: pools[0], recorder: nil, threadPool: pools[1], snapshotPool: pools[2],
                logger: logger, now: WallClock.now()
            ))
        let channel = NIOAsyncTestingChannel(loop: loop)
        try await loop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(BrainConnectionHandler(engine: engine.value, maxFrameBytes: 1 << 20))
        }
        try await channel.connect(to: SocketAddress(unixDomainSocketPath: "\(directory)/b.sock")).get()

        var start = 0
        for end in cuts + [stream.count] {
            var read = channel.allocator.buffer(capacity: end - start)
            read.writeBytes(stream[start..<end])
            try await channel.writeInbound(read)
            await loop.run()  // the loop turn's journal flush
            start = end
        }
        var replies: [String] = []
        var acked: UInt64 = 0
        var pending = channel.allocator.buffer(capacity: 0)
        func decode(_ written: ByteBuffer) throws {
            var written = written
            pending.writeBuffer(&written)
            while let length = pending.getInteger(at: pending.readerIndex, endianness: .big, as: UInt32.self),
                pending.readableBytes >= 4 + Int(length)
            {
                pending.moveReaderIndex(forwardBy: 4)
                guard let body = pending.readSlice(length: Int(length)) else { break }
                let response = try WireCodec.decodeResponse(body)
                if case .ack(let seq) = response.result {
                    #expect(seq >= acked, "acks are cumulative")
                    acked = seq
                } else {
                    replies.append(summary(response))
                }
            }
        }
        // Every reply was queued while the reads were handled; the last ack follows the journal.
        let deadline = Date(timeIntervalSinceNow: 10)
        while acked < 4, Date() < deadline {
            await loop.run()
            if let written = try await channel.readOutbound(as: ByteBuffer.self) {
                try decode(written)
            } else {
                try await Task.sleep(nanoseconds: 1_000_000)
            }
        }
        while let written = try await channel.readOutbound(as: ByteBuffer.self) { try decode(written) }
        #expect(pending.readableBytes == 0, "no frame cut across writes")
        _ = try await channel.finish(acceptAlreadyClosed: true)
        await loop.shutdownGracefully()
        return replies + ["acked \(acked)"]
    }

    /// What a reply says, without what differs from one brain to the next (ids, times).
    static func summary(_ response: BrainResponse) -> String {
        var line = "\(response.callID)"
        if let error = response.error { line += " \(error.code): \(error.message)" }
        switch response.result {
        case .welcome(let welcome): line += " welcome lastSeq \(welcome.lastSeq) registered \(welcome.registered) \(welcome.project)"
        case .rejected(let seq): line += " rejected \(seq)"
        case .run(let detail):
            line += " run \(detail.run.runID) \(detail.run.status) steps "
            line += detail.steps.map { "\($0.seq) \($0.stepName) \($0.status) \($0.outputJSON)" }.joined(separator: ", ")
        case .none: break
        default: line += " other"
        }
        return line
    }
}
