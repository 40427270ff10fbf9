import BrainProtocol
import Testing

/// The one reading of the frame format that the server, the client and the echo server share.
struct FrameSplitterTests {
    static func frame(_ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count).bigEndian
        return withUnsafeBytes(of: length) { Array($0) } + body
    }

    @Test(
        "the start of a stream",
        arguments: [
            ([UInt8](), FrameSplitter.Next.needMore),
            ([0, 0, 0], .needMore),
            ([0, 0, 0, 3, 1, 2], .needMore),
            ([0, 0, 0, 3, 1, 2, 3], .frame(length: 3)),
            ([0, 0, 0, 0], .frame(length: 0)),
            ([0, 0, 0, 11], .tooLarge(FrameTooLargeError(length: 11, limit: 10))),
        ])
    func next(_ bytes: [UInt8], _ expected: FrameSplitter.Next) {
        #expect(bytes.withUnsafeBytes { FrameSplitter.next(in: $0, maxFrameBytes: 10) } == expected)
    }

    @Test("a stream cut at every byte yields the same frames, whole ones only")
    func cutEverywhere() {
        let stream = Self.frame([1]) + Self.frame([]) + Self.frame([2, 3, 4]) + Self.frame(Array(repeating: 9, count: 40))
        for cut in 0...stream.count {
            var seen: [[UInt8]] = []
            var carry: [UInt8] = []
            for part in [Array(stream[..<cut]), Array(stream[cut...])] {
                carry += part
                let consumed = carry.withUnsafeBytes { bytes in
                    FrameSplitter.walk(bytes, maxFrameBytes: 100) { body in
                        seen.append(Array(body))
                        return true
                    }.consumed
                }
                carry.removeFirst(consumed)
            }
            #expect(seen == [[1], [], [2, 3, 4], Array(repeating: 9, count: 40)], "cut at \(cut)")
            #expect(carry.isEmpty)
        }
    }

    @Test("the walk stops where the body says, and at a length over the limit")
    func stops() {
        let stream = Self.frame([1]) + Self.frame([2]) + [0, 0, 1, 0]
        var bodies = 0
        let first = stream.withUnsafeBytes { bytes in
            FrameSplitter.walk(bytes, maxFrameBytes: 100) { _ in
                bodies += 1
                return false
            }
        }
        #expect(first.consumed == 5 && bodies == 1 && first.tooLarge == nil)
        let all = stream.withUnsafeBytes { FrameSplitter.walk($0, maxFrameBytes: 100) { _ in true } }
        #expect(all.consumed == 10)
        #expect(all.tooLarge == FrameTooLargeError(length: 256, limit: 100))
    }
}
