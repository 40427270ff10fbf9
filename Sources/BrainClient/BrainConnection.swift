import BrainFraming
public import BrainProtocol
public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to a brain: concurrent calls matched by call id, server streams, and
/// fire-and-forget sends. Safe to use from any task.
public final class BrainConnection: Sendable {
    let channel: any Channel
    private let router: NIOLoopBound<ResponseRouter>
    /// The socket this connection was made to.
    public let socketPath: String
    /// How long ``call(_:)`` waits for a reply; nil waits as long as the connection is open.
    public let callTimeout: Duration?

    private init(channel: any Channel, router: NIOLoopBound<ResponseRouter>, socketPath: String, callTimeout: Duration?) {
        self.channel = channel
        self.router = router
        self.socketPath = socketPath
        self.callTimeout = callTimeout
    }

    /// Connects to the brain at `socketPath`.
    /// - Parameters:
    ///   - socketPath: the brain's socket; by default ``DefaultPaths/socket`` (`$BRAIN_SOCKET`,
    ///     else `$XDG_RUNTIME_DIR/brain/brain.sock`, else `/tmp/brain-<uid>/brain.sock`).
    ///   - connectTimeout: how long the connect itself may take; nil for the system's limit.
    ///   - callTimeout: the default deadline of every ``call(_:)`` on this connection; nil for none.
    /// - Throws: ``BrainError`` `UNAVAILABLE` naming the socket when no brain answers there (or
    ///   the path is no socket), `DEADLINE_EXCEEDED` when the connect took longer than `connectTimeout`.
    public static func connect(
        socketPath: String = DefaultPaths.socket, maxFrameBytes: Int = WireConstants.defaultMaxFrameBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration? = nil, callTimeout: Duration? = nil
    ) async throws(BrainError) -> BrainConnection {
        guard socketPath.utf8.count < WireConstants.maxSocketPathBytes else {
            throw BrainError(
                .invalidArgument, "socket path \(socketPath) is \(socketPath.utf8.count) bytes; it must be shorter than \(WireConstants.maxSocketPathBytes)")
        }
        do {
            var bootstrap = ClientBootstrap(group: group)
            if let connectTimeout { bootstrap = bootstrap.connectTimeout(Self.timeAmount(connectTimeout)) }
            // The router is taken from the initializer itself: a brain at its connection
            // limit closes the channel at once, and a lookup afterwards would find nothing.
            let (channel, router) =
                try await bootstrap
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let router = ResponseRouter()
                        let handlers: [any ChannelHandler] = [
                            ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)), router,
                        ]
                        try channel.pipeline.syncOperations.addHandlers(handlers)
                        return (channel, NIOLoopBound(router, eventLoop: channel.eventLoop))
                    }
                }
            return BrainConnection(channel: channel, router: router, socketPath: socketPath, callTimeout: callTimeout)
        } catch ChannelError.connectTimeout {
            let limit = connectTimeout.map(Self.seconds) ?? "the connect timeout"
            throw BrainError(.deadlineExceeded, "the brain at \(socketPath) did not accept the connection within \(limit)")
        } catch {
            throw BrainError(.unavailable, "cannot reach the brain at \(socketPath): \(Self.describe(error, socketPath: socketPath))")
        }
    }

    /// Calls a method and waits for its reply, at most ``callTimeout``.
    /// - Throws: the reply's ``BrainError`` when it failed, `UNAVAILABLE` when the connection
    ///   closed, `DEADLINE_EXCEEDED` when no reply came within ``callTimeout``.
    public func call(_ method: BrainRequest.Method) async throws(BrainError) -> BrainResponse.Result {
        try await call(method, timeout: callTimeout)
    }

    /// Calls a method and waits for its reply, at most `timeout` (nil: as long as the connection is open).
    ///
    /// A call that times out or whose task is cancelled is forgotten at once; a reply that
    /// arrives later goes to the ``onUnsolicited(_:onClose:)`` handler like any reply no call waits for.
    /// - Throws: the reply's ``BrainError`` when it failed, `UNAVAILABLE` when the connection
    ///   closed, `DEADLINE_EXCEEDED` when no reply came in time, `CANCELLED` when the task was cancelled.
    public func call(_ method: BrainRequest.Method, timeout: Duration?) async throws(BrainError) -> BrainResponse.Result {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: BrainResponse.self)
        let channel = self.channel
        let router = self.router
        let socketPath = self.socketPath
        loop.execute {
            let callID = router.value.allocateCallID()
            router.value.register(callID, promise: promise)
            // Whatever settles the call (its reply, the deadline, cancellation, the close)
            // removes it from the router, so a call given up on leaves nothing behind.
            let deadline = timeout.map { timeout in
                loop.scheduleTask(in: Self.timeAmount(timeout)) {
                    promise.fail(BrainError(.deadlineExceeded, "no reply from the brain at \(socketPath) within \(Self.seconds(timeout))"))
                }
            }
            promise.futureResult.whenComplete { _ in
                deadline?.cancel()
                router.value.forget(callID)
            }
            var buffer = channel.allocator.buffer(capacity: 64)
            WireCodec.writeFrame(BrainRequest(callID: callID, method: method), into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
        let response: BrainResponse
        do {
            response = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(BrainError(.cancelled, "the call was cancelled before the brain answered"))
            }
        } catch {
            throw (error as? BrainError) ?? BrainError(.unavailable, "\(error)")
        }
        if let error = response.error { throw error }
        guard let result = response.result else {
            throw BrainError(.internal, "the brain answered without a result")
        }
        return result
    }

    /// Starts a server stream (Watch). The stream ends when the brain ends it, the
    /// connection closes, or the consuming task stops iterating (which cancels the call).
    public func stream(_ method: BrainRequest.Method) -> AsyncThrowingStream<BrainResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<BrainResponse, any Error>.makeStream()
        let loop = channel.eventLoop
        let channel = self.channel
        let router = self.router
        loop.execute {
            let callID = router.value.allocateCallID()
            router.value.register(callID, stream: continuation)
            continuation.onTermination = { _ in
                loop.execute {
                    router.value.unregisterStream(callID)
                    guard channel.isActive else { return }
                    var buffer = channel.allocator.buffer(capacity: 32)
                    WireCodec.writeFrame(BrainRequest(callID: 0, method: .cancelCall(targetCallID: callID)), into: &buffer)
                    channel.writeAndFlush(buffer, promise: nil)
                }
            }
            var buffer = channel.allocator.buffer(capacity: 64)
            WireCodec.writeFrame(BrainRequest(callID: callID, method: method), into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
        return stream
    }

    /// Sends requests with call id 0 (no reply on success), in one write.
    public func send(_ methods: [BrainRequest.Method]) {
        let channel = self.channel
        channel.eventLoop.execute {
            var buffer = channel.allocator.buffer(capacity: 128 * methods.count)
            for method in methods { WireCodec.writeFrame(BrainRequest(callID: 0, method: method), into: &buffer) }
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    /// Sends pre-encoded frames as they are (replay, tests of malformed input).
    public func sendRaw(_ bytes: [UInt8]) {
        let channel = self.channel
        channel.eventLoop.execute {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }

    /// Receives responses no call waits for (acks, refused events) and the close, on the connection's loop.
    public func onUnsolicited(
        _ handler: @escaping @Sendable (BrainResponse) -> Void, onClose: @escaping @Sendable (BrainError) -> Void
    ) {
        let router = self.router
        channel.eventLoop.execute {
            router.value.unsolicited = handler
            router.value.setOnClose(onClose)
        }
    }

    /// Calls sent on this connection that still wait for their reply (0 once each has
    /// been answered, timed out or cancelled).
    public func waitingCalls() async -> Int {
        let router = self.router
        return (try? await channel.eventLoop.submit { router.value.pendingCount }.get()) ?? 0
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }

    /// A connect error in words, with what to do: "no such socket (is `brain serve`
    /// running?)", "it is a directory, not a socket (...)", ...
    public static func describe(_ error: any Error, socketPath: String) -> String {
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED || io.errnoCode == ENOTSOCK,
            let kind = nonSocketKind(socketPath)
        {
            return "it is \(kind), not a socket (point at the brain's socket; `brain serve` prints it)"
        }
        return "\(describe(error)) (is `brain serve` running?)"
    }

    /// "a directory", "a regular file", ... when `path` exists and is no socket; nil otherwise.
    static func nonSocketKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & 0o170000 {
        case 0o140000: return nil
        case 0o040000: return "a directory"
        case 0o100000: return "a regular file"
        case 0o010000: return "a FIFO"
        default: return "a device or other special file"
        }
    }

    /// `5 s`, `0.25 s`: a timeout as the messages print it.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        let millis = (Double(seconds) * 1_000 + Double(attoseconds) / 1e15).rounded()
        return "\(millis / 1_000) s"
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return .nanoseconds(Int64.max) }
        return .nanoseconds(max(0, nanos.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue))
    }

    /// A connect error in words (`connection refused`, `no such socket`, ...).
    public static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case 2: return "no such socket"
            case 111: return "connection refused"
            case 13: return "permission denied"
            default: return "\(io)"
            }
        }
        return "\(error)"
    }
}
