import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

// MARK: - The cases

enum Cases {
    static let implemented: Set<String> = [
        "hello", "wrong_token", "protocol_version_mismatch", "steps", "duplicate_resend",
        "conflicting_resend", "oversized_frame", "reconnect_after_restart", "watch",
    ]

    static func run(_ id: String, _ c: JSONObject, brain: BrainProcess) async throws {
        switch id {
        case "hello": try await hello(c, brain)
        case "wrong_token": try await wrongToken(c, brain)
        case "protocol_version_mismatch": try await protocolVersionMismatch(c, brain)
        case "steps": try await steps(c, brain)
        case "duplicate_resend": try await duplicateResend(c, brain)
        case "conflicting_resend": try await conflictingResend(c, brain)
        case "oversized_frame": try await oversizedFrame(c, brain)
        case "reconnect_after_restart": try await reconnectAfterRestart(c, brain)
        case "watch": try await watch(c, brain)
        default: Issue.record("case \(id) has no Swift implementation")
        }
    }

    static func session(_ c: JSONObject, _ brain: BrainProcess, token: String? = nil, protocolVersion: UInt32 = 1) throws -> AgentSession {
        let hello = Hello(
            agentName: c.string("agent"), project: c.has("project") ? c.string("project") : "",
            token: token ?? c.string("token"), protocolVersion: protocolVersion
        )
        var options = AgentSession.Options(socketPath: brain.socketPath, hello: hello)
        options.reconnectTimeoutSeconds = 60
        return AgentSession(options: options)
    }

    static func newRun(_ goal: String) -> (String, AgentEvent.Kind) {
        let id = UUID().uuidString.lowercased()
        var created = RunCreated(runID: id, goal: goal)
        created.initialStatus = .running
        return (id, .runCreated(created))
    }

    static func completed(_ runID: String, result: String = "") -> AgentEvent.Kind {
        var done = RunStatusChanged(runID: runID, status: .completed)
        done.resultJSON = result
        return .runStatus(done)
    }

    static func caseStep(_ c: JSONObject, runID: String) throws -> StepReported {
        let s = c.object("step")
        var step = StepReported(runID: runID, seq: UInt32(s.int("seq")), stepName: s.string("name"), status: .ok)
        step.inputJSON = s.string("input_json")
        step.outputJSON = s.string("output_json")
        step.durationMs = s.uint("duration_ms")
        step.startedAt = s.int("started_at")
        return step
    }

    static func hello(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let first = expect.object("first")
        let second = expect.object("second")
        let s1 = try session(c, brain)
        let w1 = try await s1.start()
        await s1.close()
        let s2 = try session(c, brain)
        let w2 = try await s2.start()
        await s2.close()
        #expect(w1.registered == (first.bool("registered")))
        #expect(Int64(w1.lastSeq) == (first.int("last_seq")))
        #expect(Int64(w1.protocolVersion) == (first.int("protocol_version")))
        #expect(w1.project == (first.string("project")))
        #expect(w2.registered == (second.bool("registered")))
        #expect(Int64(w2.lastSeq) == (second.int("last_seq")))
        #expect((w1.agentID == w2.agentID) == (second.bool("same_agent_id")))
        #expect(!w1.agentID.isEmpty == (expect.bool("agent_id_nonempty")))
        #expect((w1.heartbeatIntervalMs > 0) == (expect.bool("heartbeat_interval_ms_positive")))
        #expect((w1.heartbeatTimeoutMs >= w1.heartbeatIntervalMs) == (expect.bool("heartbeat_timeout_ms_at_least_interval")))
    }

    static func wrongToken(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let right = try session(c, brain)
        try await right.start()
        await right.close()
        let wrong = try session(c, brain, token: c.string("wrong_token"))
        do {
            try await wrong.start()
            Issue.record("a hello with the wrong token was welcomed")
            await wrong.close()
        } catch {
            #expect(error.code.name == (c.object("expect").string("code")))
            #expect(!error.message.isEmpty)
        }
    }

    static func protocolVersionMismatch(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain, protocolVersion: UInt32(c.int("protocol_version")))
        do {
            try await s.start()
            Issue.record("a hello with protocol version \(c.int("protocol_version")) was welcomed")
            await s.close()
        } catch {
            #expect(error.code.name == (expect.string("code")))
            #expect(error.message.contains(expect.string("message_contains")), "\(error.message)")
        }
    }

    static func steps(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance steps")
        try await s.publish(created)
        for (i, step) in c.objects("steps").enumerated() {
            var reported = StepReported(runID: runID, seq: UInt32(i + 1), stepName: step.string("name"), status: try stepStatus(named: step.string("status")))
            if step.has("error") { reported.error = step.string("error") }
            try await s.publish(.step(reported))
        }
        try await s.publish(completed(runID, result: c.string("result_json")))
        try await s.flush(timeoutSeconds: 15)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(await s.lastPublishedSeq == s.ackedSeq)
        #expect(Int64(await s.rejections.count) == (expect.int("rejections")))
        await s.close()
        let detail = try await brain.getRun(runID)
        #expect(runStatusName(detail.run.status) == (expect.string("run_status")))
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(detail.steps.map { Int64($0.seq) } == (expect.ints("step_seqs")))
        #expect(detail.steps.map(\.stepName) == (expect.strings("step_names")))
        #expect(detail.steps.map { stepStatusName($0.status) } == (expect.strings("step_statuses")))
        #expect(detail.run.resultJSON == (expect.string("result_json")))
    }

    static func duplicateResend(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance duplicate")
        let step = try caseStep(c, runID: runID)
        try await s.publish([created, .step(step), .step(step)])
        try await s.flush(timeoutSeconds: 15)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(Int64(await s.rejections.count) == (expect.int("rejections")))
        await s.close()
        let detail = try await brain.getRun(runID)
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(Int64(detail.steps.count) == (expect.int("step_count")))
    }

    static func conflictingResend(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance conflict")
        let step = try caseStep(c, runID: runID)
        var conflicting = step
        conflicting.outputJSON = c.string("conflicting_output_json")
        let seqs = try await s.publish([created, .step(step), .step(conflicting)])
        try await s.flush(timeoutSeconds: 15)
        #expect(try await eventually(5) { await !s.rejections.isEmpty })
        try await Task.sleep(for: .milliseconds(100))
        let rejections = await s.rejections
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        await s.close()
        #expect(Int64(rejections.count) == (expect.int("rejections")))
        let first = try #require(rejections.first)
        #expect(first.error.code.name == (expect.string("rejected_code")))
        #expect(first.seq == seqs[2] && Int64(first.seq) == (expect.int("rejected_seq")))
        #expect(!first.error.message.isEmpty)
        let detail = try await brain.getRun(runID)
        #expect(Int64(detail.run.stepCount) == (expect.int("step_count")))
        #expect(detail.steps.first?.outputJSON == (expect.string("stored_output_json")))
        let connection = try await brain.connect()
        let result = try await connection.call(.listPersistenceErrors(ListPersistenceErrorsQuery(runID: runID)))
        await connection.close()
        guard case .persistenceErrors(let list) = result else {
            Issue.record("ListPersistenceErrors answered \(result)")
            return
        }
        let phase = expect.string("persistence_error_phase")
        let agent = expect.string("persistence_error_agent")
        #expect(list.errors.contains { $0.phase == phase && $0.runID == runID && $0.agentName == agent }, "\(list.errors)")
    }

    static func oversizedFrame(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let healthy = try session(c, brain)
        try await healthy.start()
        let bad = try await brain.connect()
        let signal = ConnectionSignal()
        bad.onUnsolicited({ signal.record($0) }, onClose: { _ in signal.close() })
        let length = UInt32(c.int("frame_bytes"))
        let prefix: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        bad.sendRaw(prefix + [UInt8](repeating: 0, count: Int(c.int("body_bytes_sent"))))
        #expect(try await eventually(5) { signal.isClosed } == (expect.bool("closed")))
        #expect(signal.responses.first?.error?.code.name == (expect.string("code")), "\(signal.responses)")
        #expect(!(signal.responses.first?.error?.message.isEmpty ?? true))
        // The client's other connection is unaffected.
        let (runID, created) = newRun("after an oversized frame")
        var events = [created]
        for seq in 1...UInt32(c.int("steps_after")) {
            events.append(.step(StepReported(runID: runID, seq: seq, stepName: "after", status: .ok)))
        }
        events.append(completed(runID))
        try await healthy.publish(events)
        try await healthy.flush(timeoutSeconds: 15)
        #expect(Int64(await healthy.ackedSeq) == (expect.int("healthy_acked_seq")))
        #expect(await healthy.rejections.isEmpty)
        await healthy.close()
        #expect(Int64(try await brain.getRun(runID).run.stepCount) == (expect.int("healthy_step_count")))
    }

    static func reconnectAfterRestart(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let runs = Int(c.int("runs"))
        let steps = Int(c.int("steps_per_run"))
        let killAfter = Int(c.int("kill_after_run"))
        let restartAfter = Int(c.int("restart_after_run"))
        let flushAfter = Int(c.int("flush_after_run"))
        var ackedBeforeKill: UInt64 = 0
        let s = try session(c, brain)
        try await s.start()
        var runIDs: [String] = []
        for i in 0..<runs {
            let (runID, created) = newRun("restart run \(i)")
            runIDs.append(runID)
            try await s.publish(created)
            for seq in 1...steps {
                var step = StepReported(runID: runID, seq: UInt32(seq), stepName: "step-\(seq)", status: .ok)
                step.inputJSON = "{\"i\":\(i),\"s\":\(seq - 1)}"
                try await s.publish(.step(step))
            }
            try await s.publish(completed(runID))
            if i == flushAfter {
                try await s.flush(timeoutSeconds: 15)
                ackedBeforeKill = await s.ackedSeq
            }
            if i == killAfter { brain.stop(signal: SIGKILL) }
            if i == restartAfter { try await brain.start() }
        }
        try await s.flush(timeoutSeconds: 60)
        try await Task.sleep(for: .milliseconds(100))
        #expect(Int64(await s.ackedSeq) == (expect.int("acked_seq")))
        #expect(await s.lastPublishedSeq == s.ackedSeq)
        // The welcome after the restart (the first said last_seq 0) holds what was acked before the kill.
        let lastSeq = await s.welcome?.lastSeq ?? 0
        #expect(
            (lastSeq >= ackedBeforeKill && ackedBeforeKill > 0) == expect.bool("welcome_last_seq_at_least_acked_before_kill"),
            "welcome.last_seq \(lastSeq) after the restart, acked before the kill \(ackedBeforeKill)")
        let rejections = await s.rejections
        #expect(Int64(rejections.count) == (expect.int("rejections")), "\(rejections)")
        await s.close()
        for runID in runIDs {
            let detail = try await brain.getRun(runID)
            #expect(runStatusName(detail.run.status) == (expect.string("run_status")), "\(runID)")
            #expect(Int64(detail.run.stepCount) == (expect.int("step_count")), "\(runID)")
            #expect(Int64(detail.steps.count) == (expect.int("step_count")), "\(runID)")
        }
    }

    static func watch(_ c: JSONObject, _ brain: BrainProcess) async throws {
        let expect = c.object("expect")
        let s = try session(c, brain)
        try await s.start()
        let (runID, created) = newRun("conformance watch")
        try await s.publish(created)
        try await s.flush(timeoutSeconds: 15)
        let watcher = try await brain.connect()
        var events = watcher.stream(.watch(WatchQuery(runID: runID))).makeAsyncIterator()
        let first = try await events.next()
        guard case .watchEvent(.run(let initial))? = first?.result else {
            Issue.record("the watch did not start with the run: \(String(describing: first))")
            await watcher.close()
            await s.close()
            return
        }
        #expect(expect.string("first_event") == "run")
        #expect(runStatusName(initial.status) == (expect.string("first_run_status")))
        let count = UInt32(c.int("steps"))
        try await s.publish((1...count).map { .step(StepReported(runID: runID, seq: $0, stepName: "watched", status: .ok)) } + [completed(runID)])
        let final = expect.string("final_run_status")
        var seqs: [Int64] = []
        var sawFinal = false
        while !sawFinal, let response = try await events.next() {
            switch response.result {
            case .watchEvent(.step(let step))?: seqs.append(Int64(step.seq))
            case .watchEvent(.run(let run))? where runStatusName(run.status) == final: sawFinal = true
            default: break
            }
        }
        try await s.flush(timeoutSeconds: 15)
        await watcher.close()
        await s.close()
        #expect(seqs == (expect.ints("step_seqs")))
        #expect(sawFinal)
    }
}
