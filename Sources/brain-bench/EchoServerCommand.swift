import ArgumentParser
import BrainCommandLine
import BrainProtocol
import BrainServer
import NIOCore
import NIOPosix
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// `brain-bench echo-server`: the floor of an NIO server on this machine.
///
/// The brain's GetRun latency is compared with a bare C server's; this server sits between
/// them: the same NIO, event loop and channel options as the brain, and no work at all
/// (each request frame is answered with a prepared reply). `Benchmarks/Load/build/pingpong --connect`
/// times it, and `Benchmarks/scripts/bench-vs-redis` prints it beside the other two.
struct EchoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Answer each length-prefixed frame with a fixed-size frame over NIO (an RPC floor).",
        discussion: """
            Listens on --socket until killed. Every complete frame (a 4-byte big-endian length, \
            then that many bytes) read gets one reply frame of --response-bytes bytes; replies \
            are flushed once per read, as the brain does. It refuses a socket a brain (or \
            anything else) answers on, as `brain serve` does, and removes its socket on SIGTERM \
            or SIGINT.
            """
    )

    @Option(help: "Unix socket to listen on (a stale socket file is replaced; a live one is refused).") var socket: String
    @Option(help: "Size of each reply frame's body, in bytes.") var responseBytes: Int = 2_000

    func run() async throws {
        guard responseBytes >= 0, responseBytes <= 1 << 24 else { fail("--response-bytes must be between 0 and 16777216") }
        do {
            _ = try SocketGuard.prepare(path: socket)
        } catch {
            fail("\(error)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var reply = ByteBufferAllocator().buffer(capacity: 4 + responseBytes)
        reply.writeInteger(UInt32(responseBytes), endianness: .big)
        reply.writeRepeatingByte(0x72, count: responseBytes)
        let prepared = reply
        let channel: any Channel
        do {
            channel = try await BrainServer.withChannelOptions(ServerBootstrap(group: group))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(EchoHandler(reply: prepared))
                    }
                }
                .bind(unixDomainSocketPath: socket)
                .get()
        } catch {
            fail("cannot listen on \(socket): \(error)")
        }
        Console.line("listening on \(socket)")
        // Killed by a signal it would leave its socket file behind for the next run to trip on.
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            try? await channel.close()
            unlink(socket)
            return
        }
    }
}

/// Answers every complete frame with the prepared reply; flushes once per read.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: ByteBuffer
    /// The start of a frame a read ended inside.
    private var partial: ByteBuffer?
    private var wrote = false

    init(reply: ByteBuffer) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var held = partial {
            held.writeBuffer(&buffer)
            buffer = held
            partial = nil
        }
        // The brain's own splitting of frames (FrameSplitter), with no limit: a floor to compare with.
        var frames = 0
        let consumed = buffer.withUnsafeReadableBytes { bytes in
            FrameSplitter.walk(bytes, maxFrameBytes: .max) { _ in
                frames += 1
                return true
            }.consumed
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        for _ in 0..<frames { context.write(wrapOutboundOut(reply), promise: nil) }
        wrote = wrote || frames > 0
        if buffer.readableBytes > 0 { partial = buffer }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if wrote {
            wrote = false
            context.flush()
        }
    }
}
