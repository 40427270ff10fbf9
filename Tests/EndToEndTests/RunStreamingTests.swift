import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Runs and steps streamed by an agent, read back through brainctl, watched live, kept across a restart.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RunStreamingTests {
    static func step(_ runID: String, _ seq: UInt32) -> AgentEvent.Kind {
        var step = StepReported(runID: runID, seq: seq, stepName: "step-\(seq)", status: .ok)
        step.inputJSON = "{\"n\":\(seq)}"
        step.outputJSON = "{\"ok\":true}"
        step.durationMs = UInt64(seq)
        return .step(step)
    }

    @Test func anAgentStreamsRunsBrainctlShowsThemWatchSeesStepsAndARestartKeepsThem() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "crawler", token: "t")))
        try await session.start()

        let runID = "6f1c2a9e-0b7d-4c1e-9a55-3f2b8e7d4c10"
        var created = RunCreated(runID: runID, goal: "crawl the front page")
        created.targetURL = "https://example.com/"
        created.runType = "crawl"
        created.initialStatus = .running
        try await session.publish(.runCreated(created))
        try await session.flush()

        // A watcher on this run sees the steps as they arrive. A watch starts with the run as
        // it is: once that came, the watch is registered and sees everything published after.
        let watcher = try await brain.connect()
        var events = watcher.stream(.watch(WatchQuery(runID: runID))).makeAsyncIterator()
        guard case .watchEvent(.run(let initial))? = try await events.next()?.result else {
            Issue.record("the watch did not start with the run")
            return
        }
        #expect(initial.runID == runID)
        try await session.publish([Self.step(runID, 1), Self.step(runID, 3), Self.step(runID, 2)])
        var done = RunStatusChanged(runID: runID, status: .completed)
        done.resultJSON = "{\"pages\":1}"
        try await session.publish(.runStatus(done))
        try await session.flush()
        var seen: [UInt32] = []
        while seen.count < 3, let response = try await events.next() {
            if case .watchEvent(.step(let step)) = response.result { seen.append(step.seq) }
        }
        #expect(seen == [1, 3, 2])
        await watcher.close()

        // A conflicting resend is refused and lands in the sink.
        var conflicting = StepReported(runID: runID, seq: 2, stepName: "other", status: .error)
        conflicting.error = "boom"
        try await session.publish(.step(conflicting))
        try await session.flush()
        #expect(try await eventually(2) { await session.rejections.count == 1 })
        #expect(await session.rejections.first?.error.code == .alreadyExists)

        let runs = try brain.brainctlItems(["runs"])
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        for key in [
            "run_id", "status", "goal", "target_url", "run_type", "parent_run_id", "step_count", "error_type",
            "error_message", "failed_at_step", "created_at", "updated_at", "completed_at",
        ] {
            #expect(run.keys.contains(key), "run object lacks \(key)")
        }
        #expect(run["status"] as? String == "completed")
        #expect(run["step_count"] as? Int == 3)
        #expect((run["created_at"] as? String)?.hasSuffix("Z") == true)

        let shown = try #require(try brain.brainctlJSON(["run", "show", runID]) as? [String: Any])
        let steps = try #require(shown["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["seq"] as? Int } == [1, 2, 3])
        #expect(steps.first?["step_name"] as? String == "step-1")
        #expect((steps.first?["input"] as? [String: Int])?["n"] == 1)
        #expect((shown["result"] as? [String: Int])?["pages"] == 1)

        let errors = try brain.brainctlItems(["errors", "--run", runID])
        #expect(errors.first?["phase"] as? String == "create_step")

        await session.close()
        brain.stop()
        try await brain.start()
        let after = try #require(try brain.brainctlJSON(["run", "show", runID]) as? [String: Any])
        #expect(after["status"] as? String == "completed")
        #expect((after["steps"] as? [[String: Any]])?.count == 3)
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect(status["steps"] as? Int == 3)
        #expect((status["runs"] as? [String: Int])?["completed"] == 1)
        brain.stop()
    }

    @Test func cancelAndDeleteThroughBrainctl() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: "w", token: "t")))
        try await session.start()
        let parent = "11111111-2222-4333-8444-555555555555"
        let child = "11111111-2222-4333-8444-666666666666"
        try await session.publish(.runCreated(RunCreated(runID: parent, goal: "parent")))
        var childRun = RunCreated(runID: child, goal: "child")
        childRun.parentRunID = parent
        try await session.publish(.runCreated(childRun))
        try await session.flush()

        let (status, out, _) = try brain.brainctl(["run", "cancel", parent])
        #expect(status == 0)
        #expect(out.contains("abandoned"))
        let shownChild = try #require(try brain.brainctlJSON(["run", "show", child]) as? [String: Any])
        #expect(shownChild["status"] as? String == "abandoned")
        #expect(shownChild["error_type"] as? String == "cancelled")

        let (again, _, againErr) = try brain.brainctl(["run", "cancel", parent])
        #expect(again == 1)
        #expect(againErr.contains("FAILED_PRECONDITION"))

        #expect(try brain.brainctl(["run", "delete", child]).0 == 0)
        let (missing, _, missingErr) = try brain.brainctl(["run", "show", child])
        #expect(missing == 1)
        #expect(missingErr.contains("NOT_FOUND"))
        let remaining = try brain.brainctlItems(["runs"])
        #expect(remaining.compactMap { $0["run_id"] as? String } == [parent])
        await session.close()
        brain.stop()
    }
}
