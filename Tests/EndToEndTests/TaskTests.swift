import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Tasks against a real brain: task events from a Swift agent, `brainctl tasks`, `task show`
/// and `task stats` (tables and --json), redaction before anything reaches disk, tasks across
/// restarts (journal replay and snapshot), and the lost decision.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TaskTests {
    /// A value that must never reach the data directory.
    static let secret = "hunter2-\(UUID().uuidString)"

    static func event(_ id: String, _ kind: WireTaskEventKind, at ts: Int64, name: String = "app.tasks.charge") -> TaskEventReported {
        var event = TaskEventReported(taskID: id, engine: "celery", kind: kind, ts: ts)
        event.name = name
        event.queue = "billing"
        event.attempt = 1
        return event
    }

    /// t-ok: sent, started, succeeded (kwargs with a password); t-fail: sent, started, failed;
    /// t-wait: sent; t-run: started. Times are the agent's, a second apart.
    static func publishLifecycles(_ session: AgentSession) async throws {
        let base = Int64(Date().timeIntervalSince1970 * 1e9) - 60_000_000_000
        var sent = event("t-ok", .taskSent, at: base)
        sent.argsJSON = "[42, \"eur\"]"
        sent.kwargsJSON = "{\"password\": \"\(secret)\", \"customer\": \"zoë\"}"
        var failed = event("t-fail", .failed, at: base + 3_000_000_000)
        failed.excType = "psycopg2.OperationalError"
        failed.excMessage = "could not connect: postgres://app:\(secret)@db/prod"
        failed.traceback = "Traceback (most recent call last):\n  File \"tasks.py\", line 3\nOperationalError"
        try await session.publishTaskEvents([
            sent, event("t-ok", .started, at: base + 1_000_000_000), event("t-ok", .succeeded, at: base + 2_500_000_000),
            event("t-fail", .taskSent, at: base), event("t-fail", .started, at: base + 1_000_000_000), failed,
            event("t-wait", .taskSent, at: base, name: "app.tasks.mail"), event("t-run", .started, at: base, name: "app.tasks.mail"),
        ])
        try await session.flush()
    }

    static func agent(_ brain: BrainProcess, name: String = "worker", project: String = "") async throws -> AgentSession {
        let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: name, project: project, token: "t-\(name)")))
        try await session.start()
        return session
    }

    /// Every file of the data directory, read whole (journal segments and snapshots).
    static func dataFiles(_ brain: BrainProcess) throws -> [(String, Data)] {
        try FileManager.default.contentsOfDirectory(atPath: brain.dataDirectory).sorted().compactMap { name in
            FileManager.default.contents(atPath: "\(brain.dataDirectory)/\(name)").map { (name, $0) }
        }
    }

    static func ids(_ items: [[String: Any]]) -> [String] { items.compactMap { $0["task_id"] as? String }.sorted() }

    @Test func tasksTaskShowAndStatsShowWhatTheAgentReportedAndNoSecretReachesDisk() async throws {
        let brain = try BrainProcess(arguments: ["--task-stuck-after", "1ms"])
        try await brain.start()
        let session = try await Self.agent(brain)
        try await Self.publishLifecycles(session)
        #expect(await session.rejections.isEmpty)

        // The list: newest first, every filter, the stuck marker.
        let (status, table, err) = try brain.brainctl(["tasks"])
        #expect(status == 0, "\(err)")
        #expect(table.hasPrefix("TASK ID"))
        #expect(table.contains("t-run") && table.contains("started (stuck)"))
        #expect(Self.ids(try brain.brainctlItems(["tasks"])) == ["t-fail", "t-ok", "t-run", "t-wait"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--state", "failed,succeeded"])) == ["t-fail", "t-ok"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--state", "pending", "--state", "started"])) == ["t-run", "t-wait"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--name", "app.tasks.mail"])) == ["t-run", "t-wait"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--search", "EUR"])) == ["t-ok"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--stuck"])) == ["t-run"])
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--agent", "worker", "--queue", "billing", "--since", "1h"])).count == 4)
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--until", "2000-01-01T00:00:00Z"])) == [])
        let page = try #require(try brain.brainctlJSON(["tasks", "--limit", "3"]) as? [String: Any])
        #expect((page["items"] as? [Any])?.count == 3)
        let cursor = try #require(page["next_cursor"] as? String)
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--limit", "3", "--cursor", cursor])).count == 1)
        let (_, paged, _) = try brain.brainctl(["tasks", "--limit", "3"])
        #expect(paged.contains("more: brainctl tasks --socket \(brain.socketPath) --limit 3 --cursor \(cursor)"))
        let (badState, _, badErr) = try brain.brainctl(["tasks", "--state", "done"])
        #expect(badState == 64)
        #expect(badErr.contains("--state done is not one of pending, started, succeeded, failed, cancelled, retried, lost"))

        // One task: redacted kwargs, events with both clocks and the skew.
        let shown = try #require(try brain.brainctlJSON(["task", "show", "t-ok"]) as? [String: Any])
        #expect(shown["state"] as? String == "succeeded")
        let kwargs = try #require(shown["kwargs"] as? [String: Any])
        #expect(kwargs["password"] as? String == "[REDACTED]")
        #expect(kwargs["customer"] as? String == "zoë")
        let events = try #require(shown["events"] as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["task_sent", "started", "succeeded"])
        for event in events {
            let skew = try #require(event["skew_ns"] as? Int)
            #expect(skew >= 59_000_000_000 - 3_000_000_000, "the agent's clock is a minute behind: \(skew)")
            #expect(event["ts"] is String && event["created_at"] is String)
        }
        let (_, text, _) = try brain.brainctl(["task", "show", "t-fail"])
        #expect(text.contains("task t-fail  failed"))
        #expect(text.contains("psycopg2.OperationalError"))
        #expect(text.contains("[REDACTED:password]"))
        #expect(text.contains("AGENT TS") && text.contains("SKEW") && text.contains("+1m"))
        let (missing, _, missingErr) = try brain.brainctl(["task", "show", "nope"])
        #expect(missing == 1)
        #expect(missingErr.contains("NOT_FOUND: task nope does not exist"))

        // Statistics per name.
        let stats = try brain.brainctlItems(["task", "stats"])
        let charge = try #require(stats.first { $0["name"] as? String == "app.tasks.charge" })
        #expect(charge["total"] as? Int == 2)
        #expect(charge["failure_rate"] as? Double == 0.5)
        #expect(charge["runtime_p50_ns"] as? Int == 1_500_000_000)
        #expect(charge["runtime_p99_ns"] as? Int == 2_000_000_000)
        let (_, statsTable, _) = try brain.brainctl(["task", "stats"])
        #expect(statsTable.contains("app.tasks.charge") && statsTable.contains("50%") && statsTable.contains("1.5s"))

        // Nothing the agent sent in clear is on disk: not in the journal, not in a snapshot.
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        for (name, data) in try Self.dataFiles(brain) {
            #expect(data.range(of: Data(Self.secret.utf8)) == nil, "\(name) holds the secret")
        }
        await session.close()
        brain.stop()
    }

    @Test func tasksSurviveARestartFromTheJournalAndFromASnapshot() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        try await brain.start()
        let session = try await Self.agent(brain)
        try await Self.publishLifecycles(session)
        await session.close()
        let before = try brain.brainctlJSON(["task", "show", "t-fail"]) as? [String: Any]
        // Every task whole: events without a secret are journalled as the frames they came in,
        // the others as redacted commands; replay must rebuild both the same.
        let ids = ["t-fail", "t-ok", "t-run", "t-wait"]
        let shown = try ids.map { try brain.brainctlJSON(["task", "show", $0]) as? NSDictionary }

        // SIGKILL: no final snapshot, the tasks come back from the journal alone.
        brain.stop(signal: SIGKILL)
        #expect(try Self.dataFiles(brain).allSatisfy { !$0.0.hasPrefix("snapshot") })
        try await brain.start()
        #expect(Self.ids(try brain.brainctlItems(["tasks"])) == ["t-fail", "t-ok", "t-run", "t-wait"])
        let replayed = try brain.brainctlJSON(["task", "show", "t-fail"]) as? [String: Any]
        #expect(replayed?["state"] as? String == "failed")
        #expect((replayed?["events"] as? [Any])?.count == 3)
        #expect((replayed?["error"] as? [String: Any])?["exc_type"] as? String == "psycopg2.OperationalError")
        #expect(replayed?["updated_at"] as? String == before?["updated_at"] as? String)
        #expect(try ids.map { try brain.brainctlJSON(["task", "show", $0]) as? NSDictionary } == shown)

        // SIGTERM writes a snapshot; the next start loads it.
        #expect(brain.stop() == 0)
        #expect(try Self.dataFiles(brain).contains { $0.0.hasPrefix("snapshot") })
        try await brain.start()
        #expect(Self.ids(try brain.brainctlItems(["tasks"])) == ["t-fail", "t-ok", "t-run", "t-wait"])
        let restored = try brain.brainctlJSON(["task", "show", "t-ok"]) as? [String: Any]
        #expect((restored?["kwargs"] as? [String: Any])?["password"] as? String == "[REDACTED]")
        #expect((restored?["events"] as? [Any])?.count == 3)

        // The agent's seq survived too: a resent event changes nothing.
        let again = try await Self.agent(brain)
        #expect(await again.welcome?.lastSeq == 8)
        await again.close()
        brain.stop()
    }

    @Test func aStartedTaskIsLostWhenItsAgentStaysOfflinePastTheGrace() async throws {
        // A grace of 2 s, not less: on a loaded machine (CI) the agent's heartbeats or the
        // brainctl run below can be late by most of a second, and a shorter grace let the
        // task go lost before the test had seen it started.
        let brain = try BrainProcess(arguments: ["--heartbeat-interval", "100ms", "--heartbeat-timeout", "300ms", "--task-lost-grace", "2s"])
        try await brain.start()
        let session = try await Self.agent(brain, name: "doomed")
        try await session.publishTaskEvents([Self.event("t-1", .taskSent, at: 1), Self.event("t-1", .started, at: 2)])
        try await session.flush()
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--state", "started"])) == ["t-1"])
        await session.close()

        let lost = try await eventually(10) { Self.ids(try brain.brainctlItems(["tasks", "--state", "lost"])) == ["t-1"] }
        #expect(lost, "the task never became lost: \(brain.readOutput().suffix(2_000))")
        let task = try #require(try brain.brainctlJSON(["task", "show", "t-1"]) as? [String: Any])
        let reason = try #require(task["state_reason"] as? String)
        #expect(reason.contains("agent doomed") && reason.contains("grace period"))
        #expect(task["finished_at"] is NSNull, "the brain's clock is not written into the agent's times")
        let stats = try brain.brainctlItems(["task", "stats"])
        #expect((stats.first?["counts"] as? [String: Any])?["lost"] as? Int == 1)

        // A real terminal event from the agent still overrides lost.
        let back = try await Self.agent(brain, name: "doomed")
        try await back.publishTaskEvent(Self.event("t-1", .succeeded, at: 3))
        try await back.flush()
        #expect((try brain.brainctlJSON(["task", "show", "t-1"]) as? [String: Any])?["state"] as? String == "succeeded")
        await back.close()
        brain.stop()
    }

    @Test func projectsAreListedCreatedShownAndUpdatedAndTheirRedactionApplies() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let (created, createdOut, createdErr) = try brain.brainctl([
            "project", "create", "shop", "--time-zone", "Europe/Riga", "--retention-runs", "7d", "--redact-key", "*_pin", "--allow-key", "token_count",
        ])
        #expect(created == 0, "\(createdErr)")
        #expect(createdOut.contains("project shop created") && createdOut.contains("runs 7d, tasks 30d"))
        let (dup, _, dupErr) = try brain.brainctl(["project", "create", "shop"])
        #expect(dup == 1)
        #expect(dupErr.contains("ALREADY_EXISTS: project \"shop\" already exists"))
        let (badZone, _, zoneErr) = try brain.brainctl(["project", "create", "other", "--time-zone", "Mars/Olympus"])
        #expect(badZone == 1)
        #expect(zoneErr.contains("INVALID_ARGUMENT") && zoneErr.contains("Mars/Olympus"))
        let (steps, stepsOut, stepsErr) = try brain.brainctl(["project", "create", "other", "--redact-steps"])
        #expect(steps == 0, "\(stepsErr)")
        #expect(stepsOut.contains("redact steps: yes"), "\(stepsOut)")
        #expect((try brain.brainctlJSON(["project", "show", "other"]) as? [String: Any])?["redact_steps"] as? Bool == true)
        let (stepsOff, _, stepsOffErr) = try brain.brainctl(["project", "update", "other", "--no-redact-steps"])
        #expect(stepsOff == 0, "\(stepsOffErr)")
        #expect((try brain.brainctlJSON(["project", "show", "other"]) as? [String: Any])?["redact_steps"] as? Bool == false)
        let (badDuration, _, durationErr) = try brain.brainctl(["project", "create", "x", "--retention-tasks", "soon"])
        #expect(badDuration == 64)
        #expect(durationErr.contains("--retention-tasks soon is not a duration"))

        #expect(try brain.brainctlItems(["projects"]).compactMap { $0["name"] as? String } == ["default", "other", "shop"])
        let (_, list, _) = try brain.brainctl(["projects"])
        #expect(list.contains("Europe/Riga") && list.contains("7d/30d/30d/30d"))
        let (updated, _, updateErr) = try brain.brainctl(["project", "update", "shop", "--retention-tasks", "1d", "--redact-key", "cvv"])
        #expect(updated == 0, "\(updateErr)")
        let shop = try #require(try brain.brainctlJSON(["project", "show", "shop"]) as? [String: Any])
        #expect(shop["time_zone"] as? String == "Europe/Riga", "an update keeps what it was not told to change")
        #expect((shop["retention"] as? [String: Any])?["tasks_ns"] as? Int == 86_400_000_000_000)
        #expect((shop["retention"] as? [String: Any])?["runs_ns"] as? Int == 7 * 86_400_000_000_000)
        #expect(shop["extra_key_patterns"] as? [String] == ["*_pin", "cvv"])
        #expect(shop["allowed_keys"] as? [String] == ["token_count"])
        let (missing, _, missingErr) = try brain.brainctl(["project", "show", "nope"])
        #expect(missing == 1)
        #expect(missingErr.contains("NOT_FOUND: project \"nope\" does not exist"))

        // The project's overrides redact its agents' task events.
        let session = try await Self.agent(brain, name: "till", project: "shop")
        var sent = Self.event("t-shop", .taskSent, at: 1)
        sent.kwargsJSON = "{\"card_pin\": \"1234\", \"token_count\": 7, \"cvv\": \"999\"}"
        try await session.publishTaskEvent(sent)
        try await session.flush()
        let task = try #require(try brain.brainctlJSON(["task", "show", "t-shop"]) as? [String: Any])
        #expect(task["project"] as? String == "shop")
        let kwargs = try #require(task["kwargs"] as? [String: Any])
        #expect(kwargs["card_pin"] as? String == "[REDACTED]")
        #expect(kwargs["cvv"] as? String == "[REDACTED]")
        #expect(kwargs["token_count"] as? Int == 7)
        #expect(Self.ids(try brain.brainctlItems(["tasks", "--project", "default"])) == [])

        // A change of the overrides applies to the next event of an agent already connected
        // (each connection keeps its project's redactor until the settings change).
        #expect(try brain.brainctl(["project", "update", "shop", "--redact-key", "holder"]).0 == 0)
        var next = Self.event("t-shop-2", .taskSent, at: 2)
        next.kwargsJSON = "{\"holder\": \"Ada\", \"cvv\": \"999\"}"
        try await session.publishTaskEvent(next)
        try await session.flush()
        let second = try #require(try brain.brainctlJSON(["task", "show", "t-shop-2"]) as? [String: Any])
        #expect((second["kwargs"] as? [String: Any])?["holder"] as? String == "[REDACTED]")
        #expect((second["kwargs"] as? [String: Any])?["cvv"] as? String == "[REDACTED]", "the update added to the extra keys")
        await session.close()
        brain.stop()
    }

    @Test func aTaskEventWithoutAKindIsRefusedAndItsPayloadNeverReachesDisk() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        let session = try await Self.agent(brain)
        var event = TaskEventReported(taskID: "t", kind: .unspecified)
        event.kwargsJSON = "{\"api_key\": \"\(Self.secret)\"}"
        let seq = try await session.publish(.taskEvent(event))
        try await session.flush()
        let rejections = await session.rejections
        #expect(rejections.map(\.seq) == [seq])
        #expect(rejections.first?.error.code == .invalidArgument)
        #expect(try brain.brainctlItems(["errors"]).count == 1)
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        for (name, data) in try Self.dataFiles(brain) {
            #expect(data.range(of: Data(Self.secret.utf8)) == nil, "\(name) holds a refused event's secret")
        }
        await session.close()
        brain.stop()
    }
}
