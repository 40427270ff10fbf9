/// Every run of a state, by key (0, 1, 2, ...), stored in chunks of ``chunkSize``.
///
/// A snapshot takes a copy of the whole state, and the event loop's next change to a run
/// then copies whatever storage the two share. With one array of runs that was every run:
/// 12,000 runs cost the loop ~12 ms of retains and copies at the start of each snapshot
/// (measured with perf during bench-snapshot), a visible share of the ingest dip. In
/// chunks, a change copies the list of chunks (one reference each) and the one chunk it
/// touches; ingestion appends to the last chunk, so a snapshot costs it a few hundred runs.
package struct RunTable: RandomAccessCollection, MutableCollection, Sendable {
    /// Runs per chunk: a copy-on-write of one chunk costs ~0.3 ms.
    package static let chunkSize = 256
    private static let shift = 8
    private static let mask = chunkSize - 1

    private var chunks: [[Run]] = []
    package private(set) var count = 0

    package init() {}

    package init(_ runs: some Sequence<Run>) {
        for run in runs { append(run) }
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }

    package subscript(position: Int) -> Run {
        get {
            precondition(position >= 0 && position < count, "run key out of range")
            return chunks[position &>> Self.shift][position & Self.mask]
        }
        _modify {
            precondition(position >= 0 && position < count, "run key out of range")
            yield &chunks[position &>> Self.shift][position & Self.mask]
        }
    }

    package mutating func append(_ run: Run) {
        if count & Self.mask == 0 {
            var chunk: [Run] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunk.append(run)
            chunks.append(chunk)
        } else {
            chunks[chunks.count - 1].append(run)
        }
        count += 1
    }
}

extension RunTable: Equatable {
    package static func == (lhs: RunTable, rhs: RunTable) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }
}
