import CBrainScan
import Testing

@testable import BrainCore

/// The value scanner's first test both ways: the vector filter (CBrainScan, where the CPU has
/// AVX2) must wake at every pair the table holds, and the scanner must find the same
/// positions and the same secrets whichever way it runs.
@Suite("Waking positions")
struct WakingPositionsTests {
    /// The pairs the vector filter may add to the table's: its `A` + uppercase bucket is a
    /// product of nibbles, 0x40-0x5F, which also holds `@ [ \ ] ^ _`.
    static func isKnownExtra(_ first: UInt8, _ next: UInt8) -> Bool {
        first == UInt8(ascii: "A") && (next == UInt8(ascii: "@") || (0x5B...0x5F).contains(next))
    }

    /// Every pair, both where the filter reads the text in place and where it reads a padded
    /// copy of the end: for each first byte, a text of all 256 pairs `first next`, so its even
    /// positions are `(first, next)` and its odd ones `(next, first)`.
    @Test(.enabled(if: WakingPositions.isVectorAvailable))
    func theVectorFilterWakesAtEveryPairTheTableHolds() {
        for first in UInt8.min...UInt8.max {
            var text: [UInt8] = []
            for next in UInt8.min...UInt8.max { text += [first, next] }
            text.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for block in stride(from: 0, to: buffer.count, by: 64) {
                    let woken = cbrain_scan_wakes64(base, buffer.count, block)
                    for offset in 0..<64 {
                        let at = block + offset
                        let pair = (buffer[at], at + 1 < buffer.count ? buffer[at + 1] : 0)
                        let bit = woken >> UInt64(offset) & 1 != 0
                        if WakingPairs.wakes(pair.0, pair.1) {
                            #expect(bit, "missed pair \(pair) at \(at)")
                        } else {
                            #expect(!bit || Self.isKnownExtra(pair.0, pair.1), "extra pair \(pair) at \(at)")
                        }
                    }
                }
            }
        }
    }

    /// Short texts, so every position is read from the padded copy, the last one paired with 0.
    @Test(.enabled(if: WakingPositions.isVectorAvailable))
    func theVectorFilterStopsAtTheEndOfTheText() {
        let text = Array("ey:=@--".utf8)
        for count in 0...text.count {
            let woken = text.withUnsafeBufferPointer { cbrain_scan_wakes64($0.baseAddress, count, 0) }
            let expected = (0..<count).filter { at in WakingPairs.wakes(text[at], at + 1 < count ? text[at + 1] : 0) }
            #expect((0..<64).filter { woken >> UInt64($0) & 1 != 0 } == expected, "count \(count)")
        }
    }

    static func positions(_ bytes: [UInt8], vector: Bool) -> [Int] {
        bytes.withUnsafeBufferPointer { buffer in
            var positions = WakingPositions(buffer, table: WakingPairs.table, vector: vector)
            var found: [Int] = []
            while let at = positions.next() { found.append(at) }
            return found
        }
    }

    /// Texts dense in waking bytes and planted secrets, of every length around the filter's
    /// threshold and its 64-byte blocks: the same positions, the same secrets, both ways.
    @Test func bothWaysFindTheSamePositionsAndSecrets() {
        let redactor = Redactor()
        var table = redactor.scanner
        table.vectorized = false
        var vector = redactor.scanner
        vector.vectorized = WakingPositions.isVectorAvailable
        var rng = SplitMix64(seed: 0x5CA7_7E57)
        var secrets = 0
        for round in 0..<2_000 {
            var text = ""
            let length = round < 300 ? round : rng.int(0...400)
            while text.utf8.count < length {
                if rng.chance(8) {
                    text += RedactionPropertyTests.secret(&rng, keyed: rng.chance(30), inText: true).text
                } else {
                    text += rng.text("eyBbAIZgxhilospkrwSGKnpf-:=@/ .Q", rng.int(1...12))
                }
            }
            let bytes = Array(text.utf8.prefix(length))
            let expected = (0..<bytes.count).filter { WakingPairs.wakes(bytes[$0], $0 + 1 < bytes.count ? bytes[$0 + 1] : 0) }
            #expect(Self.positions(bytes, vector: false) == expected, "\(text)")
            #expect(Self.positions(bytes, vector: true) == expected, "\(text)")
            let spans = bytes.withUnsafeBufferPointer { table.spans(in: $0) }
            #expect(bytes.withUnsafeBufferPointer { vector.spans(in: $0) } == spans, "\(text)")
            let contains = bytes.withUnsafeBufferPointer { vector.containsSecret(in: $0) }
            #expect(contains == !spans.isEmpty, "\(text)")
            #expect(bytes.withUnsafeBufferPointer { table.containsSecret(in: $0) } == contains, "\(text)")
            if contains { secrets += 1 }
        }
        #expect(secrets > 200)
    }

    @Test func anEmptyTextHasNoPositions() {
        #expect(Self.positions([], vector: true).isEmpty)
        #expect(Self.positions([], vector: false).isEmpty)
        #expect(!Redactor().scanner.containsSecret(in: UnsafeBufferPointer(start: nil, count: 0)))
    }
}
