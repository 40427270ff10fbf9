import BrainCore
import Logging

/// Start-up: the newest snapshot, then every journal record after it.
package struct Recovery {
    /// What start-up rebuilt.
    package struct Result {
        package var state: BrainState
        package var journal: Journal
        package var lastSnapshotAt: Int64
        package var recordsReplayed: Int
        /// Bytes cut from a torn journal tail (a crash mid-write), 0 when clean.
        package var tornBytes: Int
    }

    /// Loads the snapshot and replays the journal.
    /// - Parameter files: the calls the journal (and the clean-up of files the snapshot
    ///   covers) write through: ``FileCalls/system`` but in tests.
    /// - Throws: ``StoreError`` naming the file, the offset and what to do when anything
    ///   but a torn tail is damaged. Nothing is changed on disk in that case.
    package static func open(
        directory: String, configuration: CoreConfiguration, policy: FsyncPolicy, snapshotsKept: Int, directIO: Bool = true,
        files: FileCalls = .system, logger: Logger
    ) throws(StoreError) -> Result {
        try FileIO.makeDirectory(directory)
        var store = SnapshotStore(directory: directory)
        store.kept = snapshotsKept
        store.files = files
        var state = BrainState(configuration: configuration)
        var firstSegment = 1
        var lastSnapshotAt: Int64 = 0
        if let loaded = try store.load(configuration: configuration) {
            state = loaded.state
            firstSegment = loaded.journalSegment
            lastSnapshotAt = loaded.writtenAt
            logger.info("loaded snapshot \(store.path): \(state.agents.count) agents, \(state.runs.count) runs, \(state.stepCount) steps")
        }
        let segments = JournalReader.segments(in: directory).filter { $0 >= firstSegment }
        if let gap = JournalReader.gap(in: segments, from: firstSegment) {
            throw StoreError(
                path: "\(directory)/\(Journal.fileName(gap))",
                problem: "is missing: the journal after the snapshot has a gap, so replaying it would skip events. Run `brain recover --data-dir \(directory)`."
            )
        }
        // Records are applied as each segment is read, none held decoded. Nothing on disk
        // changes until every segment has been read: damage anywhere stops start-up with the
        // files untouched (the half-built state is dropped).
        var read: [JournalReader.Segment] = []
        var replayed = 0
        var agents = JournalReplay.AgentIDCache()
        for (index, number) in segments.enumerated() {
            read.append(
                try JournalReader.scan(directory: directory, segment: number, isLast: index == segments.count - 1) { payload in
                    guard JournalReplay.apply(payload: payload, to: &state, agents: &agents) else { return false }
                    replayed += 1
                    return true
                })
        }
        let last = read.last
        let tornBytes = last?.tornBytes ?? 0
        if tornBytes > 0, let last {
            logger.warning(
                "journal \(Journal.fileName(last.number)) ends in \(tornBytes) bytes of a record cut short by a crash; they were never acknowledged and are dropped"
            )
        }
        if replayed > 0 { logger.info("replayed \(replayed) journal records") }
        var otherBytes = read.dropLast().reduce(0) { $0 + $1.validLength }
        var segment = last?.number ?? firstSegment
        var validLength = last?.validLength
        if let last, last.version != Journal.version {
            // A segment of an older format is only read: new records go to a new segment in
            // this brain's format, so no file mixes two versions.
            logger.info(
                "journal \(Journal.fileName(last.number)) is format version \(last.version); writing version \(Journal.version) from \(Journal.fileName(last.number + 1))"
            )
            otherBytes += last.validLength
            segment = last.number + 1
            validLength = nil
        }
        let journal = try Journal(
            directory: directory, segment: segment, validLength: validLength, policy: policy, otherBytes: otherBytes, directIO: directIO,
            files: files
        )
        // Segments a snapshot already covers, the generation the last snapshot retired (left
        // by a crash or an exit between snapshot and clean-up), and the temporary file of a
        // snapshot a crash cut short. The segments are not counted in the journal's bytes, so
        // not subtracted from them either.
        _ = Journal.deleteSegments(in: directory, below: firstSegment, files: files)
        store.removeRetiredGeneration()
        store.removeLeftoverTemporaryFiles()
        return Result(state: state, journal: journal, lastSnapshotAt: lastSnapshotAt, recordsReplayed: replayed, tornBytes: tornBytes)
    }
}
