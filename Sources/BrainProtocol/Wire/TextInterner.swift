/// Strings read from frames again and again (a task's id in its three events, a task name in
/// every `task_sent`), handed out as the one string made the first time: a retain instead
/// of an allocation, a copy and a UTF-8 check, and one copy held by every task of a name.
///
/// A direct-mapped cache of ``capacity`` recent strings by a hash of their bytes: a slot
/// holds the last string that hashed to it, so a look-up is a hash, one compare and, when
/// it misses, the string made as it would have been. Bytes that are not valid UTF-8 become a
/// repaired string that never matches them: made anew each time, as without the cache.
/// One per connection, used by its event loop only.
public struct TextInterner {
    /// Slots (a power of two): enough for the tasks a Celery worker has in flight.
    public static let capacity = 512
    /// Empty until the first string is asked for: a connection that sends no task event
    /// pays nothing for its interner.
    private var slots: [String?] = []

    public init() {}

    /// The string spelled by `bytes` (UTF-8; repaired as `String(decoding:as:)` does).
    public mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        guard !bytes.isEmpty else { return "" }
        if slots.isEmpty { slots = [String?](repeating: nil, count: Self.capacity) }
        let slot = Int(truncatingIfNeeded: Self.hash(bytes)) & (Self.capacity - 1)
        if let held = slots[slot], Self.spells(held, bytes) { return held }
        let made = String(decoding: bytes, as: UTF8.self)
        slots[slot] = made
        return made
    }

    private static func spells(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        string.utf8.withContiguousStorageIfAvailable { held in
            guard held.count == bytes.count else { return false }
            let held = UnsafeRawBufferPointer(held)
            var offset = 0
            while offset + 8 <= held.count {
                guard held.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                else { return false }
                offset += 8
            }
            while offset < held.count {
                guard held[offset] == bytes[offset] else { return false }
                offset += 1
            }
            return true
        } ?? false
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
