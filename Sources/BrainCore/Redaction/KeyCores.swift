/// The first, cheap test of a key: does it hold, in its words run together, any pattern's
/// core (``SecretKeyPattern/core``)? A key that does not matches no pattern.
///
/// Two bytes of each core index a 64 Kibit table; a key is looked up pair by pair, and only
/// a pair in the table is compared with the cores that start with it.
struct KeyCores: Sendable {
    private var firstPairs = [UInt64](repeating: 0, count: 1_024)
    private var cores: [[UInt8]] = []
    /// A core shorter than two bytes cannot be indexed: every key is then matched in full.
    private var matchesEverything = false

    init(_ cores: [[UInt8]]) {
        for core in cores {
            guard core.count >= 2 else {
                matchesEverything = true
                continue
            }
            let pair = Int(core[0]) << 8 | Int(core[1])
            firstPairs[pair >> 6] |= 1 << UInt64(pair & 63)
            self.cores.append(core)
        }
    }

    /// Whether the key spelled by `bytes` may match a pattern.
    func mayMatch(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if matchesEverything { return true }
        // The key's words run together, lowercase, as NormalizedKey/compact has them.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { buffer in
            var count = 0
            for byte in bytes where byte >= 0x80 || ByteClass.isAlphanumeric(byte) {
                buffer[count] = ByteClass.lowercased(byte)
                count += 1
            }
            guard count >= 2 else { return false }
            for start in 0..<(count - 1) {
                let pair = Int(buffer[start]) << 8 | Int(buffer[start + 1])
                guard firstPairs[pair >> 6] & (1 << UInt64(pair & 63)) != 0 else { continue }
                for core in cores where core.count <= count - start && core[0] == buffer[start] && core[1] == buffer[start + 1] {
                    var all = true
                    for offset in 2..<max(2, core.count) where buffer[start + offset] != core[offset] {
                        all = false
                        break
                    }
                    if all { return true }
                }
            }
            return false
        }
    }
}
