import BrainProtocol
import Foundation
import _BrainTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking client on the brain's Unix socket that sends requests and collects every
/// frame the brain writes, in order: the test sees exactly what an agent would, acks included.
final class WireClient {
    private let fd: Int32
    private var pending: [UInt8] = []
    /// Every response read so far, in arrival order.
    private(set) var received: [BrainResponse] = []

    init(socketPath: String) throws {
        fd = try UnixSocket.connect(to: socketPath)
    }

    deinit { close(fd) }

    /// Sends `requests` in one write.
    func send(_ requests: [BrainRequest]) throws {
        guard UnixSocket.writeAll(fd, UnixSocket.frames(requests)) else {
            throw BrainError(.unavailable, "write: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads until `condition` holds for the responses received so far, or `seconds` pass.
    /// - Returns: whether it holds.
    @discardableResult
    func read(until condition: ([BrainResponse]) -> Bool, seconds: Double = 10) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition(received) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left * 1_000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BrainError(.unavailable, "the brain closed the connection") }
            pending.append(contentsOf: chunk[0..<count])
            try decodeFrames()
        }
        return true
    }

    /// Sends one call and returns its reply.
    func call(_ callID: UInt64, _ method: BrainRequest.Method) throws -> BrainResponse {
        try send([BrainRequest(callID: callID, method: method)])
        guard try read(until: { $0.contains { $0.callID == callID } }), let reply = received.last(where: { $0.callID == callID }) else {
            throw BrainError(.unavailable, "no reply to call \(callID)")
        }
        return reply
    }

    /// The highest seq acknowledged so far (0: none).
    var ackedSeq: UInt64 {
        received.compactMap { response -> UInt64? in
            if case .ack(let seq) = response.result { return seq }
            return nil
        }.max() ?? 0
    }

    private func decodeFrames() throws {
        while pending.count >= 4 {
            let length = pending[0..<4].reduce(0) { $0 << 8 | Int($1) }
            guard pending.count >= 4 + length else { return }
            let body = pending[4..<(4 + length)]
            received.append(try body.withUnsafeBytes { try WireCodec.decodeResponse($0) })
            pending.removeFirst(4 + length)
        }
    }
}
