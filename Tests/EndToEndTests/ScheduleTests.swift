import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Schedules against a real brain: listings from a Swift agent, `brainctl schedules` (filters,
/// `--due`), `schedule show` with next runs in the project's zone, complete and partial
/// listings, deletes and firings, and redaction before anything reaches disk.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ScheduleTests {
    /// A value that must never reach the data directory.
    static let secret = "s3cr3t-\(UUID().uuidString)"

    static func report(_ name: String, _ type: WireScheduleType, _ expression: String, enabled: Bool = true) -> ScheduleReport {
        var report = ScheduleReport(scheduler: "celery-beat", name: name)
        report.task = "app.tasks.\(name)"
        report.type = type
        report.expression = expression
        report.enabled = enabled
        return report
    }

    static func names(_ items: [[String: Any]]) -> [String] { items.compactMap { $0["name"] as? String }.sorted() }

    static func dataFiles(_ brain: BrainProcess) throws -> [(String, Data)] {
        try FileManager.default.contentsOfDirectory(atPath: brain.dataDirectory).sorted().compactMap { name in
            FileManager.default.contents(atPath: "\(brain.dataDirectory)/\(name)").map { (name, $0) }
        }
    }

    @Test func schedulesAreListedWithNextRunsInTheProjectsZoneAndNoSecretReachesDisk() async throws {
        let brain = try BrainProcess()
        try await brain.start()
        #expect(try brain.brainctl(["project", "create", "ops", "--time-zone", "Europe/Riga"]).0 == 0)
        let session = try await TaskTests.agent(brain, name: "beat", project: "ops")
        var nightly = Self.report("nightly", .cron, "0 3 1 1 *")
        nightly.kwargsJSON = "{\"api_key\": \"\(Self.secret)\", \"region\": \"eu\"}"
        nightly.dialect = .celery
        let listing = ScheduleListing(
            scheduler: "celery-beat",
            schedules: [
                Self.report("minutely", .cron, "* * * * *"), nightly, Self.report("every-30s", .interval, "30"),
                Self.report("broken", .cron, "61 * * * *"), Self.report("paused", .cron, "*/5 * * * *", enabled: false),
            ], complete: true)
        try await session.reportScheduleListing(listing)
        try await session.flush()
        #expect(await session.rejections.isEmpty)

        // Soonest next run first; those with none (broken, paused) last.
        let all = try brain.brainctlItems(["schedules"])
        #expect(Self.names(all) == ["broken", "every-30s", "minutely", "nightly", "paused"])
        let nexts = all.map { $0["next_run_at"] as? String }
        #expect(nexts.prefix(3).allSatisfy { $0 != nil } && nexts.suffix(2).allSatisfy { $0 == nil }, "\(nexts)")
        #expect(Array(nexts.prefix(3)).compactMap { $0 } == Array(nexts.prefix(3)).compactMap { $0 }.sorted())
        let broken = try #require(all.first { $0["name"] as? String == "broken" })
        #expect((broken["problem"] as? String)?.isEmpty == false)
        #expect(Self.names(try brain.brainctlItems(["schedules", "--due", "2m"])) == ["every-30s", "minutely"])
        #expect(Self.names(try brain.brainctlItems(["schedules", "--disabled"])) == ["paused"])
        #expect(Self.names(try brain.brainctlItems(["schedules", "--enabled", "--agent", "beat", "--project", "ops"])).count == 4)
        #expect(try brain.brainctlItems(["schedules", "--project", "other"]).isEmpty)
        let page = try #require(try brain.brainctlJSON(["schedules", "--limit", "2"]) as? [String: Any])
        let cursor = try #require(page["next_cursor"] as? String)
        #expect(try brain.brainctlItems(["schedules", "--limit", "2", "--cursor", cursor]).count == 2)
        let (status, table, err) = try brain.brainctl(["schedules"])
        #expect(status == 0, "\(err)")
        #expect(table.hasPrefix("PROJECT") && table.contains("NEXT RUN") && table.contains("celery-beat"))
        #expect(try brain.brainctl(["schedules", "--enabled", "--disabled"]).0 == 64)

        // One schedule: its next runs, local time with the offset and UTC; kwargs redacted.
        let shown = try #require(try brain.brainctlJSON(["schedule", "show", "nightly"]) as? [String: Any])
        #expect((shown["next_runs"] as? [Any])?.count == 5)
        #expect(shown["time_zone"] as? String == "Europe/Riga")
        #expect(shown["dialect"] as? String == "celery")
        let kwargs = try #require(shown["kwargs"] as? [String: Any])
        #expect(kwargs["api_key"] as? String == "[REDACTED]")
        #expect(kwargs["region"] as? String == "eu")
        let (_, text, _) = try brain.brainctl(["schedule", "show", "celery-beat/nightly", "--project", "ops", "--next", "3"])
        #expect(text.contains("schedule celery-beat/nightly  enabled"))
        // 03:00 in Riga on 1 January is 01:00 UTC (EET, +02:00).
        #expect(text.components(separatedBy: "T03:00:00+02:00 (").count == 4, "\(text)")
        #expect(text.contains("T01:00:00.000Z)"))
        let (missing, _, missingErr) = try brain.brainctl(["schedule", "show", "nope"])
        #expect(missing == 1 && missingErr.contains("NOT_FOUND"))

        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        for (name, data) in try Self.dataFiles(brain) {
            #expect(data.range(of: Data(Self.secret.utf8)) == nil, "\(name) holds the secret")
        }
        await session.close()
        brain.stop()
    }

    @Test func aZoneChangePredictsTheProjectsSchedulesAgainAndARestartKeepsIt() async throws {
        // One schedule per batch: the recompute of the two below takes two batches.
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0", "--schedule-recompute-batch", "1"])
        try await brain.start()
        #expect(try brain.brainctl(["project", "create", "ops"]).0 == 0)
        let session = try await TaskTests.agent(brain, name: "beat", project: "ops")
        var nightly = Self.report("nightly", .cron, "0 3 1 1 *")
        nightly.dialect = .celery
        let yearly = Self.report("yearly", .cron, "0 4 1 1 *")
        try await session.reportScheduleListing(ScheduleListing(scheduler: "celery-beat", schedules: [nightly, yearly], complete: true))
        try await session.flush()
        func nextRun() throws -> String? { try brain.brainctlItems(["schedules"]).first?["next_run_at"] as? String }
        // In UTC first: 03:00 on 1 January.
        let utc = try nextRun()
        #expect(utc?.hasSuffix("-01-01T03:00:00.000Z") == true, "\(String(describing: utc))")

        // The project moves to Riga: the batches on the event loop predict it again, 03:00 EET.
        let (status, _, err) = try brain.brainctl(["project", "update", "ops", "--time-zone", "Europe/Riga"])
        #expect(status == 0, "\(err)")
        let predicted = try await eventually(5) { try nextRun()?.hasSuffix("-01-01T01:00:00.000Z") == true }
        #expect(predicted, "\(String(describing: try? nextRun()))")
        // The brain says when the last batch is done (bench-zone-change times it by this line).
        let logged = try await eventually(5) { brain.readOutput().contains("project ops: every schedule's next run predicted again in its new time zone") }
        #expect(logged, "\(brain.readOutput().suffix(2_000))")

        // SIGKILL: no snapshot; the zone change and its batches come back from the journal.
        await session.close()
        brain.stop(signal: SIGKILL)
        try await brain.start()
        let replayed = try nextRun()
        #expect(replayed?.hasSuffix("-01-01T01:00:00.000Z") == true, "\(String(describing: replayed))")
        brain.stop()
    }

    @Test func aCompleteListingRemovesWhatItDoesNotNameAPartialOneDoesNot() async throws {
        let brain = try BrainProcess(arguments: ["--snapshot-interval", "0", "--snapshot-after-changes", "0"])
        try await brain.start()
        let session = try await TaskTests.agent(brain, name: "beat")
        let three = ["a", "b", "c"].map { Self.report($0, .interval, "60") }
        try await session.reportScheduleListing(ScheduleListing(scheduler: "celery-beat", schedules: three, complete: true))
        try await session.reportScheduleListing(ScheduleListing(scheduler: "celery-beat", schedules: [three[0]], complete: false))
        try await session.flush()
        #expect(Self.names(try brain.brainctlItems(["schedules"])) == ["a", "b", "c"])
        try await session.reportScheduleListing(ScheduleListing(scheduler: "celery-beat", schedules: [three[0], three[1]], complete: true))
        try await session.flush()
        #expect(Self.names(try brain.brainctlItems(["schedules"])) == ["a", "b"])

        // Firing sets the last run; a delete removes one; both survive a restart (the journal).
        let firedAt = Int64(Date().timeIntervalSince1970 * 1e9) - 5_000_000_000
        try await session.reportScheduleFired(scheduler: "celery-beat", name: "a", at: firedAt, taskID: "t-1")
        try await session.reportScheduleDeleted(scheduler: "celery-beat", name: "b")
        try await session.flush()
        #expect(await session.rejections.isEmpty)
        await session.close()
        brain.stop(signal: SIGKILL)
        try await brain.start()
        let left = try brain.brainctlItems(["schedules"])
        #expect(Self.names(left) == ["a"])
        #expect(left.first?["last_run_at"] as? String != nil)
        brain.stop()
    }
}
