/// Where the wire module writes a frame, without knowing what holds the bytes: a `[UInt8]`
/// here, SwiftNIO's `ByteBuffer` in BrainFraming. Keeping NIO out of this module keeps it out
/// of BrainCore and BrainStore, which only need the codec.
///
/// A writer asks for memory once per frame (``write(_:_:)``) and fills it in place, so a
/// frame is packed straight into the buffer that sends it, with no copy in between.
public protocol FrameOutput {
    /// Gives `fill` at least `capacity` writable bytes at the end and keeps the first bytes
    /// it says it wrote.
    mutating func write(_ capacity: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int)
}

extension FrameOutput {
    /// Stores a frame's 4-byte big-endian length at the start of `memory`.
    static func storeLength(_ length: Int, at memory: UnsafeMutableRawBufferPointer) {
        memory.storeBytes(of: UInt32(truncatingIfNeeded: length).bigEndian, toByteOffset: 0, as: UInt32.self)
    }
}

extension Array: FrameOutput where Element == UInt8 {
    public mutating func write(_ capacity: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        let start = count
        append(contentsOf: repeatElement(0, count: capacity))
        let written = withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + capacity)])) }
        removeLast(capacity - written)
    }
}
