import BrainCore
import BrainStore
import Foundation
import Logging
import Testing

/// A journal write that fails as a full or broken disk fails (injected through ``FileCalls``,
/// so this runs on any machine): no partial record is left, later writes are refused until
/// the failed one is written again, and once the disk works everything is there exactly once.
struct JournalFaultTests {
    static let faults: [FaultyFiles.Fault] = [true, false].flatMap { directIO in
        [
            // A full disk: part of the chunk lands first (a block of it with direct I/O).
            FaultyFiles.Fault(calls: [.write, .pwrite], code: ENOSPC, room: 5_000, directIO: directIO),
            // A full disk refusing the first byte.
            FaultyFiles.Fault(calls: [.write, .pwrite], code: ENOSPC, room: 0, directIO: directIO),
            // A write error from the device.
            FaultyFiles.Fault(calls: [.write, .pwrite], code: EIO, room: 0, directIO: directIO),
            // The chunk is written whole, but the fsync that would make it durable fails.
            FaultyFiles.Fault(calls: [.fdatasync], code: EIO, room: 0, directIO: directIO),
        ]
    }

    static func records(_ range: Range<Int>) -> [JournalRecord] {
        range.map { index in
            .event(agentID: "agent", request: (0..<(700 + index * 13)).map { UInt8(truncatingIfNeeded: $0 &+ index) }, now: Int64(index))
        }
    }

    /// Records encoded and checksummed into one chunk, as the brain writes them.
    static func chunk(_ records: [JournalRecord]) -> [UInt8] {
        var buffer = JournalBuffer()
        for record in records { buffer.append(record) }
        var none: [UInt8] = []
        var chunk = buffer.take(reusing: &none)
        JournalBuffer.fillChecksums(&chunk)
        return chunk
    }

    @Test(arguments: faults)
    func aFailedWriteLeavesNoPartialRecordRefusesLaterWritesAndRecoversWhenTheDiskWorks(fault: FaultyFiles.Fault) throws {
        let directory = try temporaryDirectory()
        let disk = FaultyFiles()
        let journal = try Journal(
            directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0, directIO: fault.directIO, files: disk.files
        )
        let first = Self.records(0..<5)
        try journal.write(Self.chunk(first), now: 1)
        let lengthBefore = journal.segmentBytes

        // Large enough to need several blocks, so a partial write is possible.
        let failed = Self.records(5..<20)
        disk.fail(fault.calls, with: fault.code, room: fault.room)
        let error = #expect(throws: StoreError.self) { try journal.write(Self.chunk(failed), now: 2) }
        #expect(error?.problem.contains(String(cString: strerror(fault.code))) == true, "\(String(describing: error))")
        #expect(fault.calls.contains { disk.failures($0) > 0 }, "the fault was reached")

        // (a) The segment holds exactly what was there before: no partial record, no torn tail.
        var segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == first)
        #expect(segment.tornBytes == 0, "no partial record is left behind")
        #expect(segment.validLength == lengthBefore)
        #expect(journal.segmentBytes == lengthBefore)

        // (b) Nothing newer may overtake the failed records: refused until the retry.
        #expect(journal.faulted)
        disk.heal()
        let later = Self.records(20..<23)
        #expect(throws: StoreError.self) { try journal.write(Self.chunk(later), now: 3) }
        #expect(try JournalReader.read(directory: directory, segment: 1, isLast: true).records == first)

        // (c) The disk works again: the retry writes the failed records, then the rest follows.
        try journal.write(Self.chunk(failed), now: 4, retry: true)
        #expect(!journal.faulted)
        try journal.write(Self.chunk(later), now: 5)
        segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == first + failed + later, "every record once, in order")
        #expect(segment.tornBytes == 0)
        #expect(segment.validLength == journal.segmentBytes)

        // A restart replays them all and appends after them.
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .batch, snapshotsKept: 1, directIO: fault.directIO,
            logger: Logger(label: "test")
        )
        #expect(recovered.recordsReplayed == first.count + failed.count + later.count)
        #expect(recovered.tornBytes == 0)
    }

    @Test(arguments: [true, false])
    func aRetryThatFailsAgainStillLeavesNothingAndTheNextOneSucceeds(directIO: Bool) throws {
        let directory = try temporaryDirectory()
        let disk = FaultyFiles()
        let journal = try Journal(
            directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0, directIO: directIO, files: disk.files
        )
        let first = Self.records(0..<3)
        try journal.write(Self.chunk(first), now: 1)
        let failed = Self.records(3..<12)
        disk.fail([.write, .pwrite], with: ENOSPC, room: 4_096)
        #expect(throws: StoreError.self) { try journal.write(Self.chunk(failed), now: 2) }
        // Still full (the room is used up): the retry fails too and is cut back as well.
        #expect(throws: StoreError.self) { try journal.write(Self.chunk(failed), now: 3, retry: true) }
        // Space again, but the device fails the fsync: the whole retry is cut back.
        disk.heal()
        disk.fail([.fdatasync], with: EIO)
        #expect(throws: StoreError.self) { try journal.write(Self.chunk(failed), now: 4, retry: true) }
        let segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == first)
        #expect(segment.tornBytes == 0)
        disk.heal()
        try journal.write(Self.chunk(failed), now: 5, retry: true)
        #expect(try JournalReader.read(directory: directory, segment: 1, isLast: true).records == first + failed)
    }

    @Test func aRotationIsRefusedWhileTheJournalIsFaulted() throws {
        let directory = try temporaryDirectory()
        let disk = FaultyFiles()
        let journal = try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0, files: disk.files)
        disk.fail([.fdatasync], with: EIO)
        #expect(throws: StoreError.self) { try journal.write(Self.chunk(Self.records(0..<2)), now: 1) }
        disk.heal()
        // A snapshot started now would cover records the journal does not hold.
        #expect(throws: StoreError.self) { try journal.rotate(to: 2, now: 2) }
        #expect(journal.segment == 1)
        #expect(!FileManager.default.fileExists(atPath: journal.path(2)))
    }
}
