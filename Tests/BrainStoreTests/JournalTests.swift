import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// Journal records, checksums, torn tails and recovery on real files.
struct JournalTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    static let records: [JournalRecord] = [
        .event(agentID: "a1", request: [1, 2, 3, 0, 255], now: 10),
        .hello(tokenHash: "hash", request: [9], now: -1),
        .createAgent(name: "n", project: "p", tokenHash: "h", now: 11),
        .cancelRun(runID: "r", reason: "why ü", now: 12),
        .deleteRun(runID: "r", now: 13),
        .timeouts(Timeouts(agentIDs: ["a", "b"], runIDs: ["r"]), now: 14),
        .error(BrainCommand.ErrorRow(phase: "snapshot", errorType: "T", message: "m", payloadJSON: "{}"), now: 15),
        .pruneErrors(now: 16),
        .taskEvent(
            agentID: "a1",
            report: {
                var report = TaskEventReport(
                    seq: 7, taskID: "t ü", engine: "celery", kind: .retry, ts: -5, attempt: 3, name: "n", queue: "q", groupID: "g", retriedAs: "r",
                    argsJSON: "[1]", kwargsJSON: "{}", excType: "E", excMessage: "m", traceback: "tb", payloadJSON: "{\"x\":null}"
                )
                report.isRedacted = true
                return report
            }(), now: 17
        ),
        .taskLiveness(
            [LostTask(project: "p", engine: "celery", taskID: "t", reason: "gone"), LostTask(project: "", engine: "", taskID: "", reason: "")], now: 18
        ),
        .createProject(name: "p", settings: ProjectSettings(), now: 19),
        .updateProject(
            name: "p",
            settings: ProjectSettings(
                retention: RetentionSettings(runsNs: 1, tasksNs: 0, taskEventsNs: 3, sinkRowsNs: 4),
                redaction: RedactionOverrides(extraKeyPatterns: ["pin", "*_iban"], allowedKeys: ["token_count"]), timeZone: "Europe/Riga"
            ), now: 20
        ),
        .updateProject(name: "p", settings: ProjectSettings(redactSteps: true), now: 21),
    ]

    func write(_ records: [JournalRecord], to directory: String) throws {
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(records)
    }

    @Test func aBufferKeepsItsGrownCapacityUnderLoadAndDropsItOnlyWhenEmpty() {
        var buffer = JournalBuffer()
        for index in 0..<600 { buffer.append(.event(agentID: "a", request: [UInt8](repeating: UInt8(index & 0xFF), count: 4_000), now: 1)) }
        let grown = buffer.bytes.capacity
        #expect(grown > 2 << 20)
        buffer.releaseCapacity()
        #expect(buffer.bytes.capacity == grown, "records still buffered: nothing may be dropped")
        var spare: [UInt8] = []
        let taken = buffer.take(reusing: &spare)
        #expect(taken.count > 2 << 20)
        buffer.releaseCapacity()
        #expect(buffer.bytes.capacity < grown)
        #expect(buffer.isEmpty)
    }

    @Test func everyRecordKindRoundTrips() throws {
        let directory = try temporaryDirectory()
        try write(Self.records, to: directory)
        let segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == Self.records)
        #expect(segment.tornBytes == 0)
    }

    /// A version-1 segment as the release before the command log wrote it: its header, and
    /// records of the kinds version 1 had.
    static func writeVersion1Segment(_ records: [JournalRecord], to directory: String, segment: Int) throws {
        var buffer = JournalBuffer()
        for record in records { buffer.append(record) }
        var none: [UInt8] = []
        var chunk = buffer.take(reusing: &none)
        JournalBuffer.fillChecksums(&chunk)
        try Data(Array("BRAINJ1\n".utf8) + chunk).write(to: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(segment))"))
    }

    @Test func aVersion1JournalIsReplayedAndNewRecordsGoToAVersion2Segment() throws {
        let directory = try temporaryDirectory()
        let logger = Logger(label: "test")
        let hello = Hello(agentName: "old", token: "")
        try Self.writeVersion1Segment(
            [.hello(tokenHash: "h", request: hello.journalFrame, now: 1), .createAgent(name: "made", project: "p", tokenHash: "t", now: 2)],
            to: directory, segment: 1
        )
        let first = try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        #expect(first.recordsReplayed == 2)
        #expect(first.state.agent(named: "old", project: "default") != nil)
        #expect(first.state.agent(named: "made", project: "p") != nil)
        #expect(first.journal.segment == 2, "a version-1 segment is not appended to")
        try first.journal.append([.pruneErrors(now: 3), .deleteRun(runID: "r", now: 4)])
        let segment1 = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(1))"))
        let segment2 = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(2))"))
        #expect(Array(segment1.prefix(8)) == Array("BRAINJ1\n".utf8))
        #expect(Array(segment2.prefix(8)) == Journal.magic)
        #expect(Journal.magic == Array("BRAINJ2\n".utf8))

        let again = try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        #expect(again.recordsReplayed == 4)
        #expect(again.journal.segment == 2, "the version-2 segment is appended to")
        #expect(again.state.agents.count == 2)
    }

    @Test func aJournalFromANewerBrainIsRefusedUntouched() throws {
        let directory = try temporaryDirectory()
        let logger = Logger(label: "test")
        let path = "\(directory)/\(Journal.fileName(1))"
        try Data(Array("BRAINJ9\n".utf8) + [1, 0, 0, 0, 0, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) {
            try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        }
        #expect(error?.description.contains("format version 9") == true)
        #expect(error?.description.contains("reads versions 1 to 2") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aTornTailIsReportedAndDamageInTheMiddleIsAnError() throws {
        let directory = try temporaryDirectory()
        try write(Self.records, to: directory)
        let path = "\(directory)/\(Journal.fileName(1))"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let intact = bytes.count
        try Data(bytes + [200, 0, 0, 0, 1, 2, 3]).write(to: URL(fileURLWithPath: path))
        let torn = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(torn.records == Self.records)
        #expect(torn.validLength == intact)
        #expect(torn.tornBytes == 7)

        bytes[Journal.magic.count + 10] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try JournalReader.read(directory: directory, segment: 1, isLast: true) }
        #expect(error?.description.contains("damaged at offset \(Journal.magic.count)") == true)
        #expect(error?.description.contains("brain recover") == true)
    }

    @Test func recoveryReplaysTheJournalOntoTheSnapshotAndRefusesAGap() throws {
        let directory = try temporaryDirectory()
        let logger = Logger(label: "test")
        // A first start: an empty state, then one agent created and journaled.
        try write([.createAgent(name: "bot", project: "default", tokenHash: "h", now: 5)], to: directory)
        let recovered = try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        #expect(recovered.state.agent(named: "bot", project: "default") != nil)
        #expect(recovered.recordsReplayed == 1)

        // A journal segment missing after the snapshot's segment stops start-up.
        _ = try SnapshotStore(directory: directory).write(recovered.state, writtenAt: 6, brainVersion: "t", journalSegment: 2)
        try Data(Journal.magic).write(to: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(3))"))
        let error = #expect(throws: StoreError.self) {
            try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        }
        #expect(error?.description.contains("gap") == true)
        let plan = RecoveryPlan.examine(directory: directory, configuration: CoreConfiguration())
        #expect(plan.isNeeded)
    }

    @Test func segmentsASnapshotCoversAreDeletedAtStartUpWithoutSkewingTheJournalSize() throws {
        let directory = try temporaryDirectory()
        let logger = Logger(label: "test")
        // Segment 1 holds records, then a snapshot covers it (journal_segment 2), and the brain
        // stopped before deleting segment 1: what an exit right after the final snapshot leaves.
        try write(Self.records, to: directory)
        let first = try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        try first.journal.rotate(to: 2, now: 0)
        _ = try SnapshotStore(directory: directory).write(first.state, writtenAt: 7, brainVersion: "t", journalSegment: 2)
        #expect(FileManager.default.fileExists(atPath: "\(directory)/\(Journal.fileName(1))"))

        let again = try Recovery.open(directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 3, logger: logger)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(Journal.fileName(1))"))
        #expect(again.journal.totalBytes == Journal.magic.count, "only segment 2, its header")
        #expect(again.recordsReplayed == 0)
    }

    @Test func aRetiredSnapshotLeftBehindIsDeletedAtStartUpAndOlderOnesAreKept() throws {
        let directory = try temporaryDirectory()
        var store = SnapshotStore(directory: directory)
        store.kept = 2
        // Three writes: snapshot.json, snapshot.1.json, and snapshot.2.json retired but not
        // yet deleted (an exit before the housekeeping thread got to it).
        for segment in 1...3 {
            _ = try store.write(BrainState(), writtenAt: Int64(segment), brainVersion: "t", journalSegment: segment)
        }
        #expect(FileManager.default.fileExists(atPath: store.path(generation: 2)))
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .never, snapshotsKept: 2, logger: Logger(label: "test")
        )
        #expect(recovered.lastSnapshotAt == 3)
        #expect(!FileManager.default.fileExists(atPath: store.path(generation: 2)))
        #expect(FileManager.default.fileExists(atPath: store.path(generation: 1)))
    }
}
