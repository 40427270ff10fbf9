/// The one reading of the frame format, shared by every side that splits a byte stream:
/// the server's in-place walk, the client's `FrameDecoder` and brain-bench's echo server.
/// A frame is a 4-byte big-endian length, then that many bytes; an announced length over
/// the limit is refused before any of its body is waited for, so one bogus prefix cannot
/// make a peer hold gigabytes.
public enum FrameSplitter {
    /// What the start of a byte stream holds.
    public enum Next: Equatable, Sendable {
        /// Not a whole frame yet.
        case needMore
        /// A frame whose body of `length` bytes follows the 4-byte prefix.
        case frame(length: Int)
        /// A length over the limit: the stream cannot be read further.
        case tooLarge(FrameTooLargeError)
    }

    /// The frame at the start of `bytes`, if it is all there.
    @inlinable
    public static func next(in bytes: UnsafeRawBufferPointer, maxFrameBytes: Int) -> Next {
        guard bytes.count >= 4 else { return .needMore }
        let length = Int(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        if length > maxFrameBytes { return .tooLarge(FrameTooLargeError(length: length, limit: maxFrameBytes)) }
        return bytes.count - 4 >= length ? .frame(length: length) : .needMore
    }

    /// Hands each whole frame's body at the start of `bytes` to `body`, in order, until it
    /// returns false, a frame is cut short, or a length is over the limit.
    /// - Returns: the bytes consumed (whole frames only) and, when it stopped there, the
    ///   length that was too large.
    @inlinable
    public static func walk(
        _ bytes: UnsafeRawBufferPointer, maxFrameBytes: Int, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> (consumed: Int, tooLarge: FrameTooLargeError?) {
        var offset = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch next(in: rest, maxFrameBytes: maxFrameBytes) {
            case .needMore:
                return (offset, nil)
            case .tooLarge(let error):
                return (offset, error)
            case .frame(let length):
                let frame = UnsafeRawBufferPointer(rebasing: rest[4..<(4 + length)])
                offset += 4 + length
                if !body(frame) { return (offset, nil) }
            }
        }
    }
}

/// A peer announced a frame longer than this side accepts.
public struct FrameTooLargeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var length: Int
    public var limit: Int

    public init(length: Int, limit: Int) {
        self.length = length
        self.limit = limit
    }

    public var description: String {
        "frame of \(length) bytes exceeds the limit of \(limit) bytes (--max-frame-bytes)"
    }
}
