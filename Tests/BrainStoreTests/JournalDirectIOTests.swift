import BrainStore
import Foundation
import Testing

@testable import BrainCore

/// The journal's block-aligned direct writes, and how its reader takes their zero padding.
struct JournalDirectIOTests {
    static func size(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    static func event(_ index: Int, bytes: Int) -> JournalRecord {
        .event(agentID: "agent-\(index % 3)", request: (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }, now: Int64(index))
    }

    /// Both ways of writing (`--no-direct-io` is the plain one): the same records, offsets
    /// and restart behaviour.
    @Test(arguments: [true, false])
    func recordsWrittenInOddSizesAcrossARestartReadBackWhole(directIO: Bool) throws {
        let directory = try temporaryDirectory()
        // Sizes that end chunks inside, at and across block boundaries.
        let sizes = [1, 4_000, 87, 4_088, 9_000, 0, 300, 12_289, 5]
        let first = sizes.enumerated().map { Self.event($0.offset, bytes: $0.element) }
        var journal: Journal? = try Journal(
            directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0, directIO: directIO
        )
        for record in first { try #require(journal).append([record]) }
        let path = try #require(journal).path(1)
        let written = try #require(journal).segmentBytes
        if try #require(journal).usesDirectIO {
            #expect(try Self.size(path) % DirectIOBlock.size == 0, "direct writes are whole blocks")
            #expect(try Self.size(path) > written)
        } else {
            #expect(try Self.size(path) == written, "plain writes leave no padding")
        }
        if !directIO { #expect(try !#require(journal).usesDirectIO) }
        var segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == first)
        #expect(segment.tornBytes == 0, "padding is not a torn tail")
        #expect(segment.validLength == written)

        // Start again after the valid end (as start-up does), then append more.
        journal = nil
        #expect(try Self.size(path) == written, "closing cuts the padding")
        journal = try Journal(
            directory: directory, segment: 1, validLength: segment.validLength, policy: .batch, otherBytes: 0, directIO: directIO
        )
        let second = (0..<50).map { Self.event(100 + $0, bytes: 37 * $0) }
        try #require(journal).append(second)
        segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == first + second)
        #expect(segment.tornBytes == 0)
    }

    @Test func releasingIdleMemoryKeepsThePartialLastBlock() throws {
        let directory = try temporaryDirectory()
        let journal = try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0)
        // A burst: one chunk of 2 MiB grows the staging buffer; it ends inside a block.
        let burst = (0..<700).map { Self.event($0, bytes: 3_000) }
        try journal.append(burst)
        journal.releaseIdleMemory()
        let later = (0..<3).map { Self.event(1_000 + $0, bytes: 123) }
        try journal.append(later)
        let segment = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(segment.records == burst + later)
        #expect(segment.tornBytes == 0)
    }

    @Test func aZeroHoleBeforeLaterBytesIsATornTailInTheLastSegmentAndDamageInAnOlderOne() throws {
        let directory = try temporaryDirectory()
        let journal = try Journal(directory: directory, segment: 1, validLength: nil, policy: .batch, otherBytes: 0)
        try journal.append([Self.event(1, bytes: 100)])
        let valid = journal.segmentBytes
        let path = journal.path(1)
        try journal.rotate(to: 2, now: 0)
        // A later write's second block landed, its first did not.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        handle.truncateFile(atOffset: UInt64(valid))
        handle.write(Data(repeating: 0, count: 4_096) + Data([9, 0, 0, 0, 1, 2, 3, 4, 5]))
        try handle.close()
        let last = try JournalReader.read(directory: directory, segment: 1, isLast: true)
        #expect(last.records == [Self.event(1, bytes: 100)])
        #expect(last.validLength == valid)
        #expect(last.tornBytes == 4_096 + 9)
        #expect(throws: StoreError.self) { try JournalReader.read(directory: directory, segment: 1, isLast: false) }
    }
}

/// The block size the journal aligns direct writes to.
enum DirectIOBlock {
    static let size = 4_096
}
