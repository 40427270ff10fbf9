import BrainProtocol
import Testing

@testable import BrainCore

/// A task event read in place (``BrainState/applyTaskEvent(_:eventSeq:agentID:now:)``, and
/// replay's ``BrainState/applyFrame(_:agentID:now:)``) must leave the state exactly as the
/// decoded report does (``BrainState/taskEventCommand(_:agentID:)``): same tasks, events,
/// seqs, counts and refusals, whatever the stream holds.
@Suite("Task events read in place against decoded reports")
struct TaskEventViewPathTests {
    /// Three brains fed the same frames: the live path (the view when redaction leaves it
    /// unchanged, else the redacted report), replay's frame path, and the decoded report.
    struct Brains {
        var live = Harness()
        var replay = Harness()
        var decoded = Harness()
        var agents: [String] = []

        init() {
            // Short retention, so sweeps remove tasks (and move the others' keys) mid-stream.
            let settings = ProjectSettings(retention: RetentionSettings(tasksNs: 200_000, taskEventsNs: 300_000))
            for harness in [\Brains.live, \Brains.replay, \Brains.decoded] {
                _ = self[keyPath: harness].state.apply(.createProject(name: "proj", settings: settings), now: Time.start)
            }
            for name in ["w2", "w3"] {
                let project = name == "w3" ? "other" : "proj"
                let ids = [live.addAgent(name, project: project), replay.addAgent(name, project: project), decoded.addAgent(name, project: project)]
                #expect(Set(ids).count == 1)
                agents.append(ids[0])
            }
            agents.append(live.agentID)
            // An agent that never said hello.
            agents.append("agent-ghost")
        }

        mutating func feed(_ frame: [UInt8], agentID: String, now: Int64) {
            frame.withUnsafeBytes { bytes in
                guard let (ids, view) = TaskEventFrameParser.parse(bytes) else {
                    Issue.record("the parser left a generated frame to protobuf-c")
                    return
                }
                // As the server does (BrainEngine.publishTaskEvent(frame:...)).
                if TaskEventKind(view.kind) == nil {
                    _ = live.state.apply(AgentEvent(seq: ids.eventSeq, kind: .taskEvent(view.reported)), agentID: agentID, now: now)
                } else if TaskEventReport.isUnchanged(view, by: live.state.redactor(forAgent: agentID)) {
                    _ = live.state.applyTaskEvent(view, eventSeq: ids.eventSeq, agentID: agentID, now: now)
                } else if var report = TaskEventReport(view.reported, seq: ids.eventSeq) {
                    report = report.redactedInFull(by: live.state.redactor(forAgent: agentID))
                    _ = live.state.apply(.taskEvent(report, agentID: agentID), now: now)
                }
                _ = replay.state.apply(.eventFrame(bytes, agentID: agentID), now: now)
                guard let request = try? WireCodec.decodeRequest(bytes), case .publish(let event) = request.method,
                    case .taskEvent(let reported) = event.kind
                else {
                    Issue.record("protobuf-c did not read a generated frame")
                    return
                }
                if let report = TaskEventReport(reported, seq: event.seq) {
                    _ = decoded.state.apply(decoded.state.taskEventCommand(report, agentID: agentID), now: now)
                } else {
                    _ = decoded.state.apply(event, agentID: agentID, now: now)
                }
            }
        }

        func expectSame(_ note: String) {
            for (name, other) in [("live", live.state), ("replay", replay.state)] {
                let reference = decoded.state
                #expect(other.tasks.count == reference.tasks.count, "\(name): task counts differ \(note)")
                // The first task that differs, not the whole table.
                if let index = zip(other.tasks, reference.tasks).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    Issue.record("\(name): task \(index) differs \(note):\n\(other.tasks[index])\n\(reference.tasks[index])")
                }
                #expect(other.agents.mapValues(\.lastSeq) == reference.agents.mapValues(\.lastSeq), "\(name): seqs differ \(note)")
                #expect(other.eventsHandled == reference.eventsHandled, "\(name): events handled differ \(note)")
                #expect(other.persistenceErrors == reference.persistenceErrors, "\(name): refusals differ \(note)")
                #expect(other.taskTable.eventCount == reference.taskTable.eventCount, "\(name): event counts differ \(note)")
            }
        }
    }

    /// A frame of `reported` with each `~~` in it (a marker the generator puts in texts)
    /// made into bytes that are not UTF-8.
    static func frame(_ reported: TaskEventReported, seq: UInt64) -> [UInt8] {
        var bytes = WireCodec.encode(BrainRequest(callID: seq &* 3, method: .publish(AgentEvent(seq: seq, kind: .taskEvent(reported)))))
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x7E, bytes[index + 1] == 0x7E {
                bytes[index] = 0xC3
                bytes[index + 1] = 0x28
            }
            index += 1
        }
        return bytes
    }

    static func event(_ rng: inout SplitMix64, taskIDs: [String]) -> TaskEventReported {
        let kinds: [WireTaskEventKind] = [.taskSent, .started, .succeeded, .failed, .retry, .cancelled, .expired, .unspecified]
        var reported = TaskEventReported(
            taskID: rng.pick(taskIDs), engine: rng.pick(["", "celery", "celery", "rq", "ŕq"]),
            kind: rng.chance(97) ? rng.pick(Array(kinds.dropLast())) : .unspecified,
            ts: 1_750_000_000_000_000_000 + Int64(rng.next(below: 5_000)) * 1_000_000
        )
        reported.attempt = UInt32(rng.next(below: 4))
        reported.name = rng.pick(["", "app.tasks.send", "app.tasks.send", "app.tasks.bill", "app.tâche", "app~~x", String(repeating: "n", count: 501)])
        reported.queue = rng.pick(["", "default", "emails", "q~~"])
        if rng.chance(10) { reported.groupID = rng.pick(["g-1", "g-2"]) }
        if rng.chance(5) { reported.retriedAs = rng.pick(taskIDs) }
        if rng.chance(40) {
            reported.argsJSON = rng.pick([#"[1,"a"]"#, #"[2, "b"]"#, "[", #"["~~"]"#])
            reported.kwargsJSON = rng.pick([
                #"{"user":7}"#, #"{"api_key":"sk_live_0123456789abcdefghij"}"#, #"{"db_password":"hunter2"}"#, #"{"note":"x~~"}"#,
            ])
        }
        if rng.chance(20) {
            reported.excType = rng.pick(["ValueError", "KeyError", "Érreur"])
            reported.excMessage = rng.pick(["bad input", "token Bearer abcdefghijklmnopqrstuvwxyz012345", "m~~"])
            reported.traceback = rng.pick(["Traceback (most recent call last):\n  File \"a.py\"", ""])
        }
        if rng.chance(30) { reported.payloadJSON = rng.pick([#"{"runtime":1.5}"#, #"{"result":"ok"}"#, "{"]) }
        return reported
    }

    @Test("random streams: every agent, duplicate and zero seqs, bad UTF-8, secrets, long names, sweeps", arguments: 0..<4)
    func randomStreams(batch: Int) {
        var rng = SplitMix64(seed: 0x7A5C_0000 + UInt64(batch))
        var brains = Brains()
        let taskIDs = (0..<40).map { "task-\($0)" } + ["tâche-1", "bad-~~", "", String(repeating: "t", count: 201)]
        var seqs = [UInt64](repeating: 0, count: brains.agents.count)
        var now = Time.start
        var swept = 0
        for round in 0..<1_500 {
            let agent = rng.next(below: brains.agents.count)
            let seq: UInt64
            switch rng.next(below: 20) {
            case 0: seq = 0
            case 1: seq = seqs[agent] > 2 ? seqs[agent] - UInt64(rng.next(below: 3)) : seqs[agent]
            default:
                seqs[agent] += 1
                seq = seqs[agent]
            }
            now += 1_000
            brains.feed(Self.frame(Self.event(&rng, taskIDs: taskIDs), seq: seq), agentID: brains.agents[agent], now: now)
            if round % 250 == 249 {
                for harness in [\Brains.live, \Brains.replay, \Brains.decoded] {
                    let sweep = brains[keyPath: harness].state.dueRetention(now: now)
                    if harness == \Brains.decoded { swept += sweep.tasks.count }
                    _ = brains[keyPath: harness].state.apply(.retentionSweep(sweep), now: now)
                }
                brains.expectSame("after \(round + 1) events and a sweep (batch \(batch))")
            }
        }
        // The stream reached every path: tasks made and swept, events refused, secrets redacted.
        #expect(swept > 20, "\(swept) tasks swept")
        #expect(brains.decoded.state.tasks.count > 20)
        #expect(!brains.decoded.state.persistenceErrors.isEmpty)
        #expect(brains.decoded.state.tasks.contains { $0.kwargsJSON.contains("db_password") })
        #expect(!brains.live.state.tasks.contains { $0.kwargsJSON.contains("hunter2") || $0.kwargsJSON.contains("sk_live") })
    }

    @Test("isASCII: every length to 24, a high byte at every position")
    func asciiCheck() {
        for count in 0...24 {
            let plain = [UInt8](repeating: 0x61, count: count)
            plain.withUnsafeBytes { #expect(TaskEventViewSource.isASCII($0), "length \(count)") }
            for position in 0..<count {
                var bytes = plain
                bytes[position] = 0xC3
                bytes.withUnsafeBytes { #expect(!TaskEventViewSource.isASCII($0), "length \(count), high byte at \(position)") }
            }
        }
    }
}
