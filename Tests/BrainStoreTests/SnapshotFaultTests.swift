import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// A snapshot write that fails as a full or broken disk fails (injected through
/// ``FileCalls``): the previous snapshot stays as it was and loadable, the error names the
/// problem, no temporary file is left, and the next write works once the disk does.
struct SnapshotFaultTests {
    static let faults: [FaultyFiles.Fault] = [true, false].flatMap { directIO in
        [
            FaultyFiles.Fault(calls: [.open], code: ENOSPC, room: 0, directIO: directIO),
            FaultyFiles.Fault(calls: [.write, .pwrite], code: ENOSPC, room: 1 << 20, directIO: directIO),
            FaultyFiles.Fault(calls: [.write, .pwrite], code: ENOSPC, room: 0, directIO: directIO),
            // Per chunk through the page cache, or the final fsync of a direct write.
            FaultyFiles.Fault(calls: [.fdatasync, .fsync], code: EIO, room: 0, directIO: directIO),
            FaultyFiles.Fault(calls: [.rename], code: EIO, room: 0, directIO: directIO),
        ]
    }

    /// A state whose snapshot takes several 1 MiB chunks.
    static func state(runs: Int) -> BrainState {
        var state = BrainState()
        guard case .success(let welcomed) = state.hello(Hello(agentName: "a", token: ""), tokenHash: "h", now: 1) else {
            Issue.record("hello refused")
            return state
        }
        let payload = "{\"pad\":\"" + String(repeating: "p", count: 2_000) + "\"}"
        var seq: UInt64 = 0
        for index in 0..<runs {
            let runID = String(format: "00000000-0000-4000-8000-%012x", index)
            seq += 1
            _ = state.apply(AgentEvent(seq: seq, kind: .runCreated(RunCreated(runID: runID, goal: "g"))), agentID: welcomed.agent.agentID, now: 2)
            for stepSeq in 1...20 as ClosedRange<UInt32> {
                var step = StepReported(runID: runID, seq: stepSeq, stepName: "s", status: .ok)
                step.outputJSON = payload
                seq += 1
                _ = state.apply(AgentEvent(seq: seq, kind: .step(step)), agentID: welcomed.agent.agentID, now: 3)
            }
        }
        return state
    }

    @Test(arguments: faults)
    func aFailedSnapshotKeepsThePreviousOneAndReportsTheError(fault: FaultyFiles.Fault) throws {
        let directory = try temporaryDirectory()
        let disk = FaultyFiles()
        var store = SnapshotStore(directory: directory)
        store.directIO = fault.directIO
        store.files = disk.files
        let old = Self.state(runs: 3)
        _ = try store.write(old, writtenAt: 10, brainVersion: "t", journalSegment: 2)
        let oldBytes = try Data(contentsOf: URL(fileURLWithPath: store.path))

        let new = Self.state(runs: 80)
        disk.fail(fault.calls, with: fault.code, room: fault.room)
        let error = #expect(throws: StoreError.self) {
            _ = try store.write(new, writtenAt: 20, brainVersion: "t", journalSegment: 5)
        }
        #expect(error?.problem.contains(String(cString: strerror(fault.code))) == true, "\(String(describing: error))")
        #expect(fault.calls.contains { disk.failures($0) > 0 }, "the fault was reached")

        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == oldBytes, "snapshot.json is untouched")
        let loaded = try #require(try store.load(configuration: CoreConfiguration()))
        #expect(loaded.journalSegment == 2)
        #expect(loaded.state.runs.count == 3)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "the temporary file is removed: \(leftovers)")

        disk.heal()
        _ = try store.write(new, writtenAt: 30, brainVersion: "t", journalSegment: 6)
        let written = try #require(try store.load(configuration: CoreConfiguration()))
        #expect(written.journalSegment == 6)
        #expect(written.state.runs.count == 80)
    }
}

extension SnapshotFaultTests {
    /// A brain killed while writing a snapshot leaves its temporary file; the next start
    /// deletes it (its pid differs, so nothing else ever would) and leaves the rest alone.
    @Test func aSnapshotCutShortByACrashLeavesNoTemporaryFileAfterTheNextStart() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 2
        _ = try store.write(Self.state(runs: 2), writtenAt: 1, brainVersion: "t", journalSegment: 1)
        let leftover = "\(directory)/snapshot.json.tmp-4194304"
        try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: leftover))
        let unrelated = "\(directory)/notes.tmp-1"
        try Data([1]).write(to: URL(fileURLWithPath: unrelated))
        #expect(store.leftoverTemporaryFiles() == [leftover])

        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .batch, snapshotsKept: 2, logger: Logger(label: "test")
        )
        #expect(recovered.state.runs.count == 2)
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(FileManager.default.fileExists(atPath: unrelated))
        #expect(FileManager.default.fileExists(atPath: store.path))
    }
}
