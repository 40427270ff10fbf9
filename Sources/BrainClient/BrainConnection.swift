public import BrainProtocol
public import NIOCore
import NIOPosix

/// One connection to a brain: concurrent calls matched by call id, server streams, and
/// fire-and-forget sends. Safe to use from any task.
public final class BrainConnection: Sendable {
    let channel: any Channel
    private let router: NIOLoopBound<ResponseRouter>

    private init(channel: any Channel, router: NIOLoopBound<ResponseRouter>) {
        self.channel = channel
        self.router = router
    }

    /// Connects to the brain at `socketPath`.
    /// - Throws: ``BrainError`` `UNAVAILABLE` naming the socket when no brain answers there.
    public static func connect(
        socketPath: String, maxFrameBytes: Int = WireConstants.defaultMaxFrameBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(BrainError) -> BrainConnection {
        guard socketPath.utf8.count < WireConstants.maxSocketPathBytes else {
            throw BrainError(.invalidArgument, "socket path \(socketPath) is \(socketPath.utf8.count) bytes; it must be shorter than \(WireConstants.maxSocketPathBytes)")
        }
        do {
            // The router is taken from the initializer itself: a brain at its connection
            // limit closes the channel at once, and a lookup afterwards would find nothing.
            let (channel, router) = try await ClientBootstrap(group: group)
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
            return BrainConnection(channel: channel, router: router)
        } catch {
            throw BrainError(.unavailable, "cannot reach the brain at \(socketPath): \(Self.describe(error)) (is `brain serve` running?)")
        }
    }

    /// Calls a method and waits for its reply.
    /// - Throws: the reply's ``BrainError`` when it failed, or `UNAVAILABLE` when the connection closed.
    public func call(_ method: BrainRequest.Method) async throws(BrainError) -> BrainResponse.Result {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: BrainResponse.self)
        let channel = self.channel
        let router = self.router
        loop.execute {
            let callID = router.value.allocateCallID()
            router.value.register(callID, promise: promise)
            var buffer = channel.allocator.buffer(capacity: 64)
            WireCodec.writeFrame(BrainRequest(callID: callID, method: method), into: &buffer)
            channel.writeAndFlush(buffer, promise: nil)
        }
        let response: BrainResponse
        do {
            response = try await promise.futureResult.get()
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
            router.value.onClose = onClose
        }
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
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
