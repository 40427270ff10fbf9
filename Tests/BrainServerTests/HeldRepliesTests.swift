import BrainFraming
import BrainProtocol
import NIOCore
import Testing

@testable import BrainServer

/// What a connection holds for the journal, and what it sends once the write completed or failed.
struct HeldRepliesTests {
    static func frame(_ response: BrainResponse) -> ByteBuffer {
        var buffer = ByteBuffer()
        WireCodec.writeFrame(response, into: &buffer)
        return buffer
    }

    /// The frames `replies` writes, decoded.
    static func sent(_ replies: HeldReplies, refusing refusal: BrainError?) throws -> [BrainResponse] {
        var buffer = ByteBuffer()
        replies.write(into: &buffer, refusing: refusal)
        var responses: [BrainResponse] = []
        while let length = buffer.readInteger(endianness: .big, as: UInt32.self) {
            let slice = buffer.readSlice(length: Int(length))
            let body = try #require(slice)
            responses.append(try body.withUnsafeReadableBytes { bytes throws(BrainError) in try WireCodec.decodeResponse(bytes) })
        }
        return responses
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Held in order: a call id to hold as a durable reply, or nil for a following status reply (call id 100+).
        let held: [UInt64?]
        let awaitsDurability: Bool
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "nothing", held: [], awaitsDurability: false),
        Case(name: "one durable reply", held: [1], awaitsDurability: true),
        Case(name: "a durable reply, then one behind it", held: [1, nil], awaitsDurability: true),
        Case(name: "only replies behind others", held: [nil, nil], awaitsDurability: false),
        Case(name: "mixed", held: [1, nil, 2, nil], awaitsDurability: true),
    ]

    @Test(arguments: cases)
    func heldRepliesLeaveInOrderAndAFailedWriteRefusesOnlyTheDurableOnes(_ testCase: Case) throws {
        var replies = HeldReplies()
        var expected: [(callID: UInt64, durable: Bool)] = []
        var bytes = 0
        for (index, callID) in testCase.held.enumerated() {
            if let callID {
                let frame = Self.frame(.ok(callID, .cancelCall(cancelled: true)))
                bytes += frame.readableBytes
                replies.append(durable: frame, callID: callID)
                expected.append((callID, true))
            } else {
                let frame = Self.frame(.ok(UInt64(100 + index), .heartbeat(receivedAt: 7)))
                bytes += frame.readableBytes
                replies.append(following: frame)
                expected.append((UInt64(100 + index), false))
            }
        }
        #expect(replies.isEmpty == testCase.held.isEmpty)
        #expect(replies.awaitsDurability == testCase.awaitsDurability)
        #expect(replies.bytes == bytes)

        let durable = try Self.sent(replies, refusing: nil)
        #expect(durable.map(\.callID) == expected.map(\.callID), "in the order they were held")
        #expect(durable.allSatisfy { $0.error == nil })

        let refusal = BrainError(.unavailable, "journal write failed: disk full")
        let failed = try Self.sent(replies, refusing: refusal)
        #expect(failed.map(\.callID) == expected.map(\.callID))
        for (response, held) in zip(failed, expected) {
            #expect((response.error == refusal) == held.durable, "only the calls that changed the state are refused: \(response)")
        }
    }

    @Test func anEmptyBufferIsNotHeld() {
        var replies = HeldReplies()
        replies.append(following: ByteBuffer())
        #expect(replies.isEmpty)
    }
}
