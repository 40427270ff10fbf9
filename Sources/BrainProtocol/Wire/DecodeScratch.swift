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
    /// The allocator's state, reached from C through a raw pointer: going through the
    /// class from protobuf-c's callbacks cost a retain and a release per block (perf).
    struct Bump {
        var base: UnsafeMutableRawPointer
        var capacity: Int
        var used: Int
    }

    private let state: UnsafeMutablePointer<Bump>

    public init(capacity: Int = 256 * 1024) {
        state = .allocate(capacity: 1)
        state.initialize(
            to: Bump(
                base: UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16), capacity: capacity, used: 0
            ))
    }

    deinit {
        state.pointee.base.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Runs `body` with a protobuf-c allocator over this scratch memory.
    func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws -> R) rethrows -> R {
        state.pointee.used = 0
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                guard let data else { return malloc(size) }
                let bump = data.assumingMemoryBound(to: Bump.self)
                let aligned = (bump.pointee.used + 15) & ~15
                if aligned + size <= bump.pointee.capacity {
                    bump.pointee.used = aligned + size
                    return bump.pointee.base + aligned
                }
                return malloc(size)
            },
            free: { data, pointer in
                guard let pointer else { return }
                if let data {
                    let bump = data.assumingMemoryBound(to: Bump.self)
                    if pointer >= bump.pointee.base, pointer < bump.pointee.base + bump.pointee.capacity { return }
                }
                free(pointer)
            },
            allocator_data: UnsafeMutableRawPointer(state)
        )
        return try withExtendedLifetime(self) { try body(&allocator) }
    }
}
