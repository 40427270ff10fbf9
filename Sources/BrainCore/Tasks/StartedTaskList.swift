/// The keys of the `started` tasks, in the order they entered `started`: a doubly linked
/// list through a side table indexed by task key.
///
/// Why not `[agentID: Set<Int>]`, which it replaces: two of a Celery task's three events
/// move it into or out of `started`, and each move hashed the agent's id and then the key
/// (~5% of the event loop's time in a task-ingest profile). Here a move relinks two
/// neighbours. Who runs a started task is its record's `agentID`; the lost-task check walks
/// this list only when some agent is offline.
struct StartedTaskList: Sendable {
    private struct Link: Sendable {
        var previous: Int32 = -1
        var next: Int32 = -1
        var isLinked = false
    }

    /// One link per task key; in chunks, so a snapshot's copy-on-write copies one chunk.
    private var links = ChunkedArray<Link>()
    private var head: Int32 = -1
    private var tail: Int32 = -1
    /// Started tasks.
    private(set) var count = 0

    init() {}

    /// Makes room for the next task key (keys are the task table's positions: 0, 1, 2, ...).
    mutating func addKey() {
        precondition(links.count < Int(Int32.max), "too many tasks for the started list")
        links.append(Link())
    }

    /// Whether the task at `key` is in the list.
    func contains(_ key: Int) -> Bool { links.withElementPointer(at: key) { $0.pointee.isLinked } }

    /// Adds the task at `key` at the end (nothing when it is in already).
    mutating func insert(_ key: Int) {
        guard !contains(key) else { return }
        let node = Int32(truncatingIfNeeded: key)
        links[key] = Link(previous: tail, next: -1, isLinked: true)
        if tail >= 0 { links[Int(tail)].next = node } else { head = node }
        tail = node
        count += 1
    }

    /// Takes the task at `key` out (nothing when it is not in).
    mutating func remove(_ key: Int) {
        guard contains(key) else { return }
        let link = links[key]
        if link.previous >= 0 { links[Int(link.previous)].next = link.next } else { head = link.next }
        if link.next >= 0 { links[Int(link.next)].previous = link.previous } else { tail = link.previous }
        links[key] = Link()
        count -= 1
    }

    /// The keys, oldest first.
    var keys: Keys { Keys(list: self) }

    /// The keys of a ``StartedTaskList``, oldest first.
    struct Keys: Sequence {
        fileprivate let list: StartedTaskList

        func makeIterator() -> Iterator { Iterator(list: list, node: list.head) }

        struct Iterator: IteratorProtocol {
            fileprivate let list: StartedTaskList
            fileprivate var node: Int32

            mutating func next() -> Int? {
                guard node >= 0 else { return nil }
                let key = Int(node)
                node = list.links.withElementPointer(at: key) { $0.pointee.next }
                return key
            }
        }
    }
}
