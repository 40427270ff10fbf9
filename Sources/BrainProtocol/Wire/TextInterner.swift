#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Strings read from frames again and again (a task's name, in every task of that name),
/// handed out as the one string made the first time: a retain instead of an allocation, a
/// copy and a UTF-8 check, and one copy held by every task of a name.
///
/// A direct-mapped cache of ``capacity`` recent strings by a hash of their bytes: a slot
/// holds the last string that hashed to it, so a look-up is a hash, one compare and, when
/// it misses, the string made as it would have been. Bytes that are not valid UTF-8 give the
/// repaired string `String(decoding:as:)` makes of them, held like any other.
/// The task table holds one for task names.
public struct TextInterner: Sendable {
    /// Slots (a power of two): room for the task names of an application, with few collisions.
    public static let capacity = 128
    /// The longest text held (a Celery task id is 36 bytes): longer ones are made each time.
    public static let maxBytes = 64
    /// Empty until the first string is asked for: a connection that sends no task event
    /// pays nothing for its interner.
    private var slots: [String?] = []
    /// Each slot's bytes as they came (``maxBytes`` per slot) and their count: a look-up
    /// compares flat memory, not the held string's storage (reaching into each string cost
    /// more than the allocation it saved).
    private var spelled: [UInt8] = []
    private var counts: [UInt8] = []

    public init() {}

    /// The string spelled by `bytes` (UTF-8; repaired as `String(decoding:as:)` does).
    public mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        guard !bytes.isEmpty, bytes.count <= Self.maxBytes, let source = bytes.baseAddress else {
            return bytes.isEmpty ? "" : String(decoding: bytes, as: UTF8.self)
        }
        if slots.isEmpty {
            slots = [String?](repeating: nil, count: Self.capacity)
            spelled = [UInt8](repeating: 0, count: Self.capacity * Self.maxBytes)
            counts = [UInt8](repeating: 0, count: Self.capacity)
        }
        let slot = Int(truncatingIfNeeded: Self.hash(bytes)) & (Self.capacity - 1)
        let offset = slot * Self.maxBytes
        if Int(counts[slot]) == bytes.count, let held = slots[slot],
            spelled.withUnsafeBytes({ held in held.baseAddress.map { memcmp($0 + offset, source, bytes.count) == 0 } ?? false })
        {
            return held
        }
        // Repaired or not, the same bytes always make the same string: the slot keeps the bytes.
        let made = String(decoding: bytes, as: UTF8.self)
        spelled.withUnsafeMutableBytes { slots in slots.baseAddress.map { ($0 + offset).copyMemory(from: source, byteCount: bytes.count) } }
        counts[slot] = UInt8(bytes.count)
        slots[slot] = made
        return made
    }

    /// FNV-1a over 8 bytes at a time (and the tail byte by byte); not seeded: a collision only
    /// costs a string made anew.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        return hash ^ (hash &>> 29)
    }
}
