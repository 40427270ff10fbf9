import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Version, uptime, paths, agents by state, runs, journal size and fsync policy, last snapshot, any fault."
    )
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let result = try await common.once(.getStatus)
        guard case .statusReply(let status) = result else { throw unexpected(result) }
        if common.json {
            common.print(
                .object([
                    ("version", .string(status.version)),
                    ("uptime_s", .double(Double(status.uptimeMs) / 1_000)),
                    ("socket", .string(status.socketPath)),
                    ("data_dir", .string(status.dataDir)),
                    (
                        "agents",
                        .object([
                            ("online", .int(Int64(status.agents.online))), ("offline", .int(Int64(status.agents.offline))),
                            ("unknown", .int(Int64(status.agents.unknown))),
                        ])
                    ),
                    ("runs", Rendering.runCounts(status.runs)),
                    ("steps", .int(Int64(status.steps))),
                    ("persistence_errors", .int(Int64(status.persistenceErrors))),
                    ("last_snapshot_at", .time(status.lastSnapshotAt)),
                    ("journal_bytes", .int(Int64(status.journalBytes))),
                    ("fsync", .string(status.fsyncPolicy)),
                    ("persistence_fault", .optional(status.persistenceFault)),
                    ("last_retention_sweep", status.lastRetentionSweep.map(Self.sweep) ?? .null),
                ]))
            return
        }
        let now = Timestamps.now()
        Console.line(
            """
            brain \(status.version), up \(status.uptimeMs / 1_000)s
            socket:     \(status.socketPath)
            data dir:   \(status.dataDir)
            agents:     \(status.agents.online) online, \(status.agents.offline) offline, \(status.agents.unknown) unknown
            runs:       \(Rendering.runCountsText(status.runs))
            steps:      \(status.steps)
            errors:     \(status.persistenceErrors) in the persistence-error sink
            journal:    \(Self.bytes(status.journalBytes))
            fsync:      \(status.fsyncPolicy.isEmpty ? "-" : status.fsyncPolicy)
            snapshot:   \(status.lastSnapshotAt == 0 ? "none yet" : "\(Timestamps.rfc3339(status.lastSnapshotAt)) (\(Timestamps.ago(status.lastSnapshotAt, now: now)))")
            fault:      \(status.persistenceFault.isEmpty ? "none" : status.persistenceFault)
            retention:  \(status.lastRetentionSweep.map { Self.sweepText($0, now: now) } ?? "no sweep has removed anything since the brain started")
            """)
    }

    /// The last retention sweep, as `--json` shows it.
    static func sweep(_ sweep: RetentionSweepInfo) -> JSONValue {
        .object([
            ("at", .time(sweep.at)), ("runs", .int(Int64(clamping: sweep.runs))), ("tasks", .int(Int64(clamping: sweep.tasks))),
            ("task_event_trims", .int(Int64(clamping: sweep.taskEventTrims))), ("sink_rows", .int(Int64(clamping: sweep.sinkRows))),
            ("commands", .int(Int64(clamping: sweep.commands))), ("truncated", .bool(sweep.truncated)),
        ])
    }

    /// `last sweep 2026-...Z (3m ago) removed 2 runs, 5 tasks, ...`.
    static func sweepText(_ sweep: RetentionSweepInfo, now: Int64) -> String {
        let removed =
            "\(sweep.runs) runs, \(sweep.tasks) tasks, \(sweep.taskEventTrims) task event trims, \(sweep.sinkRows) sink rows, \(sweep.commands) commands"
        return "last sweep \(Timestamps.rfc3339(sweep.at)) (\(Timestamps.ago(sweep.at, now: now))) removed \(removed)\(sweep.truncated ? "; more was due" : "")"
    }

    /// `812 bytes`, `3.4 MiB (3565158 bytes)`.
    static func bytes(_ count: UInt64) -> String {
        guard count >= 1_024 else { return "\(count) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1_024
        var unit = 0
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return "\((value * 10).rounded() / 10) \(units[unit]) (\(count) bytes)"
    }
}
