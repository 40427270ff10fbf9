import BrainClient
import BrainFraming
import BrainProtocol
import Histogram
import NIOCore
import NIOPosix

/// Runs a replay: connects every lane as an agent, encodes its frames, then starts the
/// clock and sends everything on one event-loop thread (the brain gets the other core).
struct ReplayDriver {
    var plan: ReplayPlan
    var file: String
    var socketPath: String
    var agentPrefix: String
    var window: Int
    /// Events per second over all connections; nil = as fast as acks allow.
    var rate: Double?
    var brainPID: Int32?
    /// Replay into Redis as the same logical work (``RedisEncoding``) instead of the brain.
    var redis = false
    /// Fail when nothing is acknowledged for this long.
    var stallSeconds: Double = 30

    func run() async throws(BenchError) -> ReplayResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let result = try await replay(on: group)
            try? await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private struct Lane: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<ReplayHandler>
        var welcome: EventLoopFuture<UInt64>
        var done: EventLoopFuture<ReplayHandler.Report>
    }

    private func replay(on group: MultiThreadedEventLoopGroup) async throws(BenchError) -> ReplayResult {
        let loop = group.next()
        var lanes: [Lane] = []
        defer {
            for lane in lanes { lane.channel.close(promise: nil) }
        }
        for index in plan.lanes.indices {
            lanes.append(try await connect(name: "\(agentPrefix)-\(index + 1)", loop: loop))
        }
        var seqBases: [UInt64] = []
        for lane in lanes {
            do {
                seqBases.append(try await lane.welcome.get())
            } catch {
                throw (error as? BenchError) ?? BenchError("hello failed: \(error)")
            }
        }

        // Everything is encoded before the clock starts.
        let encodeStart = MonotonicClock.now()
        let redis = self.redis
        let encoded = await withTaskGroup(of: (Int, ByteBuffer, [Int], [Int]).self) { tasks in
            for (index, lane) in plan.lanes.enumerated() {
                let base = seqBases[index]
                tasks.addTask {
                    if redis {
                        let (frames, ends, commandEnds) = RedisEncoding.encode(lane.events)
                        return (index, frames, ends, commandEnds)
                    }
                    let (frames, ends) = ReplayPlan.encode(lane.events, seqBase: base)
                    return (index, frames, ends, [])
                }
            }
            var out = [(ByteBuffer, [Int], [Int])](repeating: (ByteBuffer(), [], []), count: plan.lanes.count)
            for await (index, frames, ends, commandEnds) in tasks { out[index] = (frames, ends, commandEnds) }
            return out
        }
        let encodeSeconds = MonotonicClock.seconds(from: encodeStart, to: MonotonicClock.now())
        for (index, lane) in lanes.enumerated() {
            let (frames, ends, commandEnds) = encoded[index]
            let steps = plan.lanes[index].steps
            let base = seqBases[index]
            let handler = lane.handler
            try? await loop.submit { handler.value.load(frames: frames, ends: ends, steps: steps, seqBase: base, commandEnds: commandEnds) }.get()
        }

        let brainBefore = brainPID.flatMap { ProcessCPU.seconds(pid: $0) }
        let driverBefore = ProcessCPU.ownSeconds()
        let handlers = lanes.map(\.handler)
        let perConnection = rate.map { $0 / Double(max(1, lanes.count)) }
        let startedAt: UInt64
        let ticker: RepeatedTask?
        do {
            (startedAt, ticker) = try await loop.submit {
                let now = MonotonicClock.now()
                for handler in handlers { handler.value.start(at: now, limited: perConnection != nil) }
                guard let perConnection else { return (now, nil) }
                let task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(1)) { _ in
                    let allowed = Int(perConnection * MonotonicClock.seconds(from: now, to: MonotonicClock.now())) + 1
                    for handler in handlers { handler.value.allow(allowed) }
                }
                return (now, task)
            }.get()
        } catch {
            throw BenchError("cannot start the replay: \(error)")
        }
        defer { ticker?.cancel() }

        let watcher = Task { await watch(handlers: handlers, loop: loop, startedAt: startedAt) }
        var reports: [ReplayHandler.Report] = []
        do {
            for lane in lanes { reports.append(try await lane.done.get()) }
        } catch {
            watcher.cancel()
            _ = await watcher.value
            throw (error as? BenchError) ?? BenchError("\(error)")
        }
        watcher.cancel()
        _ = await watcher.value
        let driverAfter = ProcessCPU.ownSeconds()
        let brainAfter = brainPID.flatMap { ProcessCPU.seconds(pid: $0) }

        var latency = LatencySummary.makeHistogram()
        var result = ReplayResult(file: file, connections: lanes.count, latency: LatencySummary(latency))
        var endedAt = startedAt
        for report in reports {
            latency.add(report.latency)
            result.events += report.events
            result.steps += report.steps
            result.bytes += report.bytes
            result.rejected += report.rejected
            if result.firstRejection == nil { result.firstRejection = report.firstRejection }
            endedAt = max(endedAt, report.lastAckAt)
        }
        result.runs = plan.runs
        result.tasks = plan.tasks
        result.taskEvents = plan.taskEvents
        result.target = redis ? "redis" : "brain"
        result.latency = LatencySummary(latency)
        result.seconds = MonotonicClock.seconds(from: startedAt, to: endedAt)
        result.brainPID = brainPID
        if let brainBefore, let brainAfter { result.brainCPUSeconds = brainAfter - brainBefore }
        result.driverCPUSeconds = driverAfter - driverBefore
        result.encodeSeconds = encodeSeconds
        result.rate = rate
        return result
    }

    private func connect(name: String, loop: any EventLoop) async throws(BenchError) -> Lane {
        let window = self.window
        let redis = self.redis
        do {
            let channel = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let replay = ReplayHandler(agentName: name, window: window, redis: redis, eventLoop: channel.eventLoop)
                        let handlers: [any ChannelHandler] = redis ? [replay] : [ByteToMessageHandler(FrameDecoder()), replay]
                        try channel.pipeline.syncOperations.addHandlers(handlers)
                    }
                }
                .connect(unixDomainSocketPath: socketPath).get()
            return try await loop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: ReplayHandler.self)
                return Lane(
                    channel: channel, handler: NIOLoopBound(handler, eventLoop: loop),
                    welcome: handler.welcome.futureResult, done: handler.done.futureResult
                )
            }.get()
        } catch {
            if redis { throw BenchError("cannot reach Redis at \(socketPath): \(error)") }
            throw BenchError("cannot reach the brain at \(socketPath): \(BrainConnection.describe(error)) (is `brain serve` running?)")
        }
    }

    /// Draws the progress bar and fails the run when acks stop coming.
    private func watch(handlers: [NIOLoopBound<ReplayHandler>], loop: any EventLoop, startedAt: UInt64) async {
        let bar = ProgressBar(total: plan.events)
        var lastCount = -1
        var lastChange = MonotonicClock.now()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
            guard !Task.isCancelled, let count = try? await loop.submit({ handlers.reduce(0) { $0 + $1.value.acknowledged } }).get() else {
                break
            }
            let now = MonotonicClock.now()
            if count != lastCount {
                lastCount = count
                lastChange = now
            } else if MonotonicClock.seconds(from: lastChange, to: now) > stallSeconds {
                bar.clear()
                fail("nothing acknowledged for \(Int(stallSeconds)) s (\(count) of \(plan.events) events acknowledged); is the brain stuck?")
            }
            bar.draw(done: count, seconds: MonotonicClock.seconds(from: startedAt, to: now))
        }
        bar.clear()
    }

}
