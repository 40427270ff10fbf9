import BrainFraming
import BrainProtocol

/// Builds a realistic, deterministic agent stream: runs of steps spread over agents,
/// runs of different agents interleaved, each event a `publish` frame.
struct StreamGenerator {
    struct Summary {
        var agents = 0
        var runs = 0
        var failedRuns = 0
        var steps = 0
        var events = 0
        var bytes = 0
        var stepFrameBytes = 0
    }

    let agents: Int
    let runs: Int
    let steps: Int
    let payloadBytes: Int
    let seed: UInt64

    /// The recording's bytes and what they hold.
    func generate() -> (bytes: [UInt8], summary: Summary) {
        var random = SplitMix64(seed: seed)
        var ids = SplitMix64(seed: seed ^ 0x0DDB_A11C_0FFE_E000)
        let runIDs = (0..<runs).map { _ in ids.uuid() }
        // Runs are dealt to agents round-robin; each agent works through its own runs in order.
        var queues: [[Int]] = Array(repeating: [], count: agents)
        for run in 0..<runs { queues[run % agents].append(run) }
        var cursors = Array(repeating: RunCursor(), count: agents)
        var seqs = Array(repeating: UInt64(0), count: agents)
        var active = (0..<agents).filter { !queues[$0].isEmpty }
        for agent in active { cursors[agent] = RunCursor(run: queues[agent][0], failing: random.chance(5)) }

        var summary = Summary()
        summary.agents = agents
        summary.runs = runs
        var out: [UInt8] = []
        out.reserveCapacity(runs * (steps + 2) * (payloadBytes + 120))
        while !active.isEmpty {
            let slot = random.below(active.count)
            let agent = active[slot]
            var cursor = cursors[agent]
            let kind: AgentEvent.Kind
            if cursor.next == 0 {
                kind = .runCreated(runCreated(runIDs[cursor.run], &random))
            } else if cursor.next <= steps {
                let isLast = cursor.next == steps
                let step = self.step(runIDs[cursor.run], seq: cursor.next, run: cursor.run, forceError: cursor.failing && isLast, &random)
                kind = .step(step)
            } else {
                kind = .runStatus(finish(runIDs[cursor.run], failing: cursor.failing, &random))
                if cursor.failing { summary.failedRuns += 1 }
            }
            seqs[agent] += 1
            let body = WireCodec.encode(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: seqs[agent], kind: kind))))
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: body)
            summary.events += 1
            if case .step = kind {
                summary.steps += 1
                summary.stepFrameBytes += body.count
            }
            cursor.next += 1
            if cursor.next > steps + 1 {
                queues[agent].removeFirst()
                if let nextRun = queues[agent].first {
                    cursor = RunCursor(run: nextRun, failing: random.chance(5))
                } else {
                    active.remove(at: slot)
                }
            }
            cursors[agent] = cursor
        }
        summary.bytes = out.count
        return (out, summary)
    }

    // MARK: Events

    private func runCreated(_ runID: String, _ random: inout SplitMix64) -> RunCreated {
        let site = random.pick(Vocabulary.sites)
        let product = random.pick(Vocabulary.products)
        var created = RunCreated(runID: runID, goal: "\(random.pick(Vocabulary.goalVerbs)) \(product) on \(site)")
        created.targetURL = "https://\(site)/\(random.pick(Vocabulary.paths))/\(random.below(100_000))"
        created.runType = random.pick(Vocabulary.runTypes)
        created.initiatedBy = random.pick(Vocabulary.initiators)
        created.inputJSON = #"{"site":"\#(site)","query":"\#(product)","max_pages":\#(1 + random.below(20)),"locale":"en-US"}"#
        created.metadataJSON = #"{"bench":true,"seed":\#(seed)}"#
        created.initialStatus = .running
        return created
    }

    private func step(_ runID: String, seq: Int, run: Int, forceError: Bool, _ random: inout SplitMix64) -> StepReported {
        let name = random.pick(Vocabulary.stepNames)
        let roll = random.below(100)
        let status: StepStatus = forceError ? .error : (roll < 92 ? .ok : (roll < 97 ? .skip : .error))
        var step = StepReported(runID: runID, seq: UInt32(seq), stepName: name, status: status)
        step.durationMs = UInt64(5 + random.below(name == "llm_decide" ? 4000 : 1500))
        step.startedAt = 1_750_000_000_000_000_000 + Int64(run) * 60_000_000_000 + Int64(seq) * 2_000_000_000
        if status == .error {
            let (type, message) = random.pick(Vocabulary.errors)
            step.error = "\(type): \(message)"
        }
        // About `payloadBytes` per step message: the JSON gets what the other fields leave, ±20%.
        let budget = max(48, (payloadBytes - 70 - name.count - step.error.count) * (80 + random.below(41)) / 100)
        let inputBytes = budget * 2 / 5
        step.inputJSON = Self.json(
            prefix: ##"{"selector":"#\##(random.pick(Vocabulary.selectors))-\##(random.below(1000))","note":""##,
            bytes: inputBytes, &random
        )
        let outputPrefix = status == .skip ? #"{"skipped":true,"text":""# : #"{"ok":\#(status == .ok),"items":\#(random.below(50)),"text":""#
        step.outputJSON = Self.json(prefix: outputPrefix, bytes: budget - inputBytes, &random)
        return step
    }

    private func finish(_ runID: String, failing: Bool, _ random: inout SplitMix64) -> RunStatusChanged {
        guard failing else {
            var change = RunStatusChanged(runID: runID, status: .completed)
            change.resultJSON = #"{"items_collected":\#(random.below(500)),"pages":\#(1 + random.below(20)),"summary":"done"}"#
            return change
        }
        var change = RunStatusChanged(runID: runID, status: .failed)
        (change.errorType, change.errorMessage) = random.pick(Vocabulary.errors)
        change.failedAtStep = UInt32(steps)
        change.errorContextJSON = #"{"attempt":\#(1 + random.below(3)),"step":\#(steps)}"#
        return change
    }

    /// `prefix` + filler words + `"}`, exactly `bytes` long when `bytes` allows it.
    private static func json(prefix: String, bytes: Int, _ random: inout SplitMix64) -> String {
        let room = max(0, bytes - prefix.utf8.count - 2)
        var filler = ""
        while filler.utf8.count < room {
            if !filler.isEmpty { filler += " " }
            filler += random.pick(Vocabulary.words)
        }
        // The vocabulary is ASCII, so characters and bytes agree.
        return prefix + String(filler.prefix(room)) + "\"}"
    }
}

/// Where one agent is in its current run: 0 = run_created next, 1...steps = that step, then the finish.
private struct RunCursor {
    var run = 0
    var failing = false
    var next = 0
}
