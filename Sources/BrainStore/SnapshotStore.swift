import BrainCore

/// Writes and reads the JSON snapshot of the whole state in the data directory.
///
/// The file is `snapshot.json`: `format_version` first, then the brain version, the time
/// it was written and the state (see docs/snapshot-format.md). It is replaced atomically.
package struct SnapshotStore: Sendable {
    package static let formatVersion = 1
    package static let fileName = "snapshot.json"

    package var directory: String
    package var path: String { "\(directory)/\(Self.fileName)" }

    package init(directory: String) {
        self.directory = directory
    }

    /// A snapshot read from disk.
    package struct Loaded: Sendable {
        package var state: BrainState
        package var writtenAt: Int64
        package var bytes: Int
        /// The first journal segment written after this snapshot: replay from here.
        package var journalSegment: Int
    }

    /// Encodes `state` to JSON in memory (tests, tools); the brain streams with ``write(_:writtenAt:brainVersion:journalSegment:)``.
    package static func encode(
        _ state: BrainState, writtenAt: Int64, brainVersion: String, journalSegment: Int
    ) -> [UInt8] {
        var out = JSONOutput(fd: nil, path: fileName)
        SnapshotJSONWriter.write(
            state, writtenAt: writtenAt, brainVersion: brainVersion, journalSegment: journalSegment,
            formatVersion: formatVersion, into: &out
        )
        return out.buffer
    }

    /// How many snapshots are kept: `snapshot.json` and `snapshot.1.json` ... older ones.
    package var kept = 3

    /// Whether snapshots are written with `O_DIRECT` where the file system takes it (the
    /// default); `false` writes through the page cache, fsyncing each chunk.
    package var directIO = true

    /// The calls snapshots are written, renamed and removed with: ``FileCalls/system`` but in
    /// tests, which make them fail as a full or broken disk does.
    package var files: FileCalls = .system

    /// The path of the `generation`-th newest snapshot (0 = `snapshot.json`).
    package func path(generation: Int) -> String {
        generation == 0 ? path : "\(directory)/snapshot.\(generation).json"
    }

    /// Writes already-encoded snapshot bytes atomically, keeping the previous ones as
    /// `snapshot.1.json`, `snapshot.2.json`, ... up to ``kept`` in all. `snapshot.json`
    /// exists at every moment: the old one is linked aside before the new one replaces it.
    package func write(_ bytes: [UInt8]) throws(StoreError) {
        try rotateGenerations()
        try FileIO.writeAtomically(path, bytes, files: files)
        removeRetiredGeneration()
    }

    /// Streams a snapshot of `state` to disk (atomically, keeping older generations) and
    /// returns its size. Runs off the thread that owns the state, on a copy of it.
    ///
    /// The generation this pushes out of ``kept`` is left as `snapshot.<kept>.json` for
    /// ``removeRetiredGeneration()``: deleting a large file stalls every fsync on the file
    /// system while it runs, so the caller does that where it may take its time (not at
    /// idle priority, where it would hold up the journal for as long as it waits for a CPU).
    /// `afterChunk` runs after each chunk (about 1 MiB) reaches the file, with its size.
    package func write(
        _ state: BrainState, writtenAt: Int64, brainVersion: String, journalSegment: Int, afterChunk: ((Int) -> Void)? = nil
    ) throws(StoreError) -> Int {
        try rotateGenerations()
        var size = 0
        try FileIO.writeAtomically(path, files: files) { fd, temporary in
            var out = JSONOutput(fd: fd, path: temporary, directIO: directIO, files: files, afterChunk: afterChunk)
            SnapshotJSONWriter.write(
                state, writtenAt: writtenAt, brainVersion: brainVersion, journalSegment: journalSegment,
                formatVersion: Self.formatVersion, into: &out
            )
            out.finish()
            size = out.written
            return out.failure
        }
        FileIO.prefetch(path)
        return size
    }

    /// Shifts every generation up by one, the oldest kept one to `snapshot.<kept>.json`
    /// (retired), and links `snapshot.json` as `snapshot.1.json`. No rename replaces a
    /// file, so none of them frees a file's blocks, unless a retired generation was left
    /// behind (a crash before ``removeRetiredGeneration()``).
    private func rotateGenerations() throws(StoreError) {
        try FileIO.makeDirectory(directory)
        if FileIO.exists(path) {
            for generation in stride(from: max(kept, 1), to: 1, by: -1) where FileIO.exists(path(generation: generation - 1)) {
                FileIO.rename(path(generation: generation - 1), to: path(generation: generation), files: files)
            }
            FileIO.link(path, to: path(generation: 1), files: files)
        }
    }

    /// Deletes the generation the last write retired (`snapshot.<kept>.json`), a step at a
    /// time (see `FileIO.removeGradually`). Blocks for as long as that takes.
    package func removeRetiredGeneration() {
        let retired = path(generation: max(kept, 1))
        if FileIO.exists(retired) { FileIO.removeGradually(retired, files: files) }
    }

    /// The temporary files of snapshots whose writing never finished: a brain killed while
    /// writing one leaves `snapshot.json.tmp-<its pid>` behind, as large as the snapshot was
    /// by then, and no later brain (another pid) would ever replace it.
    package func leftoverTemporaryFiles() -> [String] {
        let prefix = "\(Self.fileName).tmp-"
        return FileIO.entries(of: directory).filter { $0.hasPrefix(prefix) }.map { "\(directory)/\($0)" }
    }

    /// Deletes ``leftoverTemporaryFiles()``. Only for a brain that holds the data directory's
    /// lock: nothing else writes snapshots there then.
    package func removeLeftoverTemporaryFiles() {
        for path in leftoverTemporaryFiles() { FileIO.removeGradually(path, files: files) }
    }

    /// Reads the snapshot, or `nil` on a first start (no file).
    /// - Throws: ``StoreError`` naming the file and the problem when it exists but cannot be used.
    package func load(configuration: CoreConfiguration) throws(StoreError) -> Loaded? {
        try Self.load(path: path, configuration: configuration)
    }

    /// Reads the snapshot at `path`, or `nil` when there is none.
    package static func load(path: String, configuration: CoreConfiguration) throws(StoreError) -> Loaded? {
        let recover =
            "Run `brain recover --data-dir \(FileIO.directory(of: path))` to start from an older snapshot, or restore a good copy. It was not changed."
        let mapped: Result<Loaded, StoreError>? = try FileIO.withMappedFile(path) { raw in
            guard let version = SnapshotJSONReader.formatVersion(raw) else {
                return .failure(StoreError(path: path, problem: "is not a brain snapshot (it does not start with {\"format_version\": ...). \(recover)"))
            }
            guard version == formatVersion else {
                return .failure(
                    StoreError(
                        path: path,
                        problem:
                            "has snapshot format version \(version); this brain reads version \(formatVersion). Use a brain that matches, or run `brain recover` to start from an older snapshot. It was not changed."
                    ))
            }
            do throws(SnapshotParseError) {
                let document = try SnapshotJSONReader(raw).read(configuration: configuration)
                return .success(
                    Loaded(
                        state: document.state, writtenAt: document.writtenAt, bytes: raw.count, journalSegment: document.journalSegment
                    ))
            } catch {
                return .failure(StoreError(path: path, problem: "cannot be read: \(error.message) at byte \(error.offset). \(recover)"))
            }
        }
        guard let mapped else { return nil }
        return try mapped.get()
    }
}
