import Testing

@testable import BrainCore

/// The started list: keys in the order they entered, whatever the moves in and out.
struct StartedTaskListTests {
    enum Move: Sendable {
        case enter(Int)
        case leave(Int)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var keyCount: Int
        var moves: [Move]
        /// The list afterwards, oldest first.
        var keys: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty", keyCount: 3, moves: [], keys: []),
        Case(name: "in order of entry, not of key", keyCount: 4, moves: [.enter(2), .enter(0), .enter(3)], keys: [2, 0, 3]),
        Case(name: "the head leaves", keyCount: 3, moves: [.enter(0), .enter(1), .enter(2), .leave(0)], keys: [1, 2]),
        Case(name: "the tail leaves, then one enters", keyCount: 3, moves: [.enter(0), .enter(1), .leave(1), .enter(2)], keys: [0, 2]),
        Case(name: "the middle leaves", keyCount: 3, moves: [.enter(0), .enter(1), .enter(2), .leave(1)], keys: [0, 2]),
        Case(name: "the only one leaves and enters again", keyCount: 2, moves: [.enter(1), .leave(1), .enter(1)], keys: [1]),
        Case(name: "entering twice keeps the first place", keyCount: 3, moves: [.enter(0), .enter(1), .enter(0)], keys: [0, 1]),
        Case(name: "leaving when not in changes nothing", keyCount: 3, moves: [.enter(1), .leave(2), .leave(0)], keys: [1]),
        Case(name: "emptied", keyCount: 2, moves: [.enter(0), .enter(1), .leave(0), .leave(1)], keys: []),
    ]

    private static func apply(_ moves: [Move], keyCount: Int) -> StartedTaskList {
        var list = StartedTaskList()
        for _ in 0..<keyCount { list.addKey() }
        for move in moves {
            switch move {
            case .enter(let key): list.insert(key)
            case .leave(let key): list.remove(key)
            }
        }
        return list
    }

    @Test(arguments: cases)
    func keepsTheOrderOfEntry(_ test: Case) {
        let list = Self.apply(test.moves, keyCount: test.keyCount)
        #expect(Array(list.keys) == test.keys)
        #expect(list.count == test.keys.count)
        for key in 0..<test.keyCount { #expect(list.contains(key) == test.keys.contains(key)) }
    }

    /// Random moves against a plain array doing the same.
    @Test func agreesWithAnArrayOverRandomMoves() {
        var random = SplitMix64(seed: 7)
        let keyCount = 600  // more than one chunk of links
        var moves: [Move] = []
        var model: [Int] = []
        for _ in 0..<20_000 {
            let key = random.next(below: keyCount)
            if random.next(below: 2) == 0 {
                moves.append(.enter(key))
                if !model.contains(key) { model.append(key) }
            } else {
                moves.append(.leave(key))
                model.removeAll { $0 == key }
            }
        }
        let list = Self.apply(moves, keyCount: keyCount)
        #expect(Array(list.keys) == model)
        #expect(list.count == model.count)
    }
}
