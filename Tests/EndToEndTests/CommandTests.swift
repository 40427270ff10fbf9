import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Commands to agents against a real brain: `task retry` / `task cancel` / `schedule
/// disable` from brainctl, delivery now or after the agent's next hello, the agent's receipt
/// and result, deadlines and late results, restarts, and Watch with tasks and commands.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CommandTests {
    /// The commands a session received, collected by one reader (an AsyncStream has one
    /// consumer) until the session closes.
    final class Inbox: @unchecked Sendable {
        // @unchecked: every access holds `lock`.
        private let lock = NSLock()
        private var received: [AgentCommand] = []

        init(_ session: AgentSession) {
            let stream = session.commands
            Task { [self] in
                for await command in stream { add(command) }
            }
        }

        var commands: [AgentCommand] { lock.withLock { received } }
        private func add(_ command: AgentCommand) { lock.withLock { received.append(command) } }
    }

    static func failedTask(_ session: AgentSession, _ id: String) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        try await session.publishTaskEvents([
            TaskTests.event(id, .taskSent, at: now - 2_000_000_000), TaskTests.event(id, .failed, at: now - 1_000_000_000),
        ])
        try await session.flush()
    }

    static func command(_ brain: BrainProcess, _ id: String) throws -> [String: Any] {
        try #require(try brain.brainctlJSON(["command", "show", id]) as? [String: Any])
    }

    @Test func aRetryToAnOfflineAgentWaitsAndIsDeliveredAfterItsHello() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let first = try await TaskTests.agent(brain)
        try await Self.failedTask(first, "t-fail")
        await first.close()
        // The agent is shown online until its heartbeat timeout; delivery needs a connection,
        // and the brain sees this one close at once.
        try await Task.sleep(for: .milliseconds(300))

        let issued = try #require(try brain.brainctlJSON(["task", "retry", "t-fail"]) as? [String: Any])
        #expect(issued["state"] as? String == "pending")
        #expect(issued["kind"] as? String == "retry_task")
        let id = try #require(issued["command_id"] as? String)
        let (_, text, _) = try brain.brainctl(["task", "retry", "t-fail", "--deadline", "1m"])
        #expect(text.contains("retry_task task t-fail") && text.contains("pending"))

        let session = try await TaskTests.agent(brain)
        let inbox = Inbox(session)
        #expect(try await eventually { inbox.commands.count == 2 })
        let received = try #require(inbox.commands.first)
        #expect(received.commandID == id && received.kind == .retryTask && received.taskID == "t-fail" && received.engine == "celery")
        #expect(received.taskName == "app.tasks.charge" && received.deadline > 0)
        #expect(try Self.command(brain, id)["state"] as? String == "delivered")

        try await session.acknowledgeCommand(id)
        try await session.flush()
        #expect(try Self.command(brain, id)["state"] as? String == "acknowledged")
        try await session.reportCommandResult(id, ok: true, message: "sent again", newTaskID: "t-fail-2")
        try await session.flush()
        let done = try Self.command(brain, id)
        #expect(done["state"] as? String == "succeeded")
        #expect(done["new_task_id"] as? String == "t-fail-2" && done["result_message"] as? String == "sent again")
        let task = try #require(try brain.brainctlJSON(["task", "show", "t-fail"]) as? [String: Any])
        #expect(task["retried_as"] as? String == "t-fail-2")
        #expect(try brain.brainctlItems(["commands"]).count == 2)
        #expect(try brain.brainctlItems(["commands", "--state", "succeeded"]).map { $0["command_id"] as? String } == [id])
        #expect(await session.rejections.isEmpty)

        // Online: delivered at once; --wait follows it to the agent's result.
        try await Self.failedTask(session, "t-other")
        let responder = Task {
            while !Task.isCancelled {
                if let cancel = inbox.commands.first(where: { $0.kind == .cancelTask }) {
                    _ = try? await session.acknowledgeCommand(cancel.commandID)
                    _ = try? await session.reportCommandResult(cancel.commandID, ok: false, message: "already finished")
                    return
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let (status, waited, err) = try brain.brainctl(["task", "cancel", "t-other", "--wait", "--timeout", "20"])
        responder.cancel()
        #expect(status == 1, "a failed command exits 1: \(waited) \(err)")
        #expect(waited.contains("delivered") && waited.contains("failed") && waited.contains("already finished"), "\(waited)")
        await session.close()
        brain.stop()
    }

    @Test func aCommandPastItsDeadlineTimesOutAndALateResultIsKeptMarkedLate() async throws {
        let brain = try BrainProcess(arguments: ["--command-deadline", "300ms"])
        try await brain.start()
        let session = try await TaskTests.agent(brain)
        let inbox = Inbox(session)
        try await Self.failedTask(session, "t-slow")
        let issued = try #require(try brain.brainctlJSON(["task", "retry", "t-slow"]) as? [String: Any])
        #expect(issued["state"] as? String == "delivered")
        let id = try #require(issued["command_id"] as? String)
        #expect(try await eventually { inbox.commands.count == 1 })
        #expect(try await eventually { try Self.command(brain, id)["state"] as? String == "timed_out" })
        try await session.reportCommandResult(id, ok: true, newTaskID: "t-slow-2")
        try await session.flush()
        let late = try Self.command(brain, id)
        #expect(late["state"] as? String == "timed_out")
        #expect(late["late"] as? Bool == true && late["late_ok"] as? Bool == true)
        let (_, text, _) = try brain.brainctl(["command", "show", id])
        #expect(text.contains("timed_out (late result: ok)"))
        await session.close()
        brain.stop()
    }

    @Test func commandsSurviveARestartWithoutRedeliveringFinishedOnes() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        try await brain.start()
        let session = try await TaskTests.agent(brain)
        let inbox = Inbox(session)
        try await Self.failedTask(session, "t-1")
        try await Self.failedTask(session, "t-2")
        let finished = try #require(try brain.brainctlJSON(["task", "retry", "t-1"]) as? [String: Any])["command_id"] as? String
        let finishedID = try #require(finished)
        #expect(try await eventually { inbox.commands.count == 1 })
        try await session.acknowledgeCommand(finishedID)
        try await session.reportCommandResult(finishedID, ok: true, newTaskID: "t-1b")
        try await session.flush()
        await session.close()
        let open = try #require(try brain.brainctlJSON(["task", "cancel", "t-2"]) as? [String: Any])["command_id"] as? String
        let openID = try #require(open)

        // A call's change reaches the journal at the next flush (a tick at most), unlike an
        // agent's event, whose ack waits for it: give it that time before the kill.
        try await Task.sleep(for: .milliseconds(1_500))
        brain.stop(signal: SIGKILL)
        try await brain.start()
        #expect(try Self.command(brain, finishedID)["state"] as? String == "succeeded")
        #expect(try Self.command(brain, openID)["state"] as? String == "pending")
        let again = try await TaskTests.agent(brain)
        let inboxAgain = Inbox(again)
        #expect(try await eventually { inboxAgain.commands.count >= 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(inboxAgain.commands.map(\.commandID) == [openID])
        #expect(try Self.command(brain, openID)["state"] as? String == "delivered")
        await again.close()
        brain.stop()
    }

    @Test func disablingAScheduleTakesEffectWhenTheAgentConfirms() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = try await TaskTests.agent(brain, name: "beat")
        let inbox = Inbox(session)
        try await session.reportSchedule(ScheduleTests.report("nightly", .cron, "0 3 * * *"))
        try await session.flush()
        let (status, text, err) = try brain.brainctl(["schedule", "disable", "nightly"])
        #expect(status == 0, "\(err)")
        #expect(text.contains("disable_schedule schedule celery-beat/nightly") && text.contains("only when the agent confirms"))
        #expect(try await eventually { inbox.commands.count == 1 })
        let command = try #require(inbox.commands.first)
        #expect(command.kind == .disableSchedule && command.scheduler == "celery-beat" && command.scheduleName == "nightly")
        #expect(try brain.brainctlItems(["schedules", "--enabled"]).count == 1, "not before the agent confirms")
        try await session.reportCommandResult(command.commandID, ok: true)
        try await session.flush()
        #expect(try brain.brainctlItems(["schedules", "--disabled"]).count == 1)
        await session.close()
        brain.stop()
    }

    @Test func aWatchStreamsTaskScheduleAndCommandChanges() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = try await TaskTests.agent(brain)
        let connection = try await brain.connect()
        let stream = connection.stream(.watch(WatchQuery(tasks: true, schedules: true, commands: true, runsOff: true)))
        _ = try await connection.call(.getStatus)
        try await Self.failedTask(session, "t-watch")
        try await session.reportSchedule(ScheduleTests.report("hourly", .cron, "0 * * * *"))
        try await session.reportScheduleDeleted(scheduler: "celery-beat", name: "hourly")
        try await session.flush()
        #expect(try brain.brainctl(["task", "retry", "t-watch"]).0 == 0)
        var seen: [String] = []
        for try await response in stream {
            guard case .watchEvent(let event) = response.result else { continue }
            switch event {
            case .task(let task): seen.append("task \(task.taskID) \(task.state.name)")
            case .schedule(let schedule): seen.append("schedule \(schedule.name)\(schedule.removed ? " removed" : "")")
            case .command(let command): seen.append("command \(command.state.name)")
            case .run, .step, .agent: seen.append("other")
            }
            if seen.contains("command delivered") { break }
        }
        #expect(seen == ["task t-watch pending", "task t-watch failed", "schedule hourly", "schedule hourly removed", "command pending", "command delivered"])
        await connection.close()
        await session.close()
        brain.stop()
    }

    @Test func brainctlWatchTasksPrintsTaskChanges() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = try await TaskTests.agent(brain)
        let socket = brain.socketPath
        let watcher = Task.detached {
            try BrainProcess.runTool("brainctl", ["watch", "--tasks", "--no-runs", "--json", "--socket", socket], killAfter: 5)
        }
        // Published until the watcher ends (a slow start under a loaded test run must still
        // see one), so one lands after its watch is registered.
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        for round in 0..<18 {
            try await session.publishTaskEvent(TaskTests.event("t-cli-\(round)", .taskSent, at: now))
            try await Task.sleep(for: .milliseconds(300))
        }
        let (_, out, err) = try await watcher.value
        let lines = out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!lines.isEmpty, "\(out) \(err)")
        #expect(lines.allSatisfy { $0["type"] as? String == "task" && ($0["task_id"] as? String)?.hasPrefix("t-cli-") == true }, "\(out)")
        #expect(lines.first?["state"] as? String == "pending")
        await session.close()
        brain.stop()
    }
}
