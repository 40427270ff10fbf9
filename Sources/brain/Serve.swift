import ArgumentParser
import BrainCommandLine
import BrainCore
import BrainProtocol
import BrainServer
import BrainStore
import CBrainMallocTuning
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// `brain serve`: every flag has an environment variable; flags win.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the brain in the foreground until SIGTERM or SIGINT.",
        discussion: """
            Every option can also be set by the environment variable named in its help.
            Durations accept ms, s, m, h and d suffixes (a bare number is seconds).
            SIGTERM or SIGINT stops accepting, ends streams, writes a final snapshot and \
            removes the socket file.
            """
    )

    @Option(help: "Unix socket to listen on. [env: BRAIN_SOCKET] (default: $XDG_RUNTIME_DIR/brain/brain.sock, else /tmp/brain-<uid>/brain.sock)")
    var socket: String?

    @Option(help: "Directory for snapshots and the secret key. [env: BRAIN_DATA_DIR] (default: $XDG_STATE_HOME/brain, else ~/.local/state/brain)")
    var dataDir: String?

    @Option(
        parsing: .unconditional,
        help: "Largest frame accepted, in bytes; a larger one closes its connection with RESOURCE_EXHAUSTED. [env: BRAIN_MAX_FRAME_BYTES] (default: 4194304)")
    var maxFrameBytes: Int?

    @Option(parsing: .unconditional, help: "Heartbeat interval asked of agents. [env: BRAIN_HEARTBEAT_INTERVAL] (default: 2s)")
    var heartbeatInterval: String?

    @Option(parsing: .unconditional, help: "Silence after which an agent goes offline. [env: BRAIN_HEARTBEAT_TIMEOUT] (default: 3 × the interval)")
    var heartbeatTimeout: String?

    @Option(
        parsing: .unconditional,
        help: "Snapshot period when something changed; 0 = only at shutdown and on request. [env: BRAIN_SNAPSHOT_INTERVAL] (default: 30s)")
    var snapshotInterval: String?

    @Option(
        parsing: .unconditional,
        help: "Also snapshot after this many changes, whichever comes first; 0 = by time only. [env: BRAIN_SNAPSHOT_AFTER_CHANGES] (default: 100000)")
    var snapshotAfterChanges: Int?

    @Option(
        parsing: .unconditional, help: "Snapshots kept in the data directory (snapshot.json, snapshot.1.json, ...). [env: BRAIN_SNAPSHOTS_KEPT] (default: 3)")
    var snapshotsKept: Int?

    @Option(
        parsing: .unconditional,
        help:
            "Most MiB per second a snapshot writes while agents stream, so the journal keeps the disk; 0 = no limit (an idle brain always writes at full speed). [env: BRAIN_SNAPSHOT_RATE_LIMIT] (default: 256)"
    )
    var snapshotRateLimit: Int?

    @Option(
        help:
            "Journal fsync policy: batch (an ack means on disk), interval (fsync every --fsync-interval; a machine crash may lose that window) or never (benchmarks). [env: BRAIN_FSYNC] (default: batch)"
    )
    var fsync: String?

    @Option(parsing: .unconditional, help: "The fsync period of --fsync interval. [env: BRAIN_FSYNC_INTERVAL] (default: 100ms)")
    var fsyncInterval: String?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Write the journal and snapshots with direct I/O (O_DIRECT) where the file system takes it; --no-direct-io writes through the page cache. [env: BRAIN_DIRECT_IO=0|1] (default: on)"
    )
    var directIO: Bool?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Check large reads' task events for secrets on a second thread while the event loop handles them (the loop skips the check of each event found clean); --no-task-check-thread checks every event on the loop. [env: BRAIN_TASK_CHECK_THREAD=0|1] (default: on)"
    )
    var taskCheckThread: Bool?

    @Option(
        parsing: .unconditional,
        help:
            "How long a command to an agent (task retry/cancel, schedule enable/disable) waits for the agent's result when the client gives no deadline; it stays pending while the agent is offline, then times out. [env: BRAIN_COMMAND_DEADLINE] (default: 60s)"
    )
    var commandDeadline: String?

    @Option(
        parsing: .unconditional,
        help:
            "Least time between retention sweeps (each removes at most 10000 expired runs, tasks, events, sink rows and commands; the rest goes next time); 0 = never sweep. [env: BRAIN_RETENTION_SWEEP_INTERVAL] (default: 60s)"
    )
    var retentionSweepInterval: String?

    @Option(help: "Record every agent event received to this file, as wire frames (replayable with brain-bench replay). [env: BRAIN_RECORD]")
    var record: String?

    @Option(parsing: .unconditional, help: "Prune persistence-error rows older than this; 0 keeps them for ever. [env: BRAIN_ERROR_RETENTION] (default: 30d)")
    var errorRetention: String?

    @Option(
        parsing: .unconditional,
        help:
            "How long a started task's agent must stay offline before the brain calls the task lost. [env: BRAIN_TASK_LOST_GRACE] (default: 5m)"
    )
    var taskLostGrace: String?

    @Option(
        parsing: .unconditional,
        help: "A task started longer than this is shown as stuck (nothing is done about it). [env: BRAIN_TASK_STUCK_AFTER] (default: 1h)")
    var taskStuckAfter: String?

    @Option(parsing: .unconditional, help: "Most simultaneous connections. [env: BRAIN_MAX_CONNECTIONS] (default: 1024)")
    var maxConnections: Int?

    @Option(
        parsing: .unconditional,
        help:
            "Most bytes of replies a connection may leave unread before the brain stops reading it (until half are read); bounds the memory a client that does not read can take. [env: BRAIN_MAX_UNSENT_REPLY_BYTES] (default: 4194304)"
    )
    var maxUnsentReplyBytes: Int?

    @Option(
        parsing: .unconditional,
        help:
            "Most bytes of Watch events a connection may have waiting on top of that; past it the stream with the most waiting ends with RESOURCE_EXHAUSTED. [env: BRAIN_MAX_WATCH_QUEUE_BYTES] (default: 8388608)"
    )
    var maxWatchQueueBytes: Int?

    @Option(
        parsing: .unconditional,
        help:
            "How many schedules one step of a time-zone change predicts again; ingestion waits for one step at most (0 or more than a project holds: all at once). [env: BRAIN_SCHEDULE_RECOMPUTE_BATCH] (default: 2000)"
    )
    var scheduleRecomputeBatch: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: BRAIN_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Flag(help: "Refuse agents not created with `brainctl agent create` (turns trust-on-first-use off). [env: BRAIN_REQUIRE_REGISTERED_AGENTS=1]")
    var requireRegisteredAgents = false

    @Flag(help: "Create the socket with mode 0660 so the owner's group may connect (default 0600). [env: BRAIN_SOCKET_GROUP_ACCESS=1]")
    var socketGroupAccess = false

    /// Checked here rather than in `run()` so a mistake is answered with `serve`'s own usage line.
    func validate() throws { _ = try resolve() }

    func run() async throws {
        let configuration = try resolve()
        let level = Logger.Level(rawValue: logLevel ?? env("BRAIN_LOG_LEVEL") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "brain")
        if cbrain_malloc_tuning_applied() == 0 {
            logger.debug("malloc tuning (one arena, 8 MiB top pad) not applied on this C library")
        } else if cbrain_start_heap_prefaulter() != 0 {
            // From the start: recovery builds the whole state, and its page faults were
            // most of a start-up's time.
            logger.debug("no heap pre-faulter on this system")
        }
        Console.line("brain \(BrainVersion.string)")
        Console.line("socket:   \(configuration.socketPath)")
        Console.line("data dir: \(configuration.dataDirectory)")
        // The server binds inside the service group, after its signal handlers are in
        // place: a SIGTERM that arrives right after the socket appears still shuts down cleanly.
        let group = ServiceGroup(
            configuration: .init(
                services: [BrainService(configuration: configuration, logger: logger)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            ))
        try await group.run()
    }

    private func env(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private func flag(_ set: Bool, _ name: String) -> Bool {
        set || ["1", "true", "yes"].contains(env(name)?.lowercased() ?? "")
    }

    /// The flag's value, else the variable's, with how to show it in an error (`--fsync x` or
    /// `BRAIN_FSYNC=x`): a mistake in the environment is reported as the variable a person has to fix.
    private func source(_ value: String?, _ variable: String, _ option: String) -> (text: String, shown: String)? {
        if let value { return (value, "\(option) \(value)") }
        if let text = env(variable) { return (text, "\(variable)=\(text)") }
        return nil
    }

    private func duration(_ value: String?, _ variable: String, _ option: String) throws -> Double? {
        guard let (text, shown) = source(value, variable, option) else { return nil }
        if text.hasPrefix("-") { throw ValidationError("\(shown): must be ≥ 0") }
        guard let seconds = DurationText.seconds(text) else {
            throw ValidationError("\(shown) is not a duration; use e.g. 500ms, 2s, 5m, 30d")
        }
        return seconds
    }

    private func integer(_ value: Int?, _ variable: String, _ option: String) throws -> Int? {
        if let value {
            guard value >= 0 else { throw ValidationError("\(option) \(value): must be ≥ 0") }
            return value
        }
        guard let text = env(variable) else { return nil }
        guard let number = Int(text) else { throw ValidationError("\(variable)=\(text) is not a whole number (\(option))") }
        guard number >= 0 else { throw ValidationError("\(variable)=\(text): \(option) must be ≥ 0") }
        return number
    }

    /// An on/off flag, else its environment variable (1, 0, true, false, yes, no, on, off).
    private func boolean(_ value: Bool?, _ variable: String) throws -> Bool? {
        if let value { return value }
        guard let text = env(variable) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ValidationError("\(variable)=\(text) is not one of 1, 0, true, false, yes, no, on, off")
        }
    }

    func resolve() throws -> ServerConfiguration {
        var configuration = ServerConfiguration(
            socketPath: socket ?? DefaultPaths.socket, dataDirectory: dataDir ?? DefaultPaths.dataDirectory
        )
        if let bytes = try integer(maxFrameBytes, "BRAIN_MAX_FRAME_BYTES", "--max-frame-bytes") {
            guard bytes >= 64, bytes <= 1 << 30 else { throw ValidationError("--max-frame-bytes must be between 64 and 1073741824") }
            configuration.maxFrameBytes = bytes
        }
        if let connections = try integer(maxConnections, "BRAIN_MAX_CONNECTIONS", "--max-connections") {
            guard connections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
            configuration.maxConnections = connections
        }
        if let bytes = try integer(maxUnsentReplyBytes, "BRAIN_MAX_UNSENT_REPLY_BYTES", "--max-unsent-reply-bytes") {
            // Below 64 KiB (SwiftNIO's own default mark) a connection would stop after every few replies.
            guard bytes >= 65_536, bytes <= 1 << 30 else {
                throw ValidationError("--max-unsent-reply-bytes must be between 65536 and 1073741824")
            }
            configuration.maxUnsentReplyBytes = bytes
        }
        if let bytes = try integer(maxWatchQueueBytes, "BRAIN_MAX_WATCH_QUEUE_BYTES", "--max-watch-queue-bytes") {
            // 0 is allowed: a stream then ends as soon as one of its events would have to wait.
            guard bytes <= 1 << 30 else { throw ValidationError("--max-watch-queue-bytes must be between 0 and 1073741824") }
            configuration.maxWatchQueueBytes = bytes
        }
        if let batch = try integer(scheduleRecomputeBatch, "BRAIN_SCHEDULE_RECOMPUTE_BATCH", "--schedule-recompute-batch") {
            configuration.scheduleRecomputeBatch = batch == 0 ? Int.max : batch
        }
        let interval = try duration(heartbeatInterval, "BRAIN_HEARTBEAT_INTERVAL", "--heartbeat-interval") ?? 2
        guard interval >= 0.01 else { throw ValidationError("--heartbeat-interval must be at least 10ms") }
        let timeout = try duration(heartbeatTimeout, "BRAIN_HEARTBEAT_TIMEOUT", "--heartbeat-timeout") ?? interval * 3
        guard timeout > interval else {
            throw ValidationError("--heartbeat-timeout (\(timeout)s) must be longer than --heartbeat-interval (\(interval)s)")
        }
        configuration.core.heartbeatIntervalMs = UInt32(min(interval * 1_000, Double(UInt32.max)))
        configuration.core.heartbeatTimeoutMs = UInt32(min(timeout * 1_000, Double(UInt32.max)))
        if let snapshot = try duration(snapshotInterval, "BRAIN_SNAPSHOT_INTERVAL", "--snapshot-interval") {
            configuration.snapshotIntervalSeconds = snapshot
        }
        if let retention = try duration(errorRetention, "BRAIN_ERROR_RETENTION", "--error-retention") {
            configuration.core.errorRetentionNs = Int64(retention * 1e9)
        }
        if let grace = try duration(taskLostGrace, "BRAIN_TASK_LOST_GRACE", "--task-lost-grace") {
            configuration.tasks.lostGraceNs = Int64(min(grace * 1e9, Double(Int64.max / 2)))
        }
        if let stuck = try duration(taskStuckAfter, "BRAIN_TASK_STUCK_AFTER", "--task-stuck-after") {
            configuration.tasks.stuckAfterNs = Int64(min(stuck * 1e9, Double(Int64.max / 2)))
        }
        if let deadline = try duration(commandDeadline, "BRAIN_COMMAND_DEADLINE", "--command-deadline") {
            guard deadline >= 0.001, deadline <= 30 * 86_400 else { throw ValidationError("--command-deadline must be between 1ms and 30d") }
            configuration.commandDeadlineMs = UInt64(deadline * 1_000)
        }
        if let sweep = try duration(retentionSweepInterval, "BRAIN_RETENTION_SWEEP_INTERVAL", "--retention-sweep-interval") {
            configuration.retentionSweepIntervalNs = Int64(min(sweep * 1e9, Double(Int64.max / 2)))
        }
        if let changes = try integer(snapshotAfterChanges, "BRAIN_SNAPSHOT_AFTER_CHANGES", "--snapshot-after-changes") {
            guard changes >= 0 else { throw ValidationError("--snapshot-after-changes must be 0 or more") }
            configuration.snapshotAfterChanges = UInt64(changes)
        }
        if let rate = try integer(snapshotRateLimit, "BRAIN_SNAPSHOT_RATE_LIMIT", "--snapshot-rate-limit") {
            guard rate >= 0, rate <= 1 << 20 else { throw ValidationError("--snapshot-rate-limit must be between 0 (no limit) and 1048576 MiB/s") }
            configuration.snapshotRateWhileIngesting = rate << 20
        }
        if let kept = try integer(snapshotsKept, "BRAIN_SNAPSHOTS_KEPT", "--snapshots-kept") {
            guard kept >= 1 else { throw ValidationError("--snapshots-kept must be at least 1") }
            configuration.snapshotsKept = kept
        }
        if let directIO = try boolean(directIO, "BRAIN_DIRECT_IO") { configuration.directIO = directIO }
        if let taskCheckThread = try boolean(taskCheckThread, "BRAIN_TASK_CHECK_THREAD") { configuration.taskCheckThread = taskCheckThread }
        let fsyncSource = source(fsync, "BRAIN_FSYNC", "--fsync") ?? ("batch", "--fsync batch")
        switch fsyncSource.text {
        case "batch": configuration.fsyncPolicy = .batch
        case "never": configuration.fsyncPolicy = .never
        case "interval":
            let period = try duration(fsyncInterval, "BRAIN_FSYNC_INTERVAL", "--fsync-interval") ?? 0.1
            guard period >= 0.001 else { throw ValidationError("--fsync-interval must be at least 1ms") }
            configuration.fsyncPolicy = .interval(milliseconds: Int(period * 1_000))
        default:
            throw ValidationError("\(fsyncSource.shown) is not one of batch, interval, never")
        }
        if let (level, shown) = source(logLevel, "BRAIN_LOG_LEVEL", "--log-level"), Logger.Level(rawValue: level) == nil {
            throw ValidationError("\(shown) is not one of trace, debug, info, notice, warning, error, critical")
        }
        configuration.recordPath = record ?? env("BRAIN_RECORD")
        configuration.core.requireRegisteredAgents = flag(requireRegisteredAgents, "BRAIN_REQUIRE_REGISTERED_AGENTS")
        configuration.socketGroupAccess = flag(socketGroupAccess, "BRAIN_SOCKET_GROUP_ACCESS")
        return configuration
    }
}

/// Starts the server when the group runs, serves until graceful shutdown, then shuts down.
struct BrainService: Service {
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        let server: BrainServer
        do {
            server = try await BrainServer.start(configuration: configuration, logger: logger)
        } catch {
            Console.error("brain: error: \(error)")
            exit(1)
        }
        Console.line("listening on \(configuration.socketPath)")
        try await server.run()
    }
}
