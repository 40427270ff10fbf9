import BrainStore
import Foundation
import Testing

/// A power cut, not a SIGKILL: what was written but not yet synced is lost (a SIGKILL keeps
/// the page cache, so it cannot tell an fsynced journal from one that never syncs). The
/// write path runs on a ``PowerCutDisk`` and the power goes at every one of its file calls
/// in turn; after each cut the brain starts from what the disk kept and every event the
/// agent saw acknowledged must be there with its content.
@Suite(.serialized)
struct PowerCutTests {
    /// Cuts the power at every call of a full run, from the first to after the last.
    /// - Returns: per cut, what was acknowledged and the problems the restart showed.
    static func cutEverywhere(
        policy: FsyncPolicy, directIO: Bool = false, ackTiming: PowerCutRun.AckTiming,
        rotationTiming: PowerCutRun.RotationTiming = .behindTheWrite, seed: UInt64
    ) throws -> [(cut: Int, acked: UInt64, phase: String, problems: [String])] {
        // The whole run first, to count its calls (the power still goes after the last one).
        let full = try runOnce(
            cutAfter: .max, policy: policy, directIO: directIO, ackTiming: ackTiming, rotationTiming: rotationTiming, seed: seed
        )
        #expect(full.acked == UInt64(PowerCutRun.runs * (PowerCutRun.stepsPerRun + 2)), "every event is acknowledged")
        #expect(full.snapshots >= 2, "the run takes snapshots, so cuts land around them")
        var results: [(Int, UInt64, String, [String])] = []
        for cut in 0...full.calls {
            let run = try runOnce(
                cutAfter: cut, policy: policy, directIO: directIO, ackTiming: ackTiming, rotationTiming: rotationTiming, seed: seed
            )
            results.append((cut, run.acked, run.phase, run.problems))
        }
        return results
    }

    static func runOnce(
        cutAfter: Int, policy: FsyncPolicy, directIO: Bool, ackTiming: PowerCutRun.AckTiming,
        rotationTiming: PowerCutRun.RotationTiming, seed: UInt64
    ) throws -> (acked: UInt64, snapshots: Int, phase: String, calls: Int, problems: [String]) {
        let directory = NSTemporaryDirectory() + "brain-power-cut-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var run = PowerCutRun(
            directory: directory, cutAfter: cutAfter, policy: policy, directIO: directIO, ackTiming: ackTiming,
            rotationTiming: rotationTiming, seed: seed
        )
        run.run()
        let calls = run.disk.calls
        return (run.ackedSeq, run.snapshotsWritten, run.phase, calls, try run.check())
    }

    @Test(arguments: [(false, 1 as UInt64), (false, 2), (true, 3)])
    func underFsyncBatchAPowerCutAtAnyCallLosesNoAcknowledgedEvent(directIO: Bool, seed: UInt64) throws {
        let results = try Self.cutEverywhere(policy: .batch, directIO: directIO, ackTiming: .committed, seed: seed)
        for result in results where !result.problems.isEmpty {
            Issue.record("power cut after call \(result.cut), during \(result.phase), \(result.acked) acked: \(result.problems.prefix(3))")
        }
        // The cuts land everywhere: before anything was acked, and during every kind of work.
        #expect(results.contains { $0.acked == 0 })
        let phases = Set(results.map(\.phase))
        for phase in ["creating the first segment", "a journal write", "a rotation", "a snapshot", "deleting what the snapshot covers"] {
            #expect(phases.contains(phase), "no cut landed during \(phase)")
        }
    }

    /// The check can fail: with `--fsync never` acks go out for records only the page cache
    /// holds, and some cut loses them.
    @Test func underFsyncNeverSomePowerCutLosesAcknowledgedEvents() throws {
        let results = try Self.cutEverywhere(policy: .never, ackTiming: .committed, seed: 1)
        let losing = results.filter { !$0.problems.isEmpty }
        #expect(!losing.isEmpty, "a power cut loses acknowledged events that were never fsynced")
        #expect(losing.allSatisfy { problems in problems.problems.allSatisfy { !$0.contains("other content") } })
    }

    /// The check can fail: acks sent when records are handed to the journal thread, before
    /// the write and its fsync, are lost by a cut in between, even under `--fsync batch`.
    @Test func acksSentBeforeTheWriteCompletesAreCaughtLosingEvents() throws {
        let results = try Self.cutEverywhere(policy: .batch, ackTiming: .atSubmission, seed: 1)
        #expect(results.contains { !$0.problems.isEmpty }, "a cut between the ack and the fsync loses acknowledged events")
    }

    /// The check can fail: a rotation queued only once the snapshot's write completed runs
    /// after the write that completion submits, so records the snapshot does not hold stay
    /// in the segment its clean-up deletes (the engine's old order; SIGKILL loses them too).
    @Test func aRotationQueuedAfterTheWritesCompletionIsCaughtLosingEvents() throws {
        // The loss needs records to arrive while the snapshot's write is in flight: some seeds
        // schedule that, the first does.
        var losing = 0
        for seed in 1...5 as ClosedRange<UInt64> where losing == 0 {
            losing = try Self.cutEverywhere(policy: .batch, ackTiming: .committed, rotationTiming: .afterTheWriteCompleted, seed: seed)
                .filter { !$0.problems.isEmpty }.count
        }
        #expect(losing > 0, "records written to a segment the snapshot then deletes are lost")
    }
}
