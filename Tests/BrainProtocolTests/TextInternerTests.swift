import BrainProtocol
import Testing

/// The interner hands out the string `String(decoding:as:)` would make, whatever it holds.
struct TextInternerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", bytes: []),
        Case(name: "short", bytes: Array("celery".utf8)),
        Case(name: "a uuid", bytes: Array("123e4567-e89b-12d3-a456-426614174000".utf8)),
        Case(name: "not a multiple of 8", bytes: Array("app.tasks.send_email".utf8)),
        Case(name: "multi-byte", bytes: Array("Grüße 🧠 — 日本語".utf8)),
        Case(name: "not UTF-8: repaired, as String(decoding:) does", bytes: [0x61, 0xFF, 0x62, 0xC3]),
        Case(name: "the longest held", bytes: Array(String(repeating: "n", count: TextInterner.maxBytes).utf8)),
        Case(name: "longer than any held", bytes: Array(String(repeating: "l", count: TextInterner.maxBytes + 1).utf8)),
    ]

    @Test(arguments: cases)
    func answersAsStringDecodingDoes(_ test: Case) {
        var interner = TextInterner()
        let expected = String(decoding: test.bytes, as: UTF8.self)
        for _ in 0..<3 {
            let got = test.bytes.withUnsafeBytes { interner.string($0) }
            #expect(got == expected)
            #expect(Array(got.utf8) == Array(expected.utf8))
        }
    }

    /// A text asked for again is the string made the first time (one storage), unless it is
    /// longer than ``TextInterner/maxBytes``.
    @Test func aHeldTextIsHandedOutAgain() {
        var interner = TextInterner()
        func storage(_ text: String) -> UnsafePointer<UInt8>? { text.utf8.withContiguousStorageIfAvailable { $0.baseAddress } ?? nil }
        for count in [17, TextInterner.maxBytes, TextInterner.maxBytes + 1] {
            let bytes = Array(String(repeating: "t", count: count).utf8)
            let first = bytes.withUnsafeBytes { interner.string($0) }
            let again = bytes.withUnsafeBytes { interner.string($0) }
            #expect(first == again)
            #expect((storage(first) == storage(again)) == (count <= TextInterner.maxBytes), "\(count) bytes")
        }
    }

    /// More strings than slots, each asked for again later: evicted or held, always right;
    /// strings of equal length that differ in one byte are told apart.
    @Test func evictionsAndNearMissesNeverGiveAnotherString() {
        var interner = TextInterner()
        let texts = (0..<(TextInterner.capacity * 3)).map { "task-\($0 % 7)-\(String(repeating: "x", count: $0 % 13))-\($0)" }
        for round in 0..<2 {
            for (index, text) in texts.enumerated() where (index + round) % 2 == 0 || round == 0 {
                let got = Array(text.utf8).withUnsafeBytes { interner.string($0) }
                #expect(got == text)
            }
        }
        let a = Array("aaaaaaaa-0001".utf8)
        let b = Array("aaaaaaaa-0002".utf8)
        #expect(a.withUnsafeBytes { interner.string($0) } == "aaaaaaaa-0001")
        #expect(b.withUnsafeBytes { interner.string($0) } == "aaaaaaaa-0002")
        #expect(a.withUnsafeBytes { interner.string($0) } == "aaaaaaaa-0001")
    }
}
