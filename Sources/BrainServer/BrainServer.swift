import BrainCore
import BrainProtocol
import BrainStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Hands a non-Sendable value to the event loop that will own it from then on.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    // @unchecked: used once, to move a value created before the loop existed onto it.
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The brain daemon: a Unix-socket server over one event loop that owns the state.
///
/// ``start(configuration:logger:)`` loads the snapshot and binds; as a `Service`,
/// ``run()`` serves until graceful shutdown (SIGTERM/SIGINT in a `ServiceGroup`), then
/// stops accepting, ends streams, writes a final snapshot and removes the socket file.
package final class BrainServer: Service, Sendable {
    package let configuration: ServerConfiguration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let journalPool: NIOThreadPool
    private let snapshotPool: NIOThreadPool
    /// The thread of ``TaskCheckWorker`` (with ``ServerConfiguration/taskCheckThread``).
    let taskCheck: (worker: TaskCheckWorker, pool: NIOThreadPool)?
    private let serverChannel: any Channel
    private let engine: NIOLoopBound<BrainEngine>
    private let lock: DataDirectoryLock
    private let ticker: RepeatedTask

    private init(
        configuration: ServerConfiguration, logger: Logger, group: MultiThreadedEventLoopGroup, threadPool: NIOThreadPool,
        journalPool: NIOThreadPool, snapshotPool: NIOThreadPool, taskCheck: (worker: TaskCheckWorker, pool: NIOThreadPool)?,
        serverChannel: any Channel, engine: NIOLoopBound<BrainEngine>, lock: DataDirectoryLock, ticker: RepeatedTask
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
        self.threadPool = threadPool
        self.journalPool = journalPool
        self.snapshotPool = snapshotPool
        self.taskCheck = taskCheck
        self.serverChannel = serverChannel
        self.engine = engine
        self.lock = lock
        self.ticker = ticker
    }

    /// Prepares the data directory, loads the snapshot, binds the socket and starts serving.
    /// - Throws: ``StartupError`` or ``StoreError`` with a message naming what is wrong.
    package static func start(configuration: ServerConfiguration, logger: Logger) async throws -> BrainServer {
        // The socket is checked first: a start that cannot listen must not create a data
        // directory, a lock, a key and a journal on its way out.
        let socketWarnings = try SocketGuard.prepare(path: configuration.socketPath, groupAccess: configuration.socketGroupAccess)
        for warning in socketWarnings { logger.warning("\(warning)") }
        try FileIOBridge.makeDirectory(configuration.dataDirectory)
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory, purpose: "start another brain on it, or choose another --data-dir")
        let secret = try SecretKey.loadOrCreate(in: configuration.dataDirectory)
        let now = WallClock.now()
        var core = configuration.core
        core.noTokenHash = secret.hash(token: "")
        let recovered = try Recovery.open(
            directory: configuration.dataDirectory, configuration: core, policy: configuration.fsyncPolicy,
            snapshotsKept: configuration.snapshotsKept, directIO: configuration.directIO, files: configuration.fileCalls,
            logger: logger
        )
        var state = recovered.state
        state.taskSettings = configuration.tasks
        _ = state.apply(.restarted, now: now)
        let lastSnapshotAt = recovered.lastSnapshotAt
        let journal = UnsafeTransfer(recovered.journal)
        let journalWrites =
            recovered.journal.usesDirectIO
            ? "direct I/O"
            : configuration.directIO ? "page cache (this file system refused O_DIRECT)" : "page cache (--no-direct-io)"
        logger.info("journal writes: \(journalWrites)")
        let recorder = try configuration.recordPath.map { (path) throws(StoreError) in try StreamRecorder(path: path) }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let journalPool = NIOThreadPool(numberOfThreads: 1)
        journalPool.start()
        let snapshotPool = NIOThreadPool(numberOfThreads: 1)
        snapshotPool.start()
        let taskCheck = configuration.taskCheckThread ? TaskCheckWorker.start(maxFrameBytes: configuration.maxFrameBytes) : nil
        let initialState = state
        let lastSnapshot = lastSnapshotAt
        let engine = try await loop.submit {
            NIOLoopBound(
                BrainEngine(
                    configuration: configuration, eventLoop: loop, secret: secret, state: initialState,
                    lastSnapshotAt: lastSnapshot, journal: journal.value, journalPool: journalPool, recorder: recorder, threadPool: threadPool,
                    snapshotPool: snapshotPool, logger: logger, now: now, taskCheckWorker: taskCheck?.worker
                ), eventLoop: loop
            )
        }.get()
        let maxFrameBytes = configuration.maxFrameBytes
        let serverChannel: any Channel
        do {
            serverChannel = try await Self.withChannelOptions(ServerBootstrap(group: group))
                // Flow control: a connection turns unwritable, and is no longer read, once this
                // many bytes of its replies wait unsent (BrainConnectionHandler, FlowControl).
                .childChannelOption(.writeBufferWaterMark, value: FlowControl.waterMark(limit: configuration.maxUnsentReplyBytes))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            BrainConnectionHandler(engine: engine.value, maxFrameBytes: maxFrameBytes)
                        )
                    }
                }
                .bind(unixDomainSocketPath: configuration.socketPath, cleanupExistingSocketFile: false)
                .get()
        } catch {
            try? await journalPool.shutdownGracefully()
            try? await threadPool.shutdownGracefully()
            try? await snapshotPool.shutdownGracefully()
            await Self.stop(taskCheck)
            try? await group.shutdownGracefully()
            throw StartupError("cannot listen on \(configuration.socketPath): \(error)")
        }
        try SocketGuard.setMode(path: configuration.socketPath, groupAccess: configuration.socketGroupAccess)
        let ticker = loop.scheduleRepeatedTask(
            initialDelay: .milliseconds(configuration.tickIntervalMs), delay: .milliseconds(configuration.tickIntervalMs)
        ) { _ in
            engine.value.tick()
        }
        return BrainServer(
            configuration: configuration, logger: logger, group: group, threadPool: threadPool, journalPool: journalPool,
            snapshotPool: snapshotPool, taskCheck: taskCheck, serverChannel: serverChannel, engine: engine, lock: lock, ticker: ticker
        )
    }

    /// Stops the task-check thread (after the event loop: no read is being checked).
    private static func stop(_ taskCheck: (worker: TaskCheckWorker, pool: NIOThreadPool)?) async {
        guard let taskCheck else { return }
        taskCheck.worker.stop()
        try? await taskCheck.pool.shutdownGracefully()
    }

    /// The brain's listening-socket and connection options, for anything that should be
    /// served exactly as the brain is (`brain-bench echo-server`, the floor of its RPCs).
    package static func withChannelOptions(_ bootstrap: ServerBootstrap) -> ServerBootstrap {
        bootstrap
            .serverChannelOption(.backlog, value: 256)
            // Large reads when agents stream: more frames per read means fewer
            // syscalls, one ack and one journal write for more events.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 65_536, maximum: 1 << 20)
            )
    }

    /// Serves until graceful shutdown is triggered, then shuts down cleanly.
    package func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops accepting, ends every stream, writes a final snapshot, closes connections and
    /// removes the socket file.
    package func shutdown() async throws {
        logger.info("shutting down")
        try? await serverChannel.close()
        defer { unlink(configuration.socketPath) }
        let loop = serverChannel.eventLoop
        let engine = self.engine
        let snapshot = try await loop.submit { () -> EventLoopFuture<SnapshotReply> in
            let promise = loop.makePromise(of: SnapshotReply.self)
            let brain = engine.value
            // Stop reading before the final snapshot, so nothing is acknowledged after it.
            brain.endStreams()
            brain.closeAll()
            brain.finalSnapshot { result in promise.completeWith(result.mapError { $0 as any Error }) }
            return promise.futureResult
        }.get().get()
        logger.info("final snapshot written to \(snapshot.path) (\(snapshot.bytes) bytes)")
        ticker.cancel()
        try await threadPool.shutdownGracefully()
        try await snapshotPool.shutdownGracefully()
        try await journalPool.shutdownGracefully()
        try await group.shutdownGracefully()
        await Self.stop(taskCheck)
        _ = lock
    }
}
