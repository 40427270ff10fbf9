/// The keys of the tasks that share one task id: almost always one (the same id in two
/// engines or projects is rare), held without an array then, so a new task costs no
/// allocation in the index beyond the dictionary's own growth.
enum TaskKeys: Sendable {
    case one(Int)
    case many([Int])

    /// Every key, in the order they were added.
    var all: [Int] {
        switch self {
        case .one(let key): [key]
        case .many(let keys): keys
        }
    }

    /// The first key for which `matches` holds.
    @inline(__always)
    func first(where matches: (Int) -> Bool) -> Int? {
        switch self {
        case .one(let key): matches(key) ? key : nil
        case .many(let keys): keys.first(where: matches)
        }
    }

    mutating func append(_ key: Int) {
        switch self {
        case .one(let first): self = .many([first, key])
        case .many(var keys):
            self = .one(0)  // drops the array's second reference before the append
            keys.append(key)
            self = .many(keys)
        }
    }
}
