import Benchmark
import BrainCore
import BrainFraming
import BrainProtocol
import NIOCore

// Micro-benchmarks of the ingestion hot path: decode a published step, apply it to the
// state, encode what goes back (acks, query replies). Every benchmark runs an inner loop of
// 1,000 operations per sample (scalingFactor .kilo): the figures the tool prints with a `*`
// are per operation. Run from the repository root:
//
//   swift package --package-path Benchmarks/Micro benchmark
//
// See README.md beside Package.swift for thresholds and the figures measured.

// MARK: - Fixtures

enum Fixture {
    static let agentName = "crawler-7"
    static let project = "bench"
    static let runID = "3f2b8c1e-9a4d-4e7b-b5c6-1d2e3f4a5b6c"
    static let now: Int64 = 1_790_000_000_000_000_000
    static let stepName = "fetch_page"
    static let inputJSON = #"{"url":"https://example.com/products?page=17","method":"GET","headers":{"accept":"text/html"},"retry":2}"#
    static let outputJSON = #"{"status":200,"bytes":48213,"title":"Products - page 17","links":42,"cached":false,"elapsed_ms":183}"#

    /// A 250-byte JSON object for the validator benchmark.
    static let json250 =
        #"{"url":"https://example.com/catalog/items?page=17&sort=price","status":200,"ms":183.25,"cached":false,"tags":["retail","catalog","html"],"links":[{"rel":"next","href":"/catalog/items?page=18"},{"rel":"prev","href":"/catalog/items?page=16"}],"n":null}"#

    /// The step report every step benchmark sends, with seq numbers filled in.
    static func step(seq: UInt32) -> StepReported {
        var step = StepReported(runID: runID, seq: seq, stepName: stepName, status: .ok)
        step.inputJSON = inputJSON
        step.outputJSON = outputJSON
        step.durationMs = 183
        step.startedAt = now - 183_000_000
        return step
    }

    /// A `Request` publishing step `stepSeq` as agent event `eventSeq`.
    static func publishRequest(eventSeq: UInt64, stepSeq: UInt32, callID: UInt64 = 0) -> BrainRequest {
        BrainRequest(callID: callID, method: .publish(AgentEvent(seq: eventSeq, kind: .step(step(seq: stepSeq)))))
    }

    /// The body of a published step frame (no length prefix), as the brain's decoder sees it.
    static func publishFrameBody(eventSeq: UInt64, stepSeq: UInt32) -> ByteBuffer {
        ByteBuffer(bytes: WireCodec.encode(publishRequest(eventSeq: eventSeq, stepSeq: stepSeq)))
    }

    /// A state with one agent (said hello) and one running run; the agent's last seq is 1.
    static func state() -> (BrainState, agentID: String) {
        var state = BrainState()
        let hello = Hello(agentName: agentName, project: project, token: "secret", frameworkAdapter: "bench")
        guard case .hello(.success(let welcomed)) = state.apply(.hello(hello, tokenHash: "hash", connection: nil), now: now) else {
            fatalError("hello was refused")
        }
        let agent = welcomed.agent
        var created = RunCreated(runID: runID, goal: "crawl the product catalog")
        created.targetURL = "https://example.com/catalog"
        created.runType = "crawl"
        created.inputJSON = #"{"depth":3}"#
        created.initialStatus = .running
        let outcome = state.apply(.event(AgentEvent(seq: 1, kind: .runCreated(created)), agentID: agent.agentID), now: now).eventOutcome
        guard outcome == .applied else { fatalError("run_created was not applied: \(outcome)") }
        return (state, agent.agentID)
    }

    /// A state holding the run with five steps.
    static func fiveStepState() -> BrainState {
        var (state, agentID) = state()
        for seq in UInt32(1)...5 {
            let outcome = state.apply(.event(AgentEvent(seq: UInt64(seq) + 1, kind: .step(step(seq: seq))), agentID: agentID), now: now).eventOutcome
            guard outcome == .applied else { fatalError("step \(seq) was not applied: \(outcome)") }
        }
        return state
    }

    /// A GetRun reply: the run and its first five steps.
    static func getRunReply() -> BrainResponse {
        let state = fiveStepState()
        guard let run = state.run(id: runID) else { fatalError("no run") }
        let detail = RunDetail(run: run.info, childRunIDs: [], steps: run.steps.map { $0.info(runID: runID) })
        return .ok(42, .run(detail))
    }
}

/// One decoded field, so the optimizer cannot drop the decode.
@inline(never)
func consume(_ request: BrainRequest) -> UInt64 {
    if case .publish(let event) = request.method, case .step(let step) = event.kind {
        return event.seq &+ UInt64(step.seq) &+ UInt64(step.inputJSON.utf8.count)
    }
    return 0
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000,
        thresholds: [
            // Time on a shared 2-core VM moves by up to 2x between runs when something else
            // runs: the check (at p90) catches only a doubling. Allocation counts are exact
            // and the same in every sample: any change fails.
            .wallClock: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100]),
            .throughput: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100]),
            .mallocCountTotal: BenchmarkThresholds(relative: [.p50: 0, .p75: 0, .p90: 0], absolute: [.p50: 0, .p75: 0, .p90: 0]),
            .mallocBytesCount: BenchmarkThresholds(relative: [.p50: 5, .p75: 5, .p90: 5]),
        ]
    )

    // MARK: Decode

    Benchmark("Decode.step.decodeRequest") { benchmark in
        let frame = Fixture.publishFrameBody(eventSeq: 2, stepSeq: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                blackHole(consume(try WireCodec.decodeRequest(frame)))
            } catch {
                fatalError("\(error)")
            }
        }
    }

    Benchmark("Decode.step.withDecodedRequest") { benchmark in
        let frame = Fixture.publishFrameBody(eventSeq: 2, stepSeq: 1)
        let scratch = DecodeScratch()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                let value = try WireCodec.withDecodedRequest(
                    frame, scratch: scratch,
                    step: { callID, eventSeq, view in
                        callID &+ eventSeq &+ UInt64(view.seq) &+ UInt64(view.inputJSON.count) &+ UInt64(view.runID.count)
                    },
                    other: { consume($0) }
                )
                blackHole(value)
            } catch {
                fatalError("\(error)")
            }
        }
        benchmark.stopMeasurement()
        withExtendedLifetime(scratch) {}
    }

    // MARK: Apply

    // Each sample starts from a fresh copy of a state with one agent and one running run,
    // made unique (and given step 1) before the clock starts; the 1,000 measured operations
    // then append steps 2...1001 with event seqs 3...1002. The run's step array grows as it
    // would in the brain, so its reallocations (about 10 per 1,000 appends) are counted.

    let (template, agentID) = Fixture.state()

    Benchmark("Apply.step.fastPath") { benchmark in
        let frame = Fixture.publishFrameBody(eventSeq: 2, stepSeq: 1)
        let scratch = DecodeScratch()
        var state = template
        do {
            try WireCodec.withDecodedRequest(
                frame, scratch: scratch,
                step: { _, eventSeq, view in
                    guard state.apply(.step(view, eventSeq: eventSeq, agentID: agentID), now: Fixture.now).eventOutcome == .applied else {
                        fatalError("step 1 was not applied")
                    }
                    var view = view
                    var applied = 0
                    benchmark.startMeasurement()
                    for index in benchmark.scaledIterations {
                        view.seq = UInt32(truncatingIfNeeded: index + 2)
                        let outcome = state.apply(.step(view, eventSeq: UInt64(index + 3), agentID: agentID), now: Fixture.now).eventOutcome
                        if case .applied = outcome { applied += 1 }
                    }
                    benchmark.stopMeasurement()
                    precondition(applied == benchmark.scaledIterations.count, "the fast path refused a step")
                },
                other: { (_: BrainRequest) -> Void in fatalError("not a step") }
            )
        } catch {
            fatalError("\(error)")
        }
        blackHole(state.stepCount)
    }

    Benchmark("Apply.step.event") { benchmark in
        var state = template
        let events = (benchmark.scaledIterations.lowerBound...benchmark.scaledIterations.upperBound).map { index in
            AgentEvent(seq: UInt64(index + 2), kind: .step(Fixture.step(seq: UInt32(index + 1))))
        }
        guard state.apply(.event(events[0], agentID: agentID), now: Fixture.now).eventOutcome == .applied else { fatalError("step 1 was not applied") }
        var applied = 0
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            if case .applied = state.apply(.event(events[index + 1], agentID: agentID), now: Fixture.now).eventOutcome { applied += 1 }
        }
        benchmark.stopMeasurement()
        precondition(applied == benchmark.scaledIterations.count, "a step was refused")
        blackHole(state.stepCount)
    }

    // Decode and apply together, as the brain's connection handler does for each frame:
    // 1,000 distinct frames (event seq, step seq) prepared before the clock starts.
    Benchmark("Ingest.step.decodeAndApply") { benchmark in
        let frames = (benchmark.scaledIterations.lowerBound...benchmark.scaledIterations.upperBound).map { index in
            Fixture.publishFrameBody(eventSeq: UInt64(index + 2), stepSeq: UInt32(index + 1))
        }
        let scratch = DecodeScratch()
        var state = template
        func ingest(_ frame: ByteBuffer) -> Bool {
            do {
                return try WireCodec.withDecodedRequest(
                    frame, scratch: scratch,
                    step: { _, eventSeq, view in
                        state.apply(.step(view, eventSeq: eventSeq, agentID: agentID), now: Fixture.now).eventOutcome == .applied
                    },
                    other: { _ in false }
                )
            } catch {
                fatalError("\(error)")
            }
        }
        guard ingest(frames[0]) else { fatalError("step 1 was not applied") }
        var applied = 0
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations where ingest(frames[index + 1]) {
            applied += 1
        }
        benchmark.stopMeasurement()
        precondition(applied == benchmark.scaledIterations.count, "a step was refused")
        blackHole(state.stepCount)
    }

    // MARK: Encode

    Benchmark("Encode.step.request") { benchmark in
        let request = Fixture.publishRequest(eventSeq: 2, stepSeq: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(WireCodec.encode(request))
        }
    }

    Benchmark("Encode.ack.writeAckFrame") { benchmark in
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            buffer.clear()
            WireCodec.writeAckFrame(ackedSeq: UInt64(index) &+ 1_000_000, into: &buffer)
        }
        benchmark.stopMeasurement()
        blackHole(buffer.readableBytes)
    }

    Benchmark("Encode.getRunReply.fiveSteps") { benchmark in
        let reply = Fixture.getRunReply()
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            WireCodec.writeFrame(reply, into: &buffer)
        }
        benchmark.stopMeasurement()
        blackHole(buffer.readableBytes)
    }

    // What the brain does for a GetRun (BrainEngine+Requests): select the run and its
    // steps, then write the reply from the stored step bytes (RunDetailWriter).
    Benchmark("Encode.getRunReply.fromState") { benchmark in
        let state = Fixture.fiveStepState()
        let query = GetRunQuery(runID: Fixture.runID)
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            guard case .success(let selection) = state.getRunSelection(query) else { fatalError("no run") }
            var writer = RunDetailWriter(callID: 42, run: selection.run.info, childRunIDs: selection.run.childRunIDs)
            for step in selection.steps { writer.append(step.wireStep) }
            writer.writeFrame(into: &buffer)
        }
        benchmark.stopMeasurement()
        blackHole(buffer.readableBytes)
    }

    // MARK: JSON

    scheduleBenchmarks()
    redactionBenchmarks()
    taskApplyBenchmarks()
    recordingCheckBenchmarks()

    Benchmark("JSONValidator.object250B") { benchmark in
        let text = Fixture.json250
        precondition(text.utf8.count == 250, "the fixture is \(text.utf8.count) bytes")
        precondition(JSONValidator.isValid(text))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(JSONValidator.problem(in: text))
        }
    }
}

extension CommandOutcome {
    /// The agent event's outcome (nil for other commands), to compare with `.applied`.
    var eventOutcome: EventOutcome? {
        if case .event(let outcome) = self { return outcome }
        return nil
    }
}
