internal import CBrainWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for protobuf-c's unpacking, reused frame after frame.
///
/// Unpacking a step asks malloc for half a dozen blocks and frees them right after; a bump
/// allocator over one reused buffer makes that free. Owned by one thread (the brain's
/// event loop); blocks too big for the buffer fall back to malloc.
public final class DecodeScratch {
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0

    public init(capacity: Int = 256 * 1024) {
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func reset() { used = 0 }

    fileprivate func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let aligned = (used + 15) & ~15
        if aligned + size <= capacity {
            used = aligned + size
            return buffer + aligned
        }
        return malloc(size)
    }

    fileprivate func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        if pointer < buffer || pointer >= buffer + capacity { free(pointer) }
    }

    /// Runs `body` with a protobuf-c allocator over this scratch memory.
    func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws -> R) rethrows -> R {
        reset()
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                guard let data else { return malloc(size) }
                return Unmanaged<DecodeScratch>.fromOpaque(data).takeUnretainedValue().allocate(size)
            },
            free: { data, pointer in
                guard let data else {
                    free(pointer)
                    return
                }
                Unmanaged<DecodeScratch>.fromOpaque(data).takeUnretainedValue().release(pointer)
            },
            allocator_data: Unmanaged.passUnretained(self).toOpaque()
        )
        return try withExtendedLifetime(self) { try body(&allocator) }
    }
}
