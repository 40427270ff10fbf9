import ArgumentParser
import BrainProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Version, uptime, paths, agents by state, runs, last snapshot.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        guard case .statusReply(let status) = try await common.once(.getStatus) else { throw ExitCode(1) }
        if common.json {
            common.print(.object([
                ("version", .string(status.version)),
                ("uptime_s", .double(Double(status.uptimeMs) / 1_000)),
                ("socket", .string(status.socketPath)),
                ("data_dir", .string(status.dataDir)),
                ("agents", .object([
                    ("online", .int(Int64(status.agents.online))), ("offline", .int(Int64(status.agents.offline))),
                    ("unknown", .int(Int64(status.agents.unknown))),
                ])),
                ("runs", Rendering.runCounts(status.runs)),
                ("steps", .int(Int64(status.steps))),
                ("persistence_errors", .int(Int64(status.persistenceErrors))),
                ("last_snapshot_at", .time(status.lastSnapshotAt)),
                ("journal_bytes", .int(Int64(status.journalBytes))),
                ("fsync", .string(status.fsyncPolicy)),
                ("persistence_fault", .optional(status.persistenceFault)),
            ]))
            return
        }
        let now = Timestamps.now()
        let runs = RunStatus.allCases.filter { $0 != .unspecified }.map { "\($0.name) \(status.runs[$0])" }.joined(separator: ", ")
        Console.line("""
            brain \(status.version), up \(status.uptimeMs / 1_000)s
            socket:     \(status.socketPath)
            data dir:   \(status.dataDir)
            agents:     \(status.agents.online) online, \(status.agents.offline) offline, \(status.agents.unknown) unknown
            runs:       \(runs)
            steps:      \(status.steps)
            errors:     \(status.persistenceErrors) in the persistence-error sink
            snapshot:   \(status.lastSnapshotAt == 0 ? "none yet" : "\(Timestamps.rfc3339(status.lastSnapshotAt)) (\(Timestamps.ago(status.lastSnapshotAt, now: now)))")
            fault:      \(status.persistenceFault.isEmpty ? "none" : status.persistenceFault)
            """)
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Runs by status, steps held, events per second recently.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        guard case .stats(let stats) = try await common.once(.getStats) else { throw ExitCode(1) }
        if common.json {
            common.print(.object([
                ("runs", Rendering.runCounts(stats.runs)), ("steps", .int(Int64(stats.steps))),
                ("events_applied", .int(Int64(stats.eventsApplied))), ("events_per_second", .double(stats.eventsPerSecond)),
                ("persistence_errors", .int(Int64(stats.persistenceErrors))), ("connections", .int(Int64(stats.connections))),
            ]))
            return
        }
        Console.line("""
            steps:        \(stats.steps)
            events:       \(stats.eventsApplied) (\(Int(stats.eventsPerSecond))/s recently)
            errors:       \(stats.persistenceErrors)
            connections:  \(stats.connections)
            """)
    }
}

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshot", abstract: "Write a snapshot now and print where.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        guard case .snapshot(let reply) = try await common.once(.snapshot) else { throw ExitCode(1) }
        if common.json {
            common.print(.object([("path", .string(reply.path)), ("bytes", .int(Int64(reply.bytes))), ("written_at", .time(reply.writtenAt))]))
        } else {
            Console.line("snapshot written to \(reply.path) (\(reply.bytes) bytes)")
        }
    }
}
