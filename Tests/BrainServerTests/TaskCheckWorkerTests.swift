import BrainCore
import BrainProtocol
import NIOPosix
import Synchronization
import Testing

@testable import BrainServer

/// ``TaskCheckWorker`` alone: its answers are the report's own check (but for the frames the
/// loop reached before the worker woke), frames that are not task events are never answered
/// unchanged, and a batch can be finished at any moment.
@Suite(.timeLimit(.minutes(1)))
struct TaskCheckWorkerTests {
    /// Frames (length-prefixed) of task events, a step and a hello, and the loop's answer for each.
    static func read(_ redactor: Redactor) -> (bytes: [UInt8], expected: [Bool]) {
        var bytes: [UInt8] = []
        var expected: [Bool] = []
        for index in 0..<300 {
            let request: BrainRequest
            var unchanged = false
            switch index % 10 {
            case 8:
                let step = StepReported(runID: "r", seq: 1, stepName: "s")
                request = BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64(index), kind: .step(step))))
            case 9:
                request = BrainRequest(callID: 1, method: .hello(Hello(agentName: "a", project: "default", token: "t")))
            default:
                var event = TaskEventReported(taskID: "t-\(index)", engine: "celery", kind: .taskSent, ts: 1)
                event.kwargsJSON = index % 3 == 0 ? "{\"password\":\"p-\(index)\"}" : "{\"n\":\(index)}"
                event.traceback = index % 7 == 0 ? "Authorization: Bearer abcdefghijklmnop\(index)" : "line \(index)"
                var report = TaskEventReport()
                report.fields = event
                unchanged = report.isUnchanged(by: redactor)
                request = BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64(index), kind: .taskEvent(event))))
            }
            let body = WireCodec.encode(request)
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { bytes += $0 }
            bytes += body
            expected.append(unchanged)
        }
        return (bytes, expected)
    }

    @Test func theAnswersAreTheReportsOwnCheck() async throws {
        let redactor = Redactor()
        let (bytes, expected) = Self.read(redactor)
        #expect(expected.contains(true) && expected.contains(false))
        let (worker, pool) = TaskCheckWorker.start(maxFrameBytes: 1 << 20)
        bytes.withUnsafeBytes { raw in
            worker.start(raw, redactor: redactor)
            // Until every frame is answered (the worker runs on its own; this polls).
            let deadline = ContinuousClock.now + .seconds(10)
            while worker.framesAnsweredInBatch < expected.count, ContinuousClock.now < deadline {}
            #expect(worker.framesAnsweredInBatch == expected.count)
            // The first frames are the loop's (it starts on them before the worker wakes).
            for (index, unchanged) in expected.enumerated() {
                #expect(worker.isUnchanged(frame: index) == (unchanged && index >= TaskCheckWorker.leadOverLoop), "frame \(index)")
            }
            worker.finish()
        }
        #expect(worker.framesAnswered.load(ordering: .relaxed) == expected.count)
        worker.stop()
        try await pool.shutdownGracefully()
    }

    @Test func aBatchFinishedAtOnceOrHalfWayEndsCleanlyAndAnswersNothingAfter() async throws {
        let redactor = Redactor()
        let (bytes, expected) = Self.read(redactor)
        let (worker, pool) = TaskCheckWorker.start(maxFrameBytes: 1 << 20)
        for round in 0..<2_000 {
            bytes.withUnsafeBytes { raw in
                worker.start(raw, redactor: redactor)
                for _ in 0..<(round % 50) * 20 { _ = worker.isUnchanged(frame: 0) }
                worker.finish()
                // Finished: the worker answers nothing more (it no longer reads the bytes).
                let answered = worker.framesAnsweredInBatch
                for _ in 0..<1_000 { _ = worker.isUnchanged(frame: 0) }
                #expect(worker.framesAnsweredInBatch == answered, "round \(round)")
            }
        }
        #expect(worker.framesAnswered.load(ordering: .relaxed) <= 2_000 * expected.count)
        worker.stop()
        try await pool.shutdownGracefully()
    }
}
