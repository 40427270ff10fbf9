import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// brainctl against real daemons: global options anywhere, timeouts, paging, deleted runs,
/// watch, validation; and the Swift client's deadlines and default socket.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrainctlTests {
    /// Starts a brain with an agent `name` that created `runs` runs of `steps` steps each
    /// (completed unless `finish` is false); returns the brain, the session and the run ids, oldest first.
    static func seeded(
        agents: [String] = ["crawler"], runs: Int = 1, steps: UInt32 = 3, finish: Bool = true, runType: String = ""
    ) async throws -> (BrainProcess, [AgentSession], [String]) {
        let brain = try BrainProcess()
        try await brain.start()
        var sessions: [AgentSession] = []
        var ids: [String] = []
        for agent in agents {
            let session = AgentSession(options: .init(socketPath: brain.socketPath, hello: Hello(agentName: agent, token: "t-\(agent)")))
            try await session.start()
            for index in 0..<runs {
                let id = UUID().uuidString.lowercased()
                var created = RunCreated(runID: id, goal: "\(agent) run \(index)")
                created.runType = runType
                created.initialStatus = .running
                try await session.publish(.runCreated(created))
                for seq in 1...max(steps, 1) where steps > 0 {
                    try await session.publish(.step(StepReported(runID: id, seq: seq, stepName: "step-\(seq)", status: .ok)))
                }
                if finish { try await session.publish(.runStatus(RunStatusChanged(runID: id, status: .completed))) }
                try await session.flush()
                ids.append(id)
            }
            sessions.append(session)
        }
        return (brain, sessions, ids)
    }

    static func brainctl(_ arguments: [String], environment: [String: String] = [:], killAfter: Double? = 20) throws -> (Int32, String, String) {
        try BrainProcess.runTool("brainctl", arguments, environment: environment, killAfter: killAfter)
    }

    /// Runs blocking work on a thread of its own, off Swift concurrency's few threads.
    static func inBackground<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    // MARK: Global options, version

    @Test func globalOptionsWorkBeforeTheCommandAndVersionIsTheBrainsVersion() async throws {
        let (brain, sessions, ids) = try await Self.seeded()
        let socket = brain.socketPath
        let id = try #require(ids.first)

        let (status, out, err) = try Self.brainctl(["--socket", socket, "status"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("brain \(BrainVersion.string)"))
        let json = try Self.json(try Self.brainctl(["--json", "--socket=\(socket)", "status"]).1)
        #expect(json["version"] as? String == BrainVersion.string)
        let (showStatus, shown, _) = try Self.brainctl(["--socket", socket, "run", "show", id])
        #expect(showStatus == 0)
        #expect(shown.contains("run \(id)"))
        #expect(try Self.brainctl(["run", "--socket", socket, "--json", "show", id]).1.contains("\"run_id\": \"\(id)\""))
        let (timeoutStatus, runs, _) = try Self.brainctl(["--timeout", "2", "--socket", socket, "runs"])
        #expect(timeoutStatus == 0)
        #expect(runs.contains(id))
        // After the command, as before.
        #expect(try Self.brainctl(["runs", "--timeout", "2", "--socket", socket]).0 == 0)

        // Help and errors behave as without the options.
        let (helpStatus, help, _) = try Self.brainctl(["--socket", socket, "runs", "--help"])
        #expect(helpStatus == 0)
        #expect(help.contains("USAGE: brainctl runs"))
        let (_, rootHelp, _) = try Self.brainctl(["--help"])
        #expect(rootHelp.contains("before or after the command"))
        let (unknown, _, unknownErr) = try Self.brainctl(["--socket", socket, "nonsense"])
        #expect(unknown == 64)
        #expect(unknownErr.contains("nonsense"))
        #expect(try Self.brainctl(["--socket", socket, "--help"]).1.contains("USAGE: brainctl"))

        let (versionStatus, version, _) = try Self.brainctl(["--version"])
        #expect(versionStatus == 0)
        #expect(version.trimmingCharacters(in: .whitespacesAndNewlines) == BrainVersion.string)
        for session in sessions { await session.close() }
        brain.stop()
    }

    // MARK: Timeouts and bad sockets

    @Test func aBrainThatDoesNotAnswerIsDeadlineExceededWithinTheTimeout() async throws {
        // A listener that never accepts: the kernel completes connects into its backlog, and nothing answers.
        let listener = try SilentListener()
        let started = Date()
        let (status, out, err) = try Self.brainctl(["--socket", listener.path, "--timeout", "1", "status"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(status == 1)
        #expect(out.isEmpty)
        #expect(err.contains("DEADLINE_EXCEEDED: no reply from the brain at \(listener.path) within 1 s"))
        #expect(err.contains("--timeout"))
        #expect(elapsed >= 0.9 && elapsed < 4, "took \(elapsed) s")
        let (envStatus, _, envErr) = try Self.brainctl(["runs", "--socket", listener.path], environment: ["BRAIN_TIMEOUT": "0.5"])
        #expect(envStatus == 1)
        #expect(envErr.contains("within 0.5 s"))

        // A stopped brain: the same, for a call and for watch's registration.
        let (brain, sessions, ids) = try await Self.seeded()
        #expect(brain.signal(SIGSTOP))
        defer { brain.signal(SIGCONT) }
        let (stopped, _, stoppedErr) = try Self.brainctl(["--timeout", "1", "runs", "--socket", brain.socketPath])
        #expect(stopped == 1)
        #expect(stoppedErr.contains("DEADLINE_EXCEEDED"))
        for arguments in [["watch"], ["watch", ids[0]]] {
            let (watched, _, watchErr) = try Self.brainctl(arguments + ["--timeout", "1", "--socket", brain.socketPath], killAfter: 10)
            #expect(watched == 1, "\(arguments)")
            #expect(watchErr.contains("DEADLINE_EXCEEDED"))
        }
        brain.signal(SIGCONT)
        #expect(try Self.brainctl(["status", "--socket", brain.socketPath]).0 == 0)
        for session in sessions { await session.close() }
        brain.stop()
    }

    @Test func aSocketPathThatIsNoSocketSaysSo() throws {
        let listener = try SilentListener()
        let directory = (listener.path as NSString).deletingLastPathComponent
        let file = directory + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let (dirStatus, _, dirErr) = try Self.brainctl(["status", "--socket", directory])
        #expect(dirStatus == 1)
        #expect(dirErr.contains("is a directory, not a socket"))
        let (fileStatus, _, fileErr) = try Self.brainctl(["status", "--socket", file])
        #expect(fileStatus == 1)
        #expect(fileErr.contains("is a regular file, not a socket"))
        #expect(try Self.brainctl(["status", "--socket", directory + "/none"]).2.contains("no such socket"))
    }

    @Test func aTimedOutOrCancelledCallIsForgotten() async throws {
        let listener = try SilentListener()
        let connection = try await BrainConnection.connect(socketPath: listener.path, callTimeout: .milliseconds(200))
        let started = ContinuousClock.now
        await #expect(throws: BrainError.self) { try await connection.call(.getStatus) }
        do {
            _ = try await connection.call(.getStatus, timeout: .milliseconds(100))
            Issue.record("a silent peer answered")
        } catch {
            #expect(error.code == .deadlineExceeded)
            #expect(error.message.contains(listener.path))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await connection.waitingCalls() == 0)

        let waiting = Task { try await connection.call(.getStatus, timeout: nil) }
        #expect(try await eventually(2) { await connection.waitingCalls() == 1 })
        waiting.cancel()
        await #expect(throws: BrainError(.cancelled, "the call was cancelled before the brain answered")) { try await waiting.value }
        #expect(try await eventually(2) { await connection.waitingCalls() == 0 })
        await connection.close()
    }

    @Test func theSwiftClientDefaultsToTheDefaultSocket() async throws {
        #expect(AgentSession.Options(hello: Hello(agentName: "a")).socketPath == DefaultPaths.socket)
        do {
            let connection = try await BrainConnection.connect(connectTimeout: .seconds(2), callTimeout: .seconds(2))
            #expect(connection.socketPath == DefaultPaths.socket)
            await connection.close()
        } catch {
            #expect(error.message.contains(DefaultPaths.socket))
        }
        // brainctl's default is the same: BRAIN_SOCKET without --socket.
        let brain = try BrainProcess()
        try await brain.start()
        let (status, out, _) = try Self.brainctl(["status"], environment: ["BRAIN_SOCKET": brain.socketPath])
        #expect(status == 0)
        #expect(out.contains(brain.socketPath))
        brain.stop()
    }

    // MARK: Paging

    @Test func theMoreLineRepeatsTheWholeCommandAndJSONPagesAreOneObject() async throws {
        let (brain, sessions, _) = try await Self.seeded(agents: ["crawler", "other"], runs: 3, steps: 1, runType: "it's a crawl")
        let socket = brain.socketPath
        let first = ["runs", "--agent", "other", "--run-type", "it's a crawl", "--status", "completed", "--status", "failed", "--limit", "1"]
        var (status, out, err) = try Self.brainctl(first + ["--socket", socket])
        #expect(status == 0, "\(err)")
        var seen: [String] = []
        var pages = 0
        while true {
            pages += 1
            let lines = out.split(separator: "\n").map(String.init)
            seen += lines.dropFirst().filter { !$0.hasPrefix("more: ") }.compactMap { $0.split(separator: " ").first.map(String.init) }
            guard let more = lines.last(where: { $0.hasPrefix("more: ") }) else { break }
            for option in ["--agent other", "--run-type 'it'\\''s a crawl'", "--status completed --status failed", "--limit 1", "--socket \(socket)"] {
                #expect(more.contains(option), "\(more) lacks \(option)")
            }
            // Run literally, by a shell.
            let command = "PATH=\(BrainProcess.binDirectory):$PATH; " + String(more.dropFirst("more: ".count))
            (status, out, err) = try Self.shell(command)
            #expect(status == 0, "\(command): \(err)")
            if pages > 5 { break }
        }
        // 3 runs, one a page, and no cursor to an empty fourth page.
        #expect(pages == 3)
        let otherRuns = try brain.brainctlItems(["runs", "--agent", "other"]).compactMap { $0["run_id"] as? String }
        #expect(Set(seen) == Set(otherRuns), "paging left the filters")

        // JSON: one object per page, the cursor in it, nothing on stderr.
        let (jsonStatus, jsonOut, jsonErr) = try Self.brainctl(["runs", "--json", "--limit", "2", "--socket", socket])
        #expect(jsonStatus == 0)
        #expect(jsonErr.isEmpty)
        let page = try Self.json(jsonOut)
        #expect((page["items"] as? [Any])?.count == 2)
        let cursor = try #require(page["next_cursor"] as? String)
        let last = try Self.json(try Self.brainctl(["runs", "--json", "--limit", "10", "--cursor", cursor, "--socket", socket]).1)
        #expect((last["items"] as? [Any])?.count == 4)
        #expect(last["next_cursor"] is NSNull)
        let agents = try Self.json(try Self.brainctl(["agents", "--json", "--socket", socket]).1)
        #expect((agents["items"] as? [Any])?.count == 2)
        #expect(agents["next_cursor"] is NSNull)

        // errors: three rows of two phases; the phase filter survives paging.
        let session = try #require(sessions.first)
        try await session.publish([
            .step(StepReported(runID: "nope-1", seq: 1, stepName: "s")), .step(StepReported(runID: "nope-2", seq: 1, stepName: "s")),
            .runStatus(RunStatusChanged(runID: "nope-3", status: .running)),
        ])
        try await session.flush()
        #expect(try await eventually { try brain.brainctlItems(["errors"]).count == 3 })
        let (_, errorsOut, _) = try brain.brainctl(["errors", "--phase", "persist_step", "--limit", "1"])
        let more = try #require(errorsOut.split(separator: "\n").last.map(String.init))
        #expect(more.hasPrefix("more: brainctl errors --socket \(socket) --phase persist_step --limit 1 --cursor "))
        let (_, next, _) = try Self.shell("PATH=\(BrainProcess.binDirectory):$PATH; " + more.dropFirst("more: ".count))
        #expect(next.contains("persist_step"))
        #expect(!next.contains("upsert_run"))
        #expect(!next.contains("more:"))
        let errorsPage = try Self.json(try brain.brainctl(["errors", "--json"]).1)
        #expect((errorsPage["items"] as? [Any])?.count == 3)
        #expect(errorsPage["next_cursor"] is NSNull)
        for session in sessions { await session.close() }
        brain.stop()
    }

    static func shell(_ command: String) throws -> (Int32, String, String) {
        try BrainProcess.runProgram("/bin/sh", ["-c", command])
    }

    // MARK: Deleted runs, step ranges

    @Test func deletedRunsAreMarkedAndCanBeShown() async throws {
        let (brain, sessions, ids) = try await Self.seeded(runs: 2)
        let deleted = ids[0]
        #expect(try brain.brainctl(["run", "delete", deleted]).0 == 0)
        let (_, table, _) = try brain.brainctl(["runs", "--include-deleted"])
        let row = try #require(table.split(separator: "\n").first { $0.hasPrefix(deleted) })
        #expect(row.contains("completed (deleted)"))
        let live = try #require(table.split(separator: "\n").first { $0.hasPrefix(ids[1]) })
        #expect(!live.contains("deleted"))
        let items = try brain.brainctlItems(["runs", "--include-deleted"])
        #expect(items.first { $0["run_id"] as? String == deleted }?["deleted_at"] is String)
        #expect(items.first { $0["run_id"] as? String == ids[1] }?["deleted_at"] is NSNull)

        let (hidden, _, hiddenErr) = try brain.brainctl(["run", "show", deleted])
        #expect(hidden == 1)
        #expect(hiddenErr.contains("NOT_FOUND"))
        let (shownStatus, shown, _) = try brain.brainctl(["run", "show", deleted, "--include-deleted"])
        #expect(shownStatus == 0)
        #expect(shown.contains("completed (deleted)"))
        #expect(shown.contains("deleted:  20"))
        let shownJSON = try #require(try brain.brainctlJSON(["run", "show", deleted, "--include-deleted"]) as? [String: Any])
        #expect(shownJSON["deleted_at"] is String)

        // A second delete says the run was already deleted, and when.
        let (again, _, againErr) = try brain.brainctl(["run", "delete", deleted])
        #expect(again == 1)
        #expect(againErr.contains("FAILED_PRECONDITION"))
        #expect(againErr.contains("already deleted at 20"))
        for session in sessions { await session.close() }
        brain.stop()
    }

    @Test func aStepRangeWithNoStepsSaysSoAndABackwardsRangeIsRefused() async throws {
        let (brain, sessions, ids) = try await Self.seeded(steps: 3)
        let (status, out, _) = try brain.brainctl(["run", "show", ids[0], "--from-seq", "5"])
        #expect(status == 0)
        #expect(out.contains("no steps from seq 5 on (the run has 3 steps)"))
        #expect(!out.contains("SEQ"))
        let (_, inRange, _) = try brain.brainctl(["run", "show", ids[0], "--from-seq", "2", "--to-seq", "3"])
        #expect(inRange.contains("step-2"))
        #expect(!inRange.contains("no steps"))
        let (backwards, backwardsOut, backwardsErr) = try brain.brainctl(["run", "show", ids[0], "--from-seq", "3", "--to-seq", "1"])
        #expect(backwards == 64)
        #expect(backwardsOut.isEmpty)
        #expect(backwardsErr.contains("--from-seq 3 is after --to-seq 1"))
        #expect(backwardsErr.contains("Usage: brainctl run show"))
        for session in sessions { await session.close() }
        brain.stop()
    }

    // MARK: watch

    @Test func watchOfARunExitsWhenTheRunFinishesAndJSONIsOneTypedObjectPerLine() async throws {
        let (brain, sessions, ids) = try await Self.seeded(runs: 2, steps: 0, finish: false)
        let session = try #require(sessions.first)
        let socket = brain.socketPath

        // Finishes while watched: every step, then the final state, then exit 0.
        let open = ids[0]
        let watching = Task { try await Self.inBackground { try Self.brainctl(["watch", open, "--json", "--socket", socket], killAfter: 20) } }
        // Connected: the agent's session, the watcher and the stats call itself.
        #expect(try await eventually(10) { (try brain.brainctlJSON(["stats"]) as? [String: Any])?["connections"] as? Int == 3 })
        try await Task.sleep(for: .milliseconds(300))
        try await session.publish([
            .step(StepReported(runID: open, seq: 1, stepName: "fetch")), .step(StepReported(runID: open, seq: 2, stepName: "parse")),
            .runStatus(RunStatusChanged(runID: open, status: .failed)),
        ])
        try await session.flush()
        let (status, out, err) = try await watching.value
        #expect(status == 0, "\(err)")
        let lines = out.split(separator: "\n").map(String.init)
        let events = try lines.map { try Self.json($0) }
        #expect(events.compactMap { $0["type"] as? String } == ["run", "step", "step", "run"])
        #expect(events.first?["run_id"] as? String == open)
        #expect(events[1]["run_id"] as? String == open)
        #expect(events[1]["step_name"] as? String == "fetch")
        #expect(events.last?["status"] as? String == "failed")

        // Already finished: the final state, then exit 0 at once.
        try await session.publish(.runStatus(RunStatusChanged(runID: ids[1], status: .completed)))
        try await session.flush()
        let started = Date()
        let (doneStatus, doneOut, _) = try Self.brainctl(["watch", ids[1], "--socket", socket], killAfter: 10)
        #expect(doneStatus == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(doneOut.contains("run  \(ids[1])  completed"))

        // --follow keeps watching.
        let (followed, followOut, _) = try Self.brainctl(["watch", ids[1], "--follow", "--socket", socket], killAfter: 1.5)
        #expect(followed == SIGTERM)
        #expect(followOut.contains("completed"))
        for session in sessions { await session.close() }
        brain.stop()
    }

    // MARK: status and stats text, validation

    @Test func statusAndStatsShowWhatTheHelpPromises() async throws {
        let (brain, sessions, _) = try await Self.seeded(runs: 2)
        let (_, stats, _) = try brain.brainctl(["stats"])
        #expect(stats.contains("runs:"))
        #expect(stats.contains("completed 2"))
        let (_, status, _) = try brain.brainctl(["status"])
        for line in ["journal:", "fsync:      batch", "snapshot:   none yet", "fault:      none", "completed 2"] {
            #expect(status.contains(line), "status lacks \(line)")
        }
        for session in sessions { await session.close() }
        brain.stop()
    }

    @Test func badNumbersAndNamesAreUsageErrorsOfTheirOwnCommand() throws {
        let cases: [([String], String, String)] = [
            (["runs", "--limit", "-1"], "--limit must be a non-negative integer", "Usage: brainctl runs"),
            (["errors", "--limit", "-5"], "--limit must be a non-negative integer", "Usage: brainctl errors"),
            (["run", "show", "x", "--from-seq", "-1"], "--from-seq must be a non-negative integer", "Usage: brainctl run show"),
            (["run", "show", "x", "--to-seq", "-2"], "--to-seq must be a non-negative integer", "Usage: brainctl run show"),
            (["status", "--timeout", "-1"], "--timeout must be a positive number of seconds", "Usage: brainctl status"),
            (["--timeout", "0", "agents"], "--timeout must be a positive number of seconds", "Usage: brainctl agents"),
            (["runs", "--status", "bogus"], "--status bogus is not one of queued, running", "Usage: brainctl runs"),
            (
                ["errors", "--phase", "bogus"], "upsert_run, create_step, persist_step, increment_step, update_run_terminal, handler, snapshot",
                "Usage: brainctl errors"
            ),
        ]
        for (arguments, message, usage) in cases {
            let (status, _, err) = try Self.brainctl(arguments + ["--socket", "/nonexistent/b.sock"])
            #expect(status == 64, "\(arguments)")
            #expect(err.contains(message), "\(arguments): \(err)")
            #expect(err.contains(usage), "\(arguments): \(err)")
            #expect(!err.contains("Missing value"), "\(arguments)")
            #expect(!err.contains("<subcommand>"), "\(arguments)")
        }
    }
}

/// A Unix socket that is listened on and never answered: the kernel completes connects into
/// its backlog, so a client's connect succeeds and its calls wait forever.
final class SilentListener {
    let path: String
    private let directory: String
    private let descriptor: Int32

    init() throws {
        var template = Array("/tmp/brainctl-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BrainError(.internal, "mkdtemp failed") }
        directory = String(cString: made)
        path = directory + "/silent.sock"
        descriptor = try UnixSocket.listen(at: path)
    }

    deinit {
        close(descriptor)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
