import Testing

@testable import BrainCore

/// ``KeyVerdicts``: a memo of the fast path's decisions about keys gives the answers the
/// fast path gives without it, whatever documents and redactors it has seen before.
@Suite("Key verdicts memo")
struct KeyVerdictsTests {
    typealias Documents = RedactionFastPathPropertyTests

    static func answer(_ redactor: Redactor, _ text: String, _ verdicts: inout KeyVerdicts) -> Bool {
        var text = text
        return text.withUTF8 { redactor.isUnchangedJSON($0, limit: .max, verdicts: &verdicts) }
    }

    /// One memo through random documents under three redactors taken in turn (their policies
    /// differ: extra patterns, allow-lists, value limits), against the answer without a memo.
    @Test("a memo changes no answer, across documents and redactors", arguments: 0..<4)
    func sameAnswers(batch: Int) {
        var verdicts = KeyVerdicts()
        var kept = 0
        // Three redactors taken in turn (the same three objects throughout), documents all different.
        let redactors = (0..<3).map { Documents.randomCase(700_000, batch: batch, iteration: $0).redactor }
        for iteration in 0..<300 {
            let redactor = redactors[iteration % 7 < 4 ? 0 : iteration % 2 + 1]
            let seed = UInt64(700_000 + batch * 1_000 + iteration)
            var rng = SplitMix64(seed: seed)
            let root = Documents.doc(&rng, depth: rng.int(0...6), secrets: rng.chance(50))
            let text = Documents.write(root, canonical: rng.chance(80), &rng)
            let plain = redactor.isUnchangedJSON(text, limit: .max)
            #expect(Self.answer(redactor, text, &verdicts) == plain, "seed \(seed), iteration \(iteration): \(text)")
            // Again, now from the memo.
            #expect(Self.answer(redactor, text, &verdicts) == plain, "seed \(seed), iteration \(iteration), again: \(text)")
            if plain { kept += 1 }
        }
        #expect(kept > 20, "\(kept) documents kept")
    }

    @Test func aVerdictHoldsOnlyUnderTheRedactorThatGaveIt() {
        var overrides = RedactionPolicy()
        overrides.extraKeyPatterns = ["*tenant*"]
        let strict = Redactor(policy: overrides)
        let plain = Redactor()
        var verdicts = KeyVerdicts()
        let text = #"{"tenant_id":"acme","n":1}"#
        #expect(Self.answer(plain, text, &verdicts))
        #expect(!Self.answer(strict, text, &verdicts), "the key is a secret key under the project's pattern")
        #expect(Self.answer(plain, text, &verdicts))
        // The same rules in another redactor object: decided again, same answer.
        #expect(!Self.answer(Redactor(policy: overrides), text, &verdicts))
    }

    @Test func keysAreComparedWholeAndLongOnesAreNotKept() {
        let redactor = Redactor()
        var verdicts = KeyVerdicts()
        let cases: [(String, Bool)] = [
            (#"{"pass":1}"#, false),
            (#"{"pas":1}"#, true),
            (#"{"pas\u0000":1}"#, true),  // a key that differs from "pas" only by a zero byte
            (#"{"":1}"#, true),
            (#"{"token":1}"#, false),
            (#"{"tokens_per_minute_":1}"#, true),  // 19 bytes: decided each time
            (#"{"a_very_long_secret_key":1}"#, false),
            (#"{"value":"x","name":"password"}"#, false),
            (#"{"Value":"[REDACTED]","name":"password"}"#, true),
            // Not the word `value` (one byte longer, zero-padded the same): nothing goes.
            (#"{"name":"password","value\u0000":"x"}"#, true),
        ]
        for _ in 0..<3 {
            for (text, kept) in cases {
                #expect(Self.answer(redactor, text, &verdicts) == kept, "\(text)")
                #expect(redactor.isUnchangedJSON(text, limit: .max) == kept, "\(text) without a memo")
            }
        }
    }

    /// The packing of a key into two words: every length up to 16, at every offset in a
    /// buffer, is the key's bytes in order with zeros after (what a byte copy gives), and keys
    /// that differ in any byte pack differently.
    @Test func aKeyPacksIntoItsBytesAndZeros() {
        var rng = SplitMix64(seed: 0x9AC4_ED00)
        for count in 0...KeyVerdicts.maxKeyBytes {
            for offset in 0..<8 {
                var buffer = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) | 1 }
                let words = buffer.withUnsafeBufferPointer { KeyVerdicts.packed(UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)])) }
                var expected: (UInt64, UInt64) = (0, 0)
                let key = Array(buffer[offset..<(offset + count)])
                withUnsafeMutableBytes(of: &expected) { words in key.withUnsafeBytes { words.copyMemory(from: $0) } }
                #expect(words == (UInt64(littleEndian: expected.0), UInt64(littleEndian: expected.1)), "\(count) bytes at \(offset)")
                guard count > 0 else { continue }
                let changed = offset + rng.int(0...(count - 1))
                buffer[changed] ^= 0x40
                let other = buffer.withUnsafeBufferPointer { KeyVerdicts.packed(UnsafeBufferPointer(rebasing: $0[offset..<(offset + count)])) }
                #expect(other != words, "\(count) bytes at \(offset), byte \(changed) changed")
            }
        }
    }
}
