import Benchmark
import BrainCore
import BrainProtocol

// Issue #13: the task-ingestion hot path without the redaction check, as the brain applies
// a task event read in place (`BrainState.applyTaskEvent`) once the check found its texts
// unchanged. One operation is one task's life: task_sent (~300 bytes of args and kwargs, as
// `brain-bench generate --kind tasks` writes them), started, succeeded (a result payload).
// Each sample applies 1,000 tasks to a fresh copy of a state with one agent; the frames
// are made and parsed before the clock starts. Its malloc count is exact.

func taskApplyBenchmarks() {
    let (template, agentID) = Fixture.state()
    let tasks = 1_000
    // One buffer of frame bodies and where each is, so every view can point into it.
    var bodies: [UInt8] = []
    var frames: [(seq: UInt64, range: Range<Int>)] = []
    for task in 0..<tasks {
        let taskID = "3f2b8c1e-9a4d-4e7b-b5c6-\(String(100_000_000_000 + task))"
        var sent = TaskEventReported(taskID: taskID, engine: "celery", kind: .taskSent, ts: Fixture.now + Int64(task) * 1_000)
        sent.attempt = 1
        sent.name = "app.tasks.crawl_site"
        sent.queue = "crawl"
        sent.argsJSON = #"[867045,"market.example.co"]"#
        sent.kwargsJSON = RedactionFixture.kwargsWithNote
        var started = TaskEventReported(taskID: taskID, engine: "celery", kind: .started, ts: sent.ts + 100)
        started.attempt = 1
        started.name = sent.name
        started.queue = sent.queue
        var succeeded = TaskEventReported(taskID: taskID, engine: "celery", kind: .succeeded, ts: sent.ts + 200)
        succeeded.attempt = 1
        succeeded.name = sent.name
        succeeded.queue = sent.queue
        succeeded.payloadJSON = RedactionFixture.result
        for (offset, event) in [sent, started, succeeded].enumerated() {
            let seq = UInt64(2 + task * 3 + offset)
            let body = WireCodec.encode(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: seq, kind: .taskEvent(event)))))
            frames.append((seq, bodies.count..<(bodies.count + body.count)))
            bodies += body
        }
    }

    // The in-place read the loop and the check worker both make of each frame, for one task's
    // three frames (hot in cache: the worker reads them from the other core's). In a shuffled
    // order, as agents interleave their tasks' events: in task order the kinds repeat in a
    // pattern the branch predictor learns, which a live stream does not have.
    var order = Array(frames.indices)
    var random = BenchmarkRandom(seed: 0x7A5C_0DE5)
    for index in order.indices.reversed() where index > 0 { order.swapAt(index, random.below(index + 1)) }
    let shuffled = order.map { frames[$0] }
    Benchmark("Decode.task.parse", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var kinds = 0
        bodies.withUnsafeBytes { raw in
            benchmark.startMeasurement()
            for frame in shuffled {
                if let (_, view) = TaskEventFrameParser.parse(UnsafeRawBufferPointer(rebasing: raw[frame.range])) {
                    kinds &+= Int(view.kind.rawValue)
                }
            }
            benchmark.stopMeasurement()
        }
        blackHole(kinds)
    }

    Benchmark("Apply.task.lifecycle", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var state = template
        var applied = 0
        bodies.withUnsafeBytes { raw in
            let views = frames.map { frame in
                guard let (_, view) = TaskEventFrameParser.parse(UnsafeRawBufferPointer(rebasing: raw[frame.range])) else {
                    fatalError("a frame is not a task event")
                }
                return (frame.seq, view)
            }
            benchmark.startMeasurement()
            for (seq, view) in views {
                if case .applied = state.applyTaskEvent(view, eventSeq: seq, agentID: agentID, now: Fixture.now) { applied += 1 }
            }
            benchmark.stopMeasurement()
        }
        precondition(applied == frames.count, "\(frames.count - applied) task events were not applied")
        blackHole(state.taskTable.records.count)
    }
}
