import BrainProtocol
import BrainStore
import Foundation
import Logging
import Testing

@testable import BrainCore

/// `redact_steps` in the journal and snapshots: it round-trips, and project records and
/// snapshots written before it existed still load, with it off.
struct ProjectSettingsStoreTests {
    static let settings = ProjectSettings(
        retention: RetentionSettings(runsNs: 1, tasksNs: 2, taskEventsNs: 3, sinkRowsNs: 4),
        redaction: RedactionOverrides(extraKeyPatterns: ["pin"], allowedKeys: ["token_count"]), timeZone: "Europe/Riga"
    )

    /// A project record as brains before `redact_steps` wrote it, byte by byte (kind, time,
    /// name, four retentions, two string lists, the time zone), framed as the journal frames
    /// records (length, checksum slot).
    static func legacyProjectRecord(kind: UInt8, name: String, now: Int64) -> [UInt8] {
        var payload: [UInt8] = [kind]
        func integer<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) } }
        func string(_ value: String) {
            integer(UInt32(value.utf8.count))
            payload.append(contentsOf: value.utf8)
        }
        integer(UInt64(bitPattern: now))
        string(name)
        for value in [Int64(1), 2, 3, 4] { integer(UInt64(bitPattern: value)) }
        for list in [["pin"], ["token_count"]] {
            integer(UInt32(list.count))
            for entry in list { string(entry) }
        }
        string("Europe/Riga")
        var record: [UInt8] = []
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: [0, 0, 0, 0])
        return record + payload
    }

    @Test func projectRecordsWrittenBeforeRedactStepsReadWithItOff() throws {
        let directory = try temporaryDirectory()
        var chunk = Self.legacyProjectRecord(kind: 11, name: "p", now: 5) + Self.legacyProjectRecord(kind: 12, name: "p", now: 6)
        JournalBuffer.fillChecksums(&chunk)
        try Data(Journal.magic + chunk).write(to: URL(fileURLWithPath: "\(directory)/\(Journal.fileName(1))"))
        let segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == [.createProject(name: "p", settings: Self.settings, now: 5), .updateProject(name: "p", settings: Self.settings, now: 6)])
        #expect(segment.tornBytes == 0)
    }

    @Test(arguments: [false, true])
    func theSettingRoundTripsThroughTheJournal(_ redactSteps: Bool) throws {
        var settings = Self.settings
        settings.redactSteps = redactSteps
        let records: [JournalRecord] = [.createProject(name: "p", settings: settings, now: 5), .updateProject(name: "p", settings: settings, now: 6)]
        var buffer = JournalBuffer()
        buffer.append(records[0])
        let encoded = Array(buffer.bytes.dropFirst(8))
        let legacy = Array(Self.legacyProjectRecord(kind: 11, name: "p", now: 5).dropFirst(8))
        #expect(encoded == (redactSteps ? legacy + [1] : legacy), "off is written as before; on adds one byte")
        let directory = try temporaryDirectory()
        try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0).append(records)
        #expect(try JournalReader.read(directory: directory, segment: 1, isLast: true).records == records)
    }

    @Test func theSettingRoundTripsThroughASnapshotAndOldSnapshotsReadWithItOff() throws {
        var state = BrainState()
        var on = Self.settings
        on.redactSteps = true
        _ = state.apply(.createProject(name: "on", settings: on), now: 1)
        _ = state.apply(.createProject(name: "off", settings: Self.settings), now: 2)
        let text = String(decoding: SnapshotStore.encode(state, writtenAt: 9, brainVersion: "test", journalSegment: 1), as: UTF8.self)
        #expect(text.contains("\"redact_steps\":true") && text.contains("\"redact_steps\":false"))
        let loaded = try Self.load(text)
        #expect(loaded.listProjects() == state.listProjects())
        #expect(loaded.redactsSteps(agentID: "none") == false)

        // A snapshot of a brain before the setting: no such key anywhere.
        let old = text.replacingOccurrences(of: ",\"redact_steps\":true", with: "").replacingOccurrences(of: ",\"redact_steps\":false", with: "")
        #expect(!old.contains("redact_steps"))
        let fromOld = try Self.load(old)
        #expect(fromOld.projects["on"]?.settings == Self.settings, "read as off, the rest kept")
    }

    static func load(_ text: String) throws -> BrainState {
        let directory = try temporaryDirectory()
        try text.write(toFile: "\(directory)/snapshot.json", atomically: true, encoding: .utf8)
        return try #require(try SnapshotStore(directory: directory).load(configuration: CoreConfiguration())).state
    }
}
