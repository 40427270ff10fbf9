import BrainCore
import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainServer

/// The server predicts next runs after a time-zone change in journalled batches, between
/// reads: the change is answered at once, an event sent with it is applied before the last
/// batch, and the batches (each at most ``ServerConfiguration/scheduleRecomputeBatch``
/// schedules, all from the change's time) cover every schedule of the project once. Observed
/// from outside: the wire and the journal on disk.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ScheduleRecomputeServerTests {
    static let schedules = 1_000
    static let batch = 64

    @Test func aZoneChangeIsPredictedInJournalledBatchesWithReadsBetweenThem() async throws {
        let directory = NSTemporaryDirectory() + "brain-recompute-\(UUID().uuidString)"
        var configuration = ServerConfiguration(socketPath: "\(directory)/brain.sock", dataDirectory: "\(directory)/data")
        configuration.snapshotIntervalSeconds = 0
        configuration.snapshotAfterChanges = 0
        configuration.scheduleRecomputeBatch = Self.batch
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await BrainServer.start(configuration: configuration, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })

        let client = try WireClient(socketPath: configuration.socketPath)
        guard case .projectInfo = try client.call(1, .createProject(name: "zoned", settings: nil)).result else {
            throw BrainError(.internal, "the project was not created")
        }
        guard case .welcome = try client.call(2, .hello(Hello(agentName: "beat", project: "zoned", token: "t"))).result else {
            throw BrainError(.internal, "no welcome")
        }
        let reports = (0..<Self.schedules).map { index in
            var report = ScheduleReport(scheduler: "beat", name: "s\(index)")
            report.task = "app.s\(index)"
            report.type = .cron
            report.expression = "0 3 * * *"
            report.enabled = true
            return report
        }
        let listing = ScheduleListing(scheduler: "beat", schedules: reports, complete: true)
        try client.send([BrainRequest(callID: 0, method: .publish(AgentEvent(seq: 1, kind: .scheduleListing(listing))))])
        #expect(try client.read(until: { _ in client.ackedSeq == 1 }))

        // The change and, in the same write, a firing: both answered.
        let firedAt = Int64(Date().timeIntervalSince1970 * 1e9)
        let fired = AgentEvent(seq: 2, kind: .scheduleFired(ScheduleFired(scheduler: "beat", name: "s0", at: firedAt, taskID: "t")))
        try client.send([
            BrainRequest(callID: 3, method: .updateProject(name: "zoned", settings: WireProjectSettings(timeZone: "Europe/Riga"))),
            BrainRequest(callID: 0, method: .publish(fired)),
        ])
        #expect(try client.read(until: { responses in responses.contains { $0.callID == 3 } && client.ackedSeq == 2 }))

        // Until every batch is in the journal: an event's ack means every record before it is
        // on disk (acks wait for the journal, which writes in order).
        // ceil(1,000 / 64) = ceil(999 / 64) = 16, whether or not the firing took s0 out first.
        let expectedBatches = (Self.schedules + Self.batch - 1) / Self.batch
        var records: [JournalRecord] = []
        var seq: UInt64 = 2
        let deadline = Date(timeIntervalSinceNow: 20)
        repeat {
            seq += 1
            let again = AgentEvent(seq: seq, kind: .scheduleFired(ScheduleFired(scheduler: "beat", name: "s0", at: firedAt + Int64(seq), taskID: "t")))
            try client.send([BrainRequest(callID: 0, method: .publish(again))])
            #expect(try client.read(until: { _ in client.ackedSeq == seq }))
            let journal = "\(directory)/data"
            let segments = JournalReader.segments(in: journal)
            records = try segments.flatMap { segment in
                try JournalReader.read(directory: journal, segment: segment, isLast: segment == segments.last).records
            }
        } while records.batches.count < expectedBatches && Date() < deadline

        let batches = records.batches
        #expect(batches.count == expectedBatches, "\(Self.schedules) schedules in batches of \(Self.batch)")
        #expect(batches.allSatisfy { $0.identities.count <= Self.batch && $0.project == "zoned" })
        // Each schedule once; s0 too only if a batch reached it before the firing did (the
        // firing, read with the change, normally comes first and predicts it itself).
        let predicted = batches.flatMap(\.identities)
        #expect(Set(predicted).count == predicted.count, "each schedule once")
        let everyOther = Set((1..<Self.schedules).map { "zoned\u{0}beat\u{0}s\($0)" })
        #expect(Set(predicted).subtracting(["zoned\u{0}beat\u{0}s0"]) == everyOther)
        // Every batch counts from the change's time, and the firing sent with the change was
        // read before the last batch ran.
        let changeIndex = try #require(records.firstIndex { if case .updateProject = $0 { true } else { false } })
        #expect(batches.allSatisfy { $0.asOf == records[changeIndex].now })
        let firingIndex = try #require(records.firstIndex { if case .scheduleFired = $0 { true } else { false } })
        let lastBatchIndex = try #require(records.lastIndex { if case .recomputeNextRuns = $0 { true } else { false } })
        #expect(changeIndex < firingIndex && firingIndex < lastBatchIndex)
        try await server.shutdown()
    }
}

extension [JournalRecord] {
    /// The next-run recompute batches, in journal order.
    fileprivate var batches: [ScheduleRecomputeBatch] {
        compactMap { record in
            if case .recomputeNextRuns(let batch, _) = record { return batch }
            return nil
        }
    }
}
