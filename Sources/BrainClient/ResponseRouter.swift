import BrainFraming
import BrainProtocol
import NIOCore

/// Routes each `Response` to the call that is waiting for it, by call id. Lives on the
/// connection's event loop; everything here is touched only there.
final class ResponseRouter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var pending: [UInt64: EventLoopPromise<BrainResponse>] = [:]
    private var streams: [UInt64: AsyncThrowingStream<BrainResponse, any Error>.Continuation] = [:]
    private var nextCallID: UInt64 = 0
    private var closedError: BrainError?
    /// Set once the channel is inactive: nothing more arrives.
    private var closed = false
    /// Responses no call waits for: acks, refused events, commands to the agent,
    /// connection-level errors. Those that arrive before it is set wait in ``held``.
    var unsolicited: ((BrainResponse) -> Void)? {
        didSet {
            guard let unsolicited, !held.isEmpty else { return }
            let waiting = held
            held = []
            for response in waiting { unsolicited(response) }
        }
    }
    /// Unsolicited responses received before ``unsolicited`` was set: the brain writes an
    /// agent's pending commands right after its welcome, before the session has registered
    /// its handler. Bounded: past ``maxHeld`` the oldest are dropped (commands are sent again
    /// at the next hello until acknowledged).
    private var held: [BrainResponse] = []
    private static let maxHeld = 1_024
    /// Called once when the connection closes.
    var onClose: ((BrainError) -> Void)?

    func allocateCallID() -> UInt64 {
        nextCallID += 1
        return nextCallID
    }

    func register(_ callID: UInt64, promise: EventLoopPromise<BrainResponse>) {
        if let closedError {
            promise.fail(closedError)
            return
        }
        pending[callID] = promise
    }

    /// Drops a call that was settled without its reply (timed out, cancelled); a no-op after the reply.
    func forget(_ callID: UInt64) {
        pending.removeValue(forKey: callID)
    }

    /// Calls waiting for a reply (for tests of timeouts and cancellation).
    var pendingCount: Int { pending.count }

    func register(_ callID: UInt64, stream: AsyncThrowingStream<BrainResponse, any Error>.Continuation) {
        if let closedError {
            stream.finish(throwing: closedError)
            return
        }
        streams[callID] = stream
    }

    func unregisterStream(_ callID: UInt64) {
        streams.removeValue(forKey: callID)?.finish()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let response: BrainResponse
        do {
            response = try WireCodec.decodeResponse(frame)
        } catch {
            context.fireErrorCaught(error)
            return
        }
        if let promise = pending.removeValue(forKey: response.callID) {
            promise.succeed(response)
        } else if let stream = streams[response.callID] {
            if let error = response.error {
                streams.removeValue(forKey: response.callID)
                stream.finish(throwing: error)
            } else {
                if response.result != nil { stream.yield(response) }
                if response.endOfStream {
                    streams.removeValue(forKey: response.callID)
                    stream.finish()
                }
            }
        } else {
            // An error for no call (connection limit, oversized frame): the brain is closing
            // the connection, and this is why; calls made now or still waiting get it.
            if response.callID == 0, let error = response.error, response.result == nil { closedError = error }
            if let unsolicited {
                unsolicited(response)
            } else {
                if held.count >= Self.maxHeld { held.removeFirst() }
                held.append(response)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        close(with: closedError ?? BrainError(.unavailable, "the connection to the brain closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let brainError = (error as? BrainError) ?? BrainError(.unavailable, "connection error: \(error)")
        closedError = brainError
        context.close(promise: nil)
    }

    /// Registers the close handler. A connection that has already closed reports it at once:
    /// the close may be handled on the loop between a caller's last reply and this
    /// registration (a brain dropping a reconnect right after its welcome), and must not be lost.
    func setOnClose(_ handler: @escaping (BrainError) -> Void) {
        if closed {
            handler(closedError ?? BrainError(.unavailable, "the connection to the brain closed"))
        } else {
            onClose = handler
        }
    }

    private func close(with error: BrainError) {
        closed = true
        closedError = error
        let waiting = pending
        pending.removeAll()
        for promise in waiting.values { promise.fail(error) }
        let open = streams
        streams.removeAll()
        for stream in open.values { stream.finish(throwing: error) }
        onClose?(error)
        onClose = nil
    }
}
