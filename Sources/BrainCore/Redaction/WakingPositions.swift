import CBrainScan

/// The positions in a text at which ``ValueScanner`` may find a secret (the pairs
/// ``WakingPairs`` holds), in order: found 64 at a time by `CBrainScan`'s vector filter where
/// the CPU has it (AVX2) and the text is long enough to pay for the call, else 8 at a time by
/// the table. A vector hit is checked against the table again (the filter is a superset), so
/// both ways yield exactly the same positions (a test holds them to it).
struct WakingPositions {
    /// Texts shorter than this take the table: for short ones the call and the padded copy of
    /// the tail cost more than the table's loop (`Redaction.check.result`, whose keys are all
    /// short: 230 ns with this threshold, 263 with every text through the filter).
    static let vectorMinimumBytes = 24

    /// Whether the vector filter runs here (checked once).
    static let isVectorAvailable = cbrain_scan_available() != 0

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let table: UnsafePointer<UInt64>
    private let vectorized: Bool
    /// Where the next block starts.
    private var nextBlock = 0
    /// Where the block in `woken` starts.
    private var block = 0
    /// A bit per position of the block from `block`: may wake there.
    private var woken: UInt64 = 0

    /// The positions in `text`: `vector` says whether the filter may be used (the scanner's
    /// setting, which tests turn off to compare both ways).
    @inline(__always)
    init(_ text: UnsafeBufferPointer<UInt8>, table: UnsafePointer<UInt64>, vector: Bool) {
        // An empty buffer may have no base address; with a count of 0 nothing is read from
        // the stand-in.
        base = text.baseAddress ?? UnsafeRawPointer(table).assumingMemoryBound(to: UInt8.self)
        count = text.baseAddress == nil ? 0 : text.count
        self.table = table
        vectorized = vector && count >= Self.vectorMinimumBytes
    }

    /// The next position at which a secret may start, or nil past the end.
    @inline(__always)
    mutating func next() -> Int? {
        while true {
            while woken == 0 {
                guard nextBlock < count else { return nil }
                block = nextBlock
                if vectorized {
                    woken = cbrain_scan_wakes64(base, count, block)
                    nextBlock = block &+ 64
                } else {
                    woken = tableBlock()
                    nextBlock = block &+ 8
                }
            }
            let at = block &+ woken.trailingZeroBitCount
            woken &= woken &- 1
            if !vectorized || isWaking(at) { return at }
        }
    }

    /// The table's bits for the 8 positions from `block` (fewer at the end).
    @inline(__always)
    private func tableBlock() -> UInt64 {
        var bits: UInt64 = 0
        if block &+ 8 < count {
            // Eight pairs, no bounds to test: nearly every block wakes nothing.
            for offset in 0..<8 {
                bits |= (WakingPairs.bit(table, base[block &+ offset], base[block &+ offset &+ 1]) & 1) &<< UInt64(offset)
            }
        } else {
            for at in block..<count where isWaking(at) { bits |= 1 &<< UInt64(at &- block) }
        }
        return bits
    }

    /// Whether the table holds the pair at `at` (the byte after the last is 0).
    @inline(__always)
    private func isWaking(_ at: Int) -> Bool {
        WakingPairs.bit(table, base[at], at &+ 1 < count ? base[at &+ 1] : 0) & 1 != 0
    }
}
