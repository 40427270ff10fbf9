/// Elements by position (0, 1, 2, ...), stored in chunks of ``chunkSize``: the brain's
/// tables of runs (``RunTable``) and of tasks (``TaskTable/records``).
///
/// A snapshot takes a copy of the whole state, and the event loop's next change to an
/// element then copies whatever storage the two share. With one array that was every
/// element: 12,000 runs cost the loop ~12 ms of retains and copies at the start of each
/// snapshot (measured with perf during bench-snapshot), a visible share of the ingest dip.
/// In chunks, a change copies the list of chunks (one reference each) and the one chunk it
/// touches; ingestion appends to the last chunk, so a snapshot costs it a few hundred
/// elements.
///
/// Appending never moves what is stored: one array of 100,000 tasks (~330 bytes each) was
/// moved to fresh memory each time it doubled, and those moves and the page faults on the
/// new memory took 9% of the event loop's time in a task-ingest profile.
package struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    /// Elements per chunk: a copy-on-write of one chunk of runs costs ~0.3 ms.
    package static var chunkSize: Int { 1 << shift }
    private static var shift: Int { 8 }
    private static var mask: Int { chunkSize - 1 }

    private var chunks: [[Element]] = []
    package private(set) var count = 0

    package init() {}

    package init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }

    package subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "position out of range")
            return chunks[position &>> Self.shift][position & Self.mask]
        }
        _modify {
            precondition(position >= 0 && position < count, "position out of range")
            yield &chunks[position &>> Self.shift][position & Self.mask]
        }
    }

    /// Calls `body` with the address of the element at `position`, valid only during the
    /// call: a hot path reads the fields it needs in place (`pointee.field`). Reading through
    /// the subscript copies the whole element first (a task record: a retain and a release of
    /// each of its strings), and so did a closure given the element as a `borrowing`
    /// parameter (measured in the release build: a copy and a destroy per task look-up).
    @inline(__always)
    package func withElementPointer<Result>(at position: Int, _ body: (UnsafePointer<Element>) throws -> Result) rethrows -> Result {
        precondition(position >= 0 && position < count, "position out of range")
        return try chunks[position &>> Self.shift].withUnsafeBufferPointer { elements in
            guard let base = elements.baseAddress else { preconditionFailure("an empty chunk holds no position") }
            return try body(base + (position & Self.mask))
        }
    }

    /// The first position whose element `isPast` holds for, by binary search: `isPast` must
    /// hold for every element after one it holds for (a serial at or past a bound, in a table
    /// ordered by serial). `count` when it holds for none.
    package func partitionPoint(_ isPast: (UnsafePointer<Element>) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if withElementPointer(at: middle, isPast) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    @inline(__always)
    package mutating func append(_ element: consuming Element) {
        if count & Self.mask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunk.append(consume element)
            chunks.append(consume chunk)
        } else {
            chunks[chunks.count - 1].append(consume element)
        }
        count += 1
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}

extension ChunkedArray: Equatable where Element: Equatable {
    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }
}

/// Encoded as an array is, without first copying the elements into one.
extension ChunkedArray: Encodable where Element: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for element in self { try container.encode(element) }
    }
}

/// Every run of a state, by key.
package typealias RunTable = ChunkedArray<Run>
