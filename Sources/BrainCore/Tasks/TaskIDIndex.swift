/// The task table's keys by task id: an open-addressing hash table of (hash, key) slots.
///
/// Why not `[String: TaskKeys]`, which it replaces: every task event looks its task up, and
/// a Swift dictionary of strings compares the probed keys' bytes (task ids are uuids of one
/// length, so each probe read a string object elsewhere in memory) and hashes twice for a
/// new task (the look-up, then the insert). Here a task id is hashed once per event
/// (``hash(_:)``), a probe compares the stored hash first, and only a slot with the same
/// hash is checked against the record (`matches`), which the event touches anyway.
///
/// Ids that share a hash are separate slots: each key is held once and found by its own
/// record, so a collision costs a probe, never a wrong answer. A slot is 8 bytes (32 bits
/// of the hash, which also place it, and the key): the table is rebuilt on growth into
/// fresh memory, and its page faults were the larger part of the growth's cost. The hash is seeded per
/// process (from `Hasher`, which is), so ids cannot be chosen to collide; nothing of it is
/// kept on disk.
struct TaskIDIndex: Sendable {
    private struct Slot {
        /// ``TaskIDIndex/hash(_:)`` folded to 32 bits (``short(_:)``).
        var hash: UInt32
        /// The task's key, or -1 for an empty slot.
        var key: Int32
    }

    /// The 32 bits of a hash a slot keeps, and places it by.
    @inline(__always)
    private static func short(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash ^ (hash &>> 32)) }

    /// A power of two, at least twice ``count``.
    private var slots = [Slot](repeating: Slot(hash: 0, key: -1), count: 16)
    private(set) var count = 0

    init() {}

    /// The seed of ``hash(_:)``: random per process, like `Hasher`'s.
    private static let seed: UInt64 = {
        var hasher = Hasher()
        hasher.combine(0x9E37_79B9_7F4A_7C15 as UInt64)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }()

    /// The hash of a task id (wyhash's folded 128-bit multiply over 16 bytes at a time).
    static func hash(_ id: String) -> UInt64 {
        if let hash = id.utf8.withContiguousStorageIfAvailable({ hash(bytes: UnsafeRawBufferPointer($0)) }) { return hash }
        return hash(bytes: Array(id.utf8))
    }

    private static func hash(bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { hash(bytes: $0) } }

    /// ``hash(_:)`` of the string these UTF-8 bytes spell.
    static func hash(bytes: UnsafeRawBufferPointer) -> UInt64 {
        @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return product.high ^ product.low
        }
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            if offset + 8 <= bytes.count { return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            // The tail, little-endian like the words before it.
            var value: UInt64 = 0
            for index in stride(from: bytes.count - 1, through: offset, by: -1) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        let prime0: UInt64 = 0xA076_1D64_78BD_642F
        let prime1: UInt64 = 0xE703_7ED1_A0B4_28DB
        var state = seed ^ mix(seed ^ prime0, UInt64(bytes.count) ^ prime1)
        var offset = 0
        while offset < bytes.count {
            let first = word(offset)
            let second = offset + 8 < bytes.count ? word(offset + 8) : 0
            state = mix(first ^ prime1 ^ state, second ^ prime0)
            offset += 16
        }
        return mix(state ^ prime0, UInt64(bytes.count) ^ prime1)
    }

    /// A key with this hash for which `matches` holds (callers match a unique identity).
    @inline(__always)
    func first(hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        let short = Self.short(hash)
        let mask = slots.count - 1
        var index = Int(short) & mask
        while slots[index].key >= 0 {
            if slots[index].hash == short, matches(Int(slots[index].key)) { return Int(slots[index].key) }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Every key with this hash for which `matches` holds, in ascending order (the order the
    /// task table added them).
    func all(hash: UInt64, where matches: (Int) -> Bool) -> [Int] {
        let short = Self.short(hash)
        let mask = slots.count - 1
        var index = Int(short) & mask
        var found: [Int] = []
        while slots[index].key >= 0 {
            if slots[index].hash == short, matches(Int(slots[index].key)) { found.append(Int(slots[index].key)) }
            index = (index + 1) & mask
        }
        return found.count > 1 ? found.sorted() : found
    }

    /// Adds `key` under `hash` (a key is added once; keys are task-table positions, below 2^31).
    mutating func insert(key: Int, hash: UInt64) {
        precondition(key >= 0 && key <= Int(Int32.max), "task key \(key) out of the index's range")
        if (count + 1) * 2 > slots.count { grow() }
        place(Slot(hash: Self.short(hash), key: Int32(truncatingIfNeeded: key)))
        count += 1
    }

    private mutating func place(_ slot: Slot) {
        let mask = slots.count - 1
        var index = Int(slot.hash) & mask
        while slots[index].key >= 0 { index = (index + 1) & mask }
        slots[index] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(hash: 0, key: -1), count: old.count * 2)
        for slot in old where slot.key >= 0 { place(slot) }
    }
}
