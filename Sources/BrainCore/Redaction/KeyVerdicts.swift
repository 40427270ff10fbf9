/// What the redactor's fast path decided about JSON keys, remembered per thread: the keys of
/// a task stream repeat in every event (`user_id`, `locale`, `result`, `runtime`), and each
/// decision costs four small scans (the key's length and value patterns, the pattern cores,
/// the word roles: ~40-50 ns) where a look-up here is a compare.
///
/// A verdict holds only under the redactor that gave it: the memo keeps that redactor
/// (a strong reference, so no other can take its identity) and forgets everything when asked
/// under another. Only keys of at most 16 bytes are kept, compared whole (length and bytes),
/// so an answer is never another key's. One memo per thread (the event loop's, the
/// task-check worker's): it is a value, not shared.
package struct KeyVerdicts {
    /// A key's role in the fast path's walk, or that the key itself would change.
    enum Verdict: UInt8 {
        /// Too long, or the value patterns find a secret in the key itself: the text changes.
        case notKept = 1
        /// A secret key: its value goes whole.
        case secret
        /// `value` in any case: it goes when the object names a secret key.
        case value
        /// `name` or `key` in any case: a string under it may name a secret key.
        case name
        case plain
    }

    /// The slots (a power of two); a new key takes its slot from the one there.
    static let slots = 64
    /// The longest key remembered.
    static let maxKeyBytes = 16

    private var redactor: Redactor?
    /// Two words per slot: the key's bytes, zero-padded.
    private var words: [UInt64]
    /// Per slot: the key's length << 8 | its verdict; 0 for an empty slot.
    private var tags: [UInt16]

    /// An empty memo.
    package init() {
        words = Array(repeating: 0, count: 2 * Self.slots)
        tags = Array(repeating: 0, count: Self.slots)
    }

    private init(disabled: Void) {
        words = []
        tags = []
    }

    /// A memo that remembers nothing (no allocation): for a caller without one.
    package static var disabled: KeyVerdicts { KeyVerdicts(disabled: ()) }

    /// The verdict on `key` under `redactor`, from the memo or from `decide` (then kept).
    @inline(__always)
    mutating func verdict(on key: UnsafeBufferPointer<UInt8>, under redactor: Redactor, decide: (UnsafeBufferPointer<UInt8>) -> Verdict)
        -> Verdict
    {
        guard !tags.isEmpty, key.count <= Self.maxKeyBytes else { return decide(key) }
        if self.redactor !== redactor {
            self.redactor = redactor
            for slot in tags.indices { tags[slot] = 0 }
        }
        let packed = Self.packed(key)
        let slot = Int(truncatingIfNeeded: (packed.0 &* 0x9E37_79B9_7F4A_7C15 ^ packed.1 &* 0xC2B2_AE3D_27D4_EB4F) &>> 58) & (Self.slots - 1)
        let tag = tags[slot]
        if tag != 0, Int(tag >> 8) == key.count, words[2 * slot] == packed.0, words[2 * slot + 1] == packed.1,
            let verdict = Verdict(rawValue: UInt8(truncatingIfNeeded: tag))
        {
            return verdict
        }
        let verdict = decide(key)
        words[2 * slot] = packed.0
        words[2 * slot + 1] = packed.1
        tags[slot] = UInt16(key.count) << 8 | UInt16(verdict.rawValue)
        return verdict
    }

    /// The bytes of a key of at most 16 in two little-endian words, zeros past its end: read
    /// with loads within the key (a copy into a stack tuple was a call to memcpy and a load
    /// that waited on its stores, a fifth of the worker's object walk in its profile).
    @inline(__always)
    static func packed(_ key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let count = key.count
        guard let base = key.baseAddress, count > 0 else { return (0, 0) }
        let raw = UnsafeRawPointer(base)
        if count >= 8 {
            let low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            guard count > 8 else { return (low, 0) }
            // The last eight bytes, shifted so the ones `low` holds drop out.
            let tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
            return (low, tail &>> UInt64(8 * (16 - count)))
        }
        if count >= 4 {
            // The first four bytes and the last four, overlapping when fewer than eight.
            let head = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let tail = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return (head | tail &<< UInt64(8 * (count - 4)), 0)
        }
        var low: UInt64 = 0
        for index in 0..<count { low |= UInt64(key[index]) &<< UInt64(8 * index) }
        return (low, 0)
    }
}
