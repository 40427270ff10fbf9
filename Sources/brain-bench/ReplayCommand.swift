import ArgumentParser
import BrainCommandLine
import BrainProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `brain-bench replay`: sends a recording to a brain and measures it.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recording against a brain; report acked events/s, ack latency and the brain's CPU time.",
        discussion: """
            Runs and tasks are dealt round-robin to the connections (a task's events, like a \
            run's, stay in order on one connection); each connection is one agent \
            (<prefix>-<i>) that says hello and publishes its runs' events with its own seq \
            numbers. Frames are encoded before the clock starts; the clock runs from the first \
            send to the last ack. Replay against a fresh brain: runs that already exist are \
            duplicates or rejections. \
            --target redis sends Redis (--socket: its Unix socket) the same logical work instead: \
            per task event an HSET of the task hash and an XADD to the task's event stream; per \
            step an XADD, HINCRBY and HSET; pipelined the same way, an event acknowledged when \
            all its commands are answered (--brain-pid: the redis-server pid, for its CPU time).
            """
    )

    @Argument(help: "A recording (brain-bench generate, or brain serve --record).") var file: String
    @Option(help: "The brain's Unix socket. [env: BRAIN_SOCKET] (default: the brain's default socket)") var socket: String?
    @Option(help: "Agent connections.") var connections: Int = 4
    @Option(help: "max, or events per second over all connections.") var rate: String = "max"
    @Option(help: "Most unacknowledged events per connection.") var window: Int = 8192
    @Option(help: "Agent name prefix (default: replay-<pid>).") var agentPrefix: String?
    @Option(help: "Pid of the brain to measure CPU time of (default: the `brain serve` with this socket in /proc).") var brainPid: Int32?
    @Option(help: "brain, or redis (the same logical work as Redis commands).") var target: String = "brain"
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        guard connections >= 1, connections <= 1000 else { fail("--connections must be between 1 and 1000") }
        guard window >= 1 else { fail("--window must be 1 or more") }
        guard target == "brain" || target == "redis" else { fail("--target \(target) is neither brain nor redis") }
        let redis = target == "redis"
        if redis, socket == nil { fail("--target redis needs --socket (the redis-server's Unix socket)") }
        var limit: Double?
        if rate != "max" {
            guard let value = Double(rate), value.isFinite, value > 0 else {
                fail("--rate \(rate) is neither max nor a positive number of events per second")
            }
            limit = value
        }
        let socketPath = socket ?? DefaultPaths.socket
        guard socketPath.utf8.count < WireConstants.maxSocketPathBytes else {
            fail("socket path \(socketPath) is \(socketPath.utf8.count) bytes; it must be shorter than \(WireConstants.maxSocketPathBytes)")
        }
        if let agentPrefix, agentPrefix.isEmpty { fail("--agent-prefix must not be empty") }
        let plan: ReplayPlan
        do {
            plan = try ReplayPlan.load(path: file, connections: connections)
        } catch {
            fail(error.message)
        }
        if plan.events == 0 { fail("\(file) holds no events to replay") }
        if plan.trailingBytes > 0 {
            Console.error("brain-bench: warning: ignoring \(plan.trailingBytes) bytes at the end of \(file) that are not a whole frame")
        }
        if plan.skipped > 0 {
            Console.error("brain-bench: warning: skipping \(plan.skipped) events of a kind this build does not know")
        }
        if let brainPid, ProcessCPU.seconds(pid: brainPid) == nil {
            fail("--brain-pid \(brainPid): no such process (or /proc/\(brainPid)/stat is unreadable)")
        }
        let pid = brainPid ?? (redis ? nil : ProcessCPU.findBrain(socketPath: socketPath))
        let driver = ReplayDriver(
            plan: plan, file: file, socketPath: socketPath, agentPrefix: agentPrefix ?? "replay-\(getpid())", window: window,
            rate: limit, brainPID: pid, redis: redis
        )
        let result: ReplayResult
        do {
            result = try await driver.run()
        } catch {
            fail(error.message)
        }
        if pid == nil, !redis {
            Console.error(
                "brain-bench: warning: no `brain serve --socket \(socketPath)` found in /proc; the brain's CPU time is not measured (pass --brain-pid)")
        }
        Console.line(json ? result.json.text : result.text)
        if result.rejected > 0, json, let first = result.firstRejection {
            Console.error("brain-bench: \(result.rejected) events rejected; first: \(first)")
        }
    }
}
