import BrainProtocol
import Testing

@testable import BrainCore

/// The chunked run table behaves like an array of runs, copies included.
struct RunTableTests {
    /// A state with `count` runs, the last one holding one step.
    static func harness(runs count: Int) -> (Harness, [String]) {
        var harness = Harness()
        let ids = (0..<count).map { _ in harness.createRun() }
        return (harness, ids)
    }

    @Test func runsAcrossChunkBoundariesKeepTheirKeysAndOrder() {
        let count = RunTable.chunkSize * 2 + 3
        let (harness, ids) = Self.harness(runs: count)
        let runs = harness.state.runs
        #expect(runs.count == count)
        #expect(runs.map(\.runID) == ids)
        #expect(runs.indices == 0..<count)
        for key in [0, RunTable.chunkSize - 1, RunTable.chunkSize, RunTable.chunkSize * 2, count - 1] {
            #expect(runs[key].key == key)
            #expect(harness.state.run(id: ids[key])?.key == key)
        }
        #expect(RunTable(Array(runs)) == runs)
    }

    @Test func thePartitionPointIsTheFirstPositionPastTheBoundAcrossChunks() {
        var numbers = ChunkedArray<Int>()
        for value in 0..<(RunTable.chunkSize * 2 + 5) { numbers.append(value * 2) }
        for bound in [-1, 0, 1, 2, RunTable.chunkSize * 2 - 1, RunTable.chunkSize * 2, numbers.count * 2 - 2, numbers.count * 2 + 7] {
            let expected = Array(numbers).firstIndex { $0 >= bound } ?? numbers.count
            #expect(numbers.partitionPoint { $0.pointee >= bound } == expected, "bound \(bound)")
        }
        #expect(ChunkedArray<Int>().partitionPoint { _ in true } == 0)
    }

    @Test func aCopyKeepsItsRunsWhenTheOriginalChanges() {
        var (harness, ids) = Self.harness(runs: RunTable.chunkSize + 10)
        let snapshot = harness.state
        // A run in the first chunk and one in the last change; a new run is appended.
        harness.step(ids[3], seq: 1)
        harness.step(ids[RunTable.chunkSize + 5], seq: 1)
        harness.createRun()
        #expect(snapshot.runs.count == RunTable.chunkSize + 10)
        #expect(snapshot.run(id: ids[3])?.steps.isEmpty == true)
        #expect(snapshot.run(id: ids[RunTable.chunkSize + 5])?.steps.isEmpty == true)
        #expect(harness.state.runs.count == RunTable.chunkSize + 11)
        #expect(harness.state.run(id: ids[3])?.steps.count == 1)
        #expect(harness.state.run(id: ids[RunTable.chunkSize + 5])?.steps.count == 1)
        #expect(snapshot.runs != harness.state.runs)
    }
}
