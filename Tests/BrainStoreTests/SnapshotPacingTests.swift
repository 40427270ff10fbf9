import BrainStore
import Testing

/// How long a snapshot pauses between chunks while agents stream.
struct SnapshotPacingTests {
    static let mib = 1 << 20

    @Test func aChunkFasterThanTheRateWaitsForTheRestOfItsTime() {
        // 1 MiB at 256 MiB/s may take 3.906 ms; it took 1 ms.
        let pause = SnapshotPacing.pause(bytes: Self.mib, spentNanos: 1_000_000, bytesPerSecond: 256 * Self.mib, ingestionActive: true)
        #expect(pause == 3_906_250 - 1_000_000)
    }

    @Test func noPauseWhenIdleUnlimitedOrAlreadySlow() {
        let rate = 256 * Self.mib
        #expect(SnapshotPacing.pause(bytes: Self.mib, spentNanos: 0, bytesPerSecond: rate, ingestionActive: false) == 0)
        #expect(SnapshotPacing.pause(bytes: Self.mib, spentNanos: 0, bytesPerSecond: 0, ingestionActive: true) == 0)
        #expect(SnapshotPacing.pause(bytes: Self.mib, spentNanos: 5_000_000, bytesPerSecond: rate, ingestionActive: true) == 0)
        #expect(SnapshotPacing.pause(bytes: 0, spentNanos: 0, bytesPerSecond: rate, ingestionActive: true) == 0)
    }

    @Test func aTinyRateNeverPausesLongerThanASecondPerChunk() {
        #expect(SnapshotPacing.pause(bytes: Self.mib, spentNanos: 0, bytesPerSecond: 1, ingestionActive: true) == SnapshotPacing.maxPauseNanos)
    }

    @Test func ingestionIsActiveForTheWindowAfterTheLastJournalWrite() {
        let window: Int64 = 50_000_000
        #expect(SnapshotPacing.ingestionActive(now: 1_000_000_000, lastIngestion: 960_000_000, windowNanos: window))
        #expect(!SnapshotPacing.ingestionActive(now: 1_000_000_000, lastIngestion: 950_000_000, windowNanos: window))
        #expect(!SnapshotPacing.ingestionActive(now: 1_000_000_000, lastIngestion: 0, windowNanos: window), "never ingested")
    }
}
