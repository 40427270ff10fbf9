import BrainFraming
import BrainProtocol
import Histogram
import NIOCore

/// One replay connection, acting as one agent: hello, then its pre-encoded publishes sent
/// pipelined (many frames per write, at most `window` unacknowledged), each cumulative ack
/// timing the events it covers. Lives on its channel's event loop.
final class ReplayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What one connection measured.
    struct Report: Sendable {
        var events = 0
        var steps = 0
        var bytes = 0
        var rejected = 0
        var firstRejection: String?
        var latency = LatencySummary.makeHistogram()
        var lastAckAt: UInt64 = 0
    }

    /// Succeeds with the brain's `last_seq` for this agent once hello is answered.
    let welcome: EventLoopPromise<UInt64>
    /// Succeeds when every event is acknowledged.
    let done: EventLoopPromise<Report>

    private let agentName: String
    private let window: Int
    /// Talking to Redis (`--target redis`): no hello, RESP replies counted instead of acks.
    private let redis: Bool
    private var replies = RESPReplyCounter()
    /// Redis: commands issued up to and including each event.
    private var commandEnds: [Int] = []
    private let maxWriteBytes = 64 * 1024
    private var context: ChannelHandlerContext?

    private var frames = ByteBuffer()
    /// `ends[i]`: where frame `i` ends in `frames`, relative to its reader index.
    private var ends: [Int] = []
    private var seqBase: UInt64 = 0
    private var report = Report()
    private var sent = 0
    private var acked = 0
    /// Events the rate limiter allows so far (`Int.max` when unlimited).
    private var allowance = Int.max
    /// Writes not yet fully acknowledged: the index after their last event, and when they went out.
    private var batchEnds: [Int] = []
    private var batchTimes: [UInt64] = []
    private var batchHead = 0

    private var running = false
    private var settled = false
    private var pumping = false
    private var pumpAgain = false
    private var closeReason: String?

    init(agentName: String, window: Int, redis: Bool = false, eventLoop: any EventLoop) {
        self.agentName = agentName
        self.window = window
        self.redis = redis
        welcome = eventLoop.makePromise(of: UInt64.self)
        done = eventLoop.makePromise(of: Report.self)
    }

    // MARK: Driver

    /// Takes this connection's frames; `seqBase` is the seq before the first.
    func load(frames: ByteBuffer, ends: [Int], steps: Int, seqBase: UInt64, commandEnds: [Int] = []) {
        self.commandEnds = commandEnds
        self.frames = frames
        self.ends = ends
        self.seqBase = seqBase
        report.events = ends.count
        report.steps = steps
        report.bytes = ends.last ?? 0
        batchEnds.reserveCapacity(ends.count / 16 + 16)
        batchTimes.reserveCapacity(ends.count / 16 + 16)
    }

    /// Starts sending (the clock has started); a `limited` connection waits for ``allow(_:)``.
    func start(at now: UInt64, limited: Bool) {
        running = true
        if limited { allowance = 0 }
        if ends.isEmpty {
            report.lastAckAt = now
            settle()
            return
        }
        pump()
    }

    /// Raises the rate limiter's allowance to `events` in total.
    func allow(_ events: Int) {
        guard events > allowance else { return }
        allowance = events
        pump()
    }

    /// Acknowledged events so far.
    var acknowledged: Int { acked }

    // MARK: Channel

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        if redis {
            welcome.succeed(0)
            context.fireChannelActive()
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 128)
        // A token per agent: the brain keeps each token to one agent (seed 002).
        let hello = Hello(agentName: agentName, token: "bench-\(agentName)", frameworkAdapter: "brain-bench")
        WireCodec.writeFrame(BrainRequest(callID: 1, method: .hello(hello)), into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if redis {
            var bytes = unwrapInboundIn(data)
            replies.consume(&bytes)
            if replies.errors > report.rejected {
                report.rejected = replies.errors
                if report.firstRejection == nil { report.firstRejection = "\(agentName): redis error \(replies.firstError ?? "?")" }
            }
            // Events whose commands all have replies count as acknowledged.
            var covered = acked
            while covered < sent, commandEnds[covered] <= replies.replies { covered += 1 }
            if covered > acked { handleAck(UInt64(covered)) }
            return
        }
        let response: BrainResponse
        do {
            response = try WireCodec.decodeResponse(unwrapInboundIn(data))
        } catch {
            closeReason = "undecodable response from the brain: \(error.message)"
            context.close(promise: nil)
            return
        }
        switch response.result {
        case .ack(let ackedSeq):
            handleAck(ackedSeq)
        case .rejected(let seq):
            report.rejected += 1
            if report.firstRejection == nil {
                let position = seq > seqBase ? seq - seqBase : seq
                report.firstRejection = "event \(position) of \(agentName): \(response.error.map { $0.description } ?? "rejected")"
            }
        case .welcome(let reply) where response.callID == 1:
            welcome.succeed(reply.lastSeq)
        default:
            if let error = response.error {
                if response.callID == 1 {
                    // Nothing can follow a refused hello: close, which fails the welcome
                    // (channelInactive), instead of waiting for a welcome that never comes.
                    closeReason = "hello as \(agentName) refused: \(error)"
                    context.close(promise: nil)
                } else {
                    closeReason = "the brain answered \(agentName) with \(error)"
                }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        pump()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        let reason = closeReason ?? "the brain closed the connection"
        let error = BenchError("\(agentName): \(reason) after \(acked) of \(ends.count) events were acknowledged")
        welcome.fail(error)
        if !settled {
            settled = true
            done.fail(error)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeReason == nil { closeReason = "connection error: \(error)" }
        context.close(promise: nil)
    }

    // MARK: Sending and acks

    private func pump() {
        if pumping {
            pumpAgain = true
            return
        }
        pumping = true
        defer { pumping = false }
        repeat {
            pumpAgain = false
            sendWhatIsAllowed()
        } while pumpAgain
    }

    private func sendWhatIsAllowed() {
        guard running, !settled, let context else { return }
        var wrote = false
        while context.channel.isWritable {
            let limit = min(ends.count, acked + window, allowance)
            guard sent < limit else { break }
            let start = sent == 0 ? 0 : ends[sent - 1]
            var end = sent + 1
            while end < limit, ends[end] - start <= maxWriteBytes { end += 1 }
            guard let slice = frames.getSlice(at: frames.readerIndex + start, length: ends[end - 1] - start) else { break }
            batchEnds.append(end)
            batchTimes.append(MonotonicClock.now())
            sent = end
            context.write(wrapOutboundOut(slice), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    private func handleAck(_ ackedSeq: UInt64) {
        guard ackedSeq > seqBase else { return }
        let covered = Int(clamping: min(ackedSeq - seqBase, UInt64(sent)))
        guard covered > acked else { return }
        let now = MonotonicClock.now()
        while acked < covered, batchHead < batchEnds.count {
            let upTo = min(batchEnds[batchHead], covered)
            let sentAt = batchTimes[batchHead]
            let micros = now > sentAt ? (now - sentAt) / 1000 : 0
            report.latency.record(micros, count: UInt64(upTo - acked))
            acked = upTo
            if acked == batchEnds[batchHead] { batchHead += 1 }
        }
        if acked == ends.count {
            report.lastAckAt = now
            settle()
        }
    }

    private func settle() {
        guard !settled else { return }
        settled = true
        running = false
        done.succeed(report)
    }
}
