import Testing

@testable import BrainCore

/// The task table's id index: keys found by hash and record (`all` in ascending order), across
/// growth and collisions (hashes are chosen here, so collisions are certain).
struct TaskIDIndexTests {
    /// Inserts `(key, hash)` pairs in order; `ids[key]` is the id of the record at `key`.
    private static func index(_ entries: [(key: Int, hash: UInt64)]) -> TaskIDIndex {
        var index = TaskIDIndex()
        for entry in entries { index.insert(key: entry.key, hash: entry.hash) }
        return index
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The hash of each key's id (key = position).
        var hashes: [UInt64]
        /// The id of each key's record (keys with one id share a hash in real use).
        var ids: [String]
        var lookUp: (hash: UInt64, id: String)
        var first: Int?
        var all: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", hashes: [], ids: [], lookUp: (7, "a"), first: nil, all: []),
        Case(name: "one", hashes: [7], ids: ["a"], lookUp: (7, "a"), first: 0, all: [0]),
        Case(name: "same hash, other id: not found", hashes: [7], ids: ["a"], lookUp: (7, "b"), first: nil, all: []),
        Case(name: "other hash, same id: not found", hashes: [7], ids: ["a"], lookUp: (8, "a"), first: nil, all: []),
        Case(
            name: "a hash shared by two ids: each finds its own", hashes: [7, 7, 7], ids: ["a", "b", "a"], lookUp: (7, "a"), first: 0,
            all: [0, 2]),
        Case(
            name: "neighbouring buckets probe past each other", hashes: [16, 17, 16, 33], ids: ["a", "b", "c", "d"], lookUp: (33, "d"),
            first: 3, all: [3]),
        Case(
            name: "growth keeps a hash's keys in insertion order", hashes: Array(repeating: 5, count: 40), ids: (0..<40).map { $0 % 2 == 0 ? "x" : "y" },
            lookUp: (5, "y"), first: 1, all: Array(stride(from: 1, to: 40, by: 2))),
        Case(
            name: "many hashes, then one", hashes: (0..<1_000).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }, ids: (0..<1_000).map { "t\($0)" },
            lookUp: (UInt64(777) &* 0x9E37_79B9_7F4A_7C15, "t777"), first: 777, all: [777]),
    ]

    @Test(arguments: cases)
    func findsKeysByHashAndRecord(_ test: Case) {
        let index = Self.index(test.hashes.enumerated().map { (key: $0.offset, hash: $0.element) })
        #expect(index.count == test.hashes.count)
        let matches = { (key: Int) in test.ids[key] == test.lookUp.id }
        // `first` answers one of the matches (the task table's identities match one key).
        let first = index.first(hash: test.lookUp.hash, where: matches)
        if let expected = test.first {
            #expect(first.map(test.all.contains) == true, "expected one of \(test.all), like \(expected)")
        } else {
            #expect(first == nil)
        }
        #expect(index.all(hash: test.lookUp.hash, where: matches) == test.all)
    }

    /// Keys come back in ascending order whatever they are and however the slots grew.
    @Test(arguments: [Array(0..<40), (0..<40).map { $0 * 10 }, Array(0..<7) + Array(1_000..<1_033), Array((0..<40).reversed())])
    func growthKeepsKeyOrderWhateverTheKeys(_ keys: [Int]) {
        let index = Self.index(keys.map { (key: $0, hash: 5) })
        #expect(index.count == keys.count)
        #expect(index.all(hash: 5) { _ in true } == keys.sorted())
        #expect(index.first(hash: 5) { $0 == keys[20] } == keys[20])
    }

    @Test func theHashOfAnIdDependsOnEveryByteAndTheLength() {
        let id = "123e4567-e89b-12d3-a456-426614174000"
        #expect(TaskIDIndex.hash(id) == TaskIDIndex.hash(String(id)))
        var hashes: Set<UInt64> = [TaskIDIndex.hash(id)]
        // Each byte changed in turn, and each prefix: all different (the tail words too).
        for position in id.utf8.indices {
            var bytes = Array(id.utf8)
            bytes[id.utf8.distance(from: id.utf8.startIndex, to: position)] ^= 1
            hashes.insert(TaskIDIndex.hash(String(decoding: bytes, as: UTF8.self)))
        }
        for length in 0..<id.utf8.count { hashes.insert(TaskIDIndex.hash(String(decoding: id.utf8.prefix(length), as: UTF8.self))) }
        #expect(hashes.count == 1 + 2 * id.utf8.count)
        #expect(TaskIDIndex.hash("") != TaskIDIndex.hash("\u{0}"))
    }
}
