import BrainFraming
import BrainProtocol
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// `FrameDecoder` splits a byte stream into length-prefixed frames however the bytes arrive,
/// and refuses an oversized frame from its header alone.
@Suite("Frame decoding")
struct FrameDecoderTests {
    /// A frame: the 4-byte big-endian length, then `body`.
    static func frame(_ body: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(body.count), endianness: .big)
        buffer.writeBytes(body)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    static func header(length: UInt32) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(length, endianness: .big)
        return buffer
    }

    static func body(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0) &+ seed }
    }

    static func channel(maxFrameBytes: Int) -> EmbeddedChannel {
        EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
    }

    static func readAll(_ channel: EmbeddedChannel) throws -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        while let frame = try channel.readInbound(as: ByteBuffer.self) { frames.append(frame) }
        return frames
    }

    @Test("ByteToMessageDecoderVerifier: frames drip-fed, coalesced and whole all decode")
    func verifierAcceptsDecoder() throws {
        let bodies: [[UInt8]] = [[], [0x2A], Self.body(3), Self.body(255, seed: 7), Self.body(256), Self.body(1_000, seed: 3)]
        let pairs = bodies.map { body in (ByteBuffer(bytes: Self.frame(body)), [ByteBuffer(bytes: body)]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder(maxFrameBytes: 1_000) }
    }

    @Test("ByteToMessageDecoderVerifier: one input holding several frames yields them all in order")
    func verifierWithMultiFrameInputs() throws {
        let first = Self.frame([1, 2]) + Self.frame([]) + Self.frame([3])
        let second = Self.frame(Self.body(40)) + Self.frame(Self.body(2, seed: 9))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [
            (ByteBuffer(bytes: first), [ByteBuffer(bytes: [1, 2]), ByteBuffer(), ByteBuffer(bytes: [3])]),
            (ByteBuffer(bytes: second), [ByteBuffer(bytes: Self.body(40)), ByteBuffer(bytes: Self.body(2, seed: 9))]),
        ]) { FrameDecoder() }
    }

    @Test("a frame written one byte at a time appears only once its last byte arrives")
    func oneByteAtATime() throws {
        let channel = Self.channel(maxFrameBytes: 64)
        let body = Self.body(10, seed: 0x40)
        let bytes = Self.frame(body)
        for (index, byte) in bytes.enumerated() {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            let frame = try channel.readInbound(as: ByteBuffer.self)
            if index < bytes.count - 1 {
                #expect(frame == nil, "a frame appeared after \(index + 1) of \(bytes.count) bytes")
            } else {
                #expect(frame == ByteBuffer(bytes: body))
            }
        }
        #expect(try channel.finish().isClean)
    }

    @Test("several frames coalesced in one buffer come out as separate frames, in order")
    func coalescedFrames() throws {
        let channel = Self.channel(maxFrameBytes: 64)
        let bodies: [[UInt8]] = [Self.body(5), [], Self.body(64, seed: 1), [0xFF]]
        try channel.writeInbound(ByteBuffer(bytes: bodies.flatMap(Self.frame)))
        #expect(try Self.readAll(channel) == bodies.map { ByteBuffer(bytes: $0) })
        #expect(try channel.finish().isClean)
    }

    @Test("a frame split across writes, with the next frame's start in the same write")
    func splitAcrossWrites() throws {
        let channel = Self.channel(maxFrameBytes: 64)
        let bytes = Self.frame(Self.body(6)) + Self.frame(Self.body(4, seed: 50))
        try channel.writeInbound(ByteBuffer(bytes: bytes[0..<3]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: bytes[3..<12]))
        #expect(try Self.readAll(channel) == [ByteBuffer(bytes: Self.body(6))])
        try channel.writeInbound(ByteBuffer(bytes: bytes[12...]))
        #expect(try Self.readAll(channel) == [ByteBuffer(bytes: Self.body(4, seed: 50))])
        #expect(try channel.finish().isClean)
    }

    @Test("a zero-length frame yields an empty ByteBuffer")
    func zeroLengthFrame() throws {
        let channel = Self.channel(maxFrameBytes: 64)
        try channel.writeInbound(Self.header(length: 0))
        let frame = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(frame.readableBytes == 0)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("a zero-length frame decodes as an empty request (.unknown)")
    func zeroLengthFrameIsUnknownRequest() throws {
        let channel = Self.channel(maxFrameBytes: 64)
        try channel.writeInbound(Self.header(length: 0))
        let frame = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(try WireCodec.decodeRequest(frame) == BrainRequest(callID: 0, method: .unknown))
        _ = try channel.finish()
    }

    @Test("a frame of exactly maxFrameBytes is accepted")
    func exactlyAtLimit() throws {
        let channel = Self.channel(maxFrameBytes: 32)
        try channel.writeInbound(ByteBuffer(bytes: Self.frame(Self.body(32))))
        #expect(try Self.readAll(channel) == [ByteBuffer(bytes: Self.body(32))])
        #expect(try channel.finish().isClean)
    }

    @Test("a length prefix one over the limit throws FrameTooLargeError from the header alone")
    func oversizedHeaderOnly() throws {
        let channel = Self.channel(maxFrameBytes: 32)
        let error = #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(Self.header(length: 33))
        }
        #expect(error?.length == 33)
        #expect(error?.limit == 32)
        #expect(error?.description.contains("33") == true)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        _ = try? channel.finish()
    }

    @Test("a 4 GiB length prefix is refused under the default 4 MiB limit")
    func hugePrefixDefaultLimit() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        let error = #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(Self.header(length: UInt32.max))
        }
        #expect(error?.length == Int(UInt32.max))
        #expect(error?.limit == WireConstants.defaultMaxFrameBytes)
        _ = try? channel.finish()
    }

    @Test("frames before an oversized one are still delivered")
    func goodFramesBeforeOversized() throws {
        let channel = Self.channel(maxFrameBytes: 8)
        var bytes = Self.frame([1, 2, 3])
        bytes += [0, 0, 0, 9]
        #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1, 2, 3]))
        _ = try? channel.finish()
    }

    @Test("decode leaves an incomplete header or body in the buffer untouched")
    func decodeDirectlyNeedsMoreData() throws {
        var decoder = FrameDecoder(maxFrameBytes: 16)
        var buffer = ByteBuffer(bytes: [0, 0, 0])
        let headerOnly = try decoder.decode(buffer: &buffer)
        #expect(headerOnly == nil)
        #expect(buffer.readableBytes == 3)
        buffer.writeBytes([5, 1, 2])
        let partialBody = try decoder.decode(buffer: &buffer)
        #expect(partialBody == nil)
        #expect(buffer.readableBytes == 6)
        buffer.writeBytes([3, 4, 5, 6])
        let whole = try decoder.decode(buffer: &buffer)
        #expect(whole == ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        #expect(buffer.readableBytes == 1)
    }

    @Test("a request written with writeFrame comes back through the decoder")
    func writeFrameThroughDecoder() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        let requests = [
            BrainRequest(callID: 1, method: .getStatus),
            BrainRequest(callID: 2, method: .heartbeat(sentAt: 99)),
            BrainRequest(callID: 3, method: .deleteRun(runID: "r")),
        ]
        var buffer = ByteBuffer()
        for request in requests { WireCodec.writeFrame(request, into: &buffer) }
        try channel.writeInbound(buffer)
        let decoded = try Self.readAll(channel).map { try WireCodec.decodeRequest($0) }
        #expect(decoded == requests)
        #expect(try channel.finish().isClean)
    }
}
