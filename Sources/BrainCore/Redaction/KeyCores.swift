/// The first, cheap test of a key: does it hold, in its words run together, any pattern's
/// core (``SecretKeyPattern/core``)? A key that does not matches no pattern.
///
/// The first three bytes of each core set a bit of a 32 Kibit table (five bits of each
/// byte: the letters are told apart, a digit may share a letter's bit); a key is read three
/// word bytes at a time, in place, and only a triple whose bit is set is compared with the
/// cores that start with its first byte. Common keys (`user_id`, `count`, `site`) hold no
/// such triple, so they cost a table look-up per byte. (A first version looked up pairs:
/// `se`, `co`, `ca`, `pa` start cores and half the ordinary keys, each then compared.)
struct KeyCores: Sendable {
    private var firstTriples = [UInt64](repeating: 0, count: 512)
    /// The pairs that start a core of two bytes (a project's pattern can be that short).
    private var shortCores = [UInt64](repeating: 0, count: 1_024)
    private var hasShortCores = false
    /// A core shorter than two bytes cannot be indexed: every key is then matched in full.
    private var matchesEverything = false
    /// The cores' bytes one after another, and where each is, sorted: one flat array, so a
    /// look-up retains no inner array.
    private var coreBytes: [UInt8] = []
    private var coreRanges: [Range<Int>] = []
    /// For each first byte, which of ``coreRanges`` start with it.
    private var coresByFirstByte = [Range<Int>](repeating: 0..<0, count: 256)

    init(_ cores: [[UInt8]]) {
        for core in Set(cores).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            switch core.count {
            case 0, 1:
                matchesEverything = true
                continue
            case 2:
                let pair = Int(core[0]) << 8 | Int(core[1])
                shortCores[pair >> 6] |= 1 << UInt64(pair & 63)
                hasShortCores = true
            default:
                let triple = Self.triple(core[0], core[1], core[2])
                firstTriples[triple >> 6] |= 1 << UInt64(triple & 63)
            }
            let first = Int(core[0])
            if coresByFirstByte[first].isEmpty { coresByFirstByte[first] = coreRanges.count..<coreRanges.count }
            coresByFirstByte[first] = coresByFirstByte[first].lowerBound..<(coreRanges.count + 1)
            coreRanges.append(coreBytes.count..<(coreBytes.count + core.count))
            coreBytes += core
        }
    }

    @inline(__always)
    private static func triple(_ first: UInt8, _ second: UInt8, _ third: UInt8) -> Int {
        Int(first & 31) << 10 | Int(second & 31) << 5 | Int(third & 31)
    }

    /// Whether the key spelled by `bytes` may match a pattern.
    ///
    /// The key's words run together, lowercase, as `NormalizedKey.compact` has them, but read
    /// in place: no copy, since this runs for every key of every JSON text and every
    /// `key=value` of a traceback.
    func mayMatch(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if matchesEverything { return true }
        // The last two word bytes, lowercase, and where the first of them is.
        var first: UInt8 = 0
        var second: UInt8 = 0
        var firstIndex = -1
        var secondIndex = -1
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte >= 0x80 || ByteClass.isAlphanumeric(byte) else { continue }
            let lower = ByteClass.lowercased(byte)
            if hasShortCores, secondIndex >= 0 {
                let pair = Int(second) << 8 | Int(lower)
                if shortCores[pair >> 6] & (1 << UInt64(pair & 63)) != 0, coreStarts(at: secondIndex, with: second, in: bytes) { return true }
            }
            if firstIndex >= 0 {
                let triple = Self.triple(first, second, lower)
                if firstTriples[triple >> 6] & (1 << UInt64(triple & 63)) != 0, coreStarts(at: firstIndex, with: first, in: bytes) { return true }
            }
            (first, firstIndex) = (second, secondIndex)
            (second, secondIndex) = (lower, index)
        }
        return false
    }

    /// Whether a core that starts with `head` is spelled by the key's words, run together and
    /// lowercase, from the word byte at `start` on.
    private func coreStarts(at start: Int, with head: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for core in coresByFirstByte[Int(head)] {
            let range = coreRanges[core]
            var position = start
            var matched = range.lowerBound
            while matched < range.upperBound {
                while position < bytes.count, !(bytes[position] >= 0x80 || ByteClass.isAlphanumeric(bytes[position])) { position += 1 }
                guard position < bytes.count, ByteClass.lowercased(bytes[position]) == coreBytes[matched] else { break }
                matched += 1
                position += 1
            }
            if matched == range.upperBound { return true }
        }
        return false
    }
}
