#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The append-only journal file: every input applied to the state since the last snapshot.
///
/// The event loop encodes records into a ``JournalBuffer``; this class writes the
/// buffers handed to it, on the journal's own thread, so the loop never waits for the
/// disk. Segments are numbered: a snapshot rotates to a new segment and, once it is
/// durable, the segments it covers are removed.
///
/// On disk, a segment is the magic `BRAINJ2\n` (its format version) then records of
/// `u32 length | u32 crc32c | payload` (little-endian), possibly followed by zero padding
/// (direct I/O writes whole blocks; see ``DirectAppender``); see docs/snapshot-format.md.
package final class Journal: @unchecked Sendable {
    // @unchecked: after start-up a Journal is used by one thread at a time, the journal
    // thread (a one-thread pool whose tasks run in order); nothing else touches it.
    /// The header of segments this brain writes: format version ``version``.
    package static let magic: [UInt8] = header(version: version)
    /// The journal format this brain writes: version 2 is version 1 (PR #6's records) plus
    /// the `pruneErrors` command. Segments of every version up to this one are replayed.
    package static let version = 2

    static func header(version: Int) -> [UInt8] { Array("BRAINJ\(version)\n".utf8) }

    /// The format version a segment's first bytes announce, or nil when they are no journal
    /// header at all (`BRAINJ<digit>\n`).
    static func version(ofHeader bytes: some Collection<UInt8>) -> Int? {
        let prefix = Array(bytes.prefix(magic.count))
        guard prefix.count == magic.count, prefix.starts(with: Array("BRAINJ".utf8)), prefix.last == UInt8(ascii: "\n"),
            let digit = prefix.dropLast().last, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(digit)
        else { return nil }
        return Int(digit - UInt8(ascii: "0"))
    }

    package let directory: String
    package let policy: FsyncPolicy
    /// Whether to try direct I/O for each segment (see ``DirectAppender``).
    package let directIO: Bool
    /// The file calls writes and fsyncs go through: the real ones, or a test's.
    package let files: FileCalls
    package private(set) var segment: Int
    private var fd: Int32 = -1
    /// Direct I/O for the current segment, where the file system has it (else plain writes).
    private var appender: DirectAppender?
    /// Whether writes bypass the page cache (`O_DIRECT`; not every file system has it).
    package var usesDirectIO: Bool { appender != nil }
    /// Bytes of the current segment on disk.
    package private(set) var segmentBytes: Int = 0
    /// Bytes in all segments, current included.
    package private(set) var totalBytes: Int = 0
    private var lastSync: Int64 = 0
    private var unsynced = false
    /// Set after a failed write: later writes are refused until a retry succeeds, so records
    /// never reach the file out of order.
    package private(set) var faulted = false

    /// Opens (creating) segment `segment` for appending after its valid end.
    /// - Parameters:
    ///   - directIO: write with `O_DIRECT` where the file system takes it (the default);
    ///     `false` writes through the page cache.
    ///   - files: the calls writes go through (``FileCalls/system`` but in tests).
    package init(
        directory: String, segment: Int, validLength: Int?, policy: FsyncPolicy, otherBytes: Int, directIO: Bool = true,
        files: FileCalls = .system
    ) throws(StoreError) {
        self.directory = directory
        self.policy = policy
        self.directIO = directIO
        self.files = files
        self.segment = segment
        self.totalBytes = otherBytes
        try open(segment: segment, validLength: validLength)
    }

    deinit { closeSegment() }

    /// Cuts direct I/O's zero padding off the current segment and closes it.
    private func closeSegment() {
        guard fd >= 0 else { return }
        if appender != nil { _ = files.ftruncate(fd, segmentBytes) }
        appender = nil
        _ = files.close(fd)
        fd = -1
    }

    package static func fileName(_ segment: Int) -> String {
        let digits = String(segment)
        return "journal-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log"
    }

    package func path(_ segment: Int) -> String { "\(directory)/\(Self.fileName(segment))" }

    private func open(segment: Int, validLength: Int?) throws(StoreError) {
        let path = self.path(segment)
        // read: DirectAppender reloads the last block
        let handle = files.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard handle >= 0 else { throw StoreError(path: path, problem: "cannot open the journal: \(FileIO.errnoText())") }
        var length = validLength ?? 0
        if length < Self.magic.count {
            length = 0
        }
        // Cuts a torn tail found at start-up (or a header never completed).
        guard files.ftruncate(handle, length) == 0 else {
            _ = files.close(handle)
            throw StoreError(path: path, problem: "cannot truncate the torn tail: \(FileIO.errnoText())")
        }
        lseek(handle, off_t(length), SEEK_SET)
        fd = handle
        appender = directIO ? DirectAppender(fd: handle, length: length, files: files) : nil
        segmentBytes = length
        totalBytes += length
        if length == 0 {
            try write(Self.magic, now: 0, retry: true)
            try sync(now: 0)
            // The new file's name must be durable before anything in it is acknowledged: an
            // fsync of the file does not promise its directory entry, and after a power cut a
            // segment without one is gone with every record acked into it.
            try FileIO.fsyncDirectory(directory, files: files)
        }
    }

    /// Writes `chunk` and makes it durable as the policy says.
    ///
    /// All or nothing: when it throws, the segment is as it was before the call (a partial
    /// write, or a whole one whose fsync failed, is cut off again), so the caller writes the
    /// same chunk again, with ``retry``, and no record is torn or kept twice.
    /// - Parameter retry: writing again what failed before; clears the fault on success.
    /// - Throws: ``StoreError`` when writing or its fsync fails.
    package func write(_ chunk: [UInt8], now: Int64, retry: Bool = false) throws(StoreError) {
        if faulted, !retry {
            throw StoreError(path: path(segment), problem: "an earlier journal write failed and is not yet retried")
        }
        let before = segmentBytes
        if !chunk.isEmpty {
            let path = self.path(segment)
            do throws(StoreError) {
                if let appender {
                    if let failure = chunk.withUnsafeBytes({ appender.append($0, fd: fd) }) {
                        throw StoreError(path: path, problem: failure)
                    }
                } else {
                    try FileIO.writeAll(fd, chunk, path: path, files: files)
                }
            } catch {
                // A partial write may have landed: cut the file back so a retry does not tear the
                // segment. (A failed append leaves the direct-I/O staging as it was.)
                cutBack(to: before, rewindingAppender: false)
                faulted = true
                throw error
            }
            segmentBytes += chunk.count
            totalBytes += chunk.count
            unsynced = true
        }
        do throws(StoreError) {
            switch policy {
            case .batch:
                try sync(now: now)
            case .interval(let milliseconds):
                if unsynced, now - lastSync >= Int64(milliseconds) * 1_000_000 { try sync(now: now) }
            case .never:
                break
            }
        } catch {
            // The chunk is in the file but not known to be on the disk, and the caller will
            // write it again: without the cut it would be in the segment twice. (After a
            // failed fsync the page cache cannot be trusted either: the retry rewrites it.)
            if segmentBytes > before {
                totalBytes -= segmentBytes - before
                segmentBytes = before
                cutBack(to: before, rewindingAppender: true)
            }
            throw error
        }
        faulted = false
    }

    /// Cuts the current segment back to `length` after a failed write, and points the next
    /// write there.
    private func cutBack(to length: Int, rewindingAppender: Bool) {
        _ = files.ftruncate(fd, length)
        lseek(fd, off_t(length), SEEK_SET)
        if rewindingAppender, let appender, !appender.rewind(to: length, fd: fd) {
            // The partial block could not be read back: go on through the page cache, which
            // writes at the descriptor's offset.
            _ = DirectAppender.leaveDirectIO(fd)
            self.appender = nil
        }
    }

    /// Gives back memory a burst of writes grew (the direct-I/O staging buffer).
    package func releaseIdleMemory() {
        appender?.shrink()
    }

    /// fsyncs the current segment if anything is unsynced.
    package func sync(now: Int64) throws(StoreError) {
        guard unsynced else { return }
        guard files.fdatasync(fd) == 0 else {
            faulted = true
            throw StoreError(path: path(segment), problem: "cannot fsync the journal: \(FileIO.errnoText())")
        }
        unsynced = false
        lastSync = now
    }

    /// fsyncs, then starts segment `next`: a snapshot taken now covers every segment below it.
    package func rotate(to next: Int, now: Int64) throws(StoreError) {
        if faulted { throw StoreError(path: path(segment), problem: "the journal is failing; not rotating") }
        try sync(now: now)
        closeSegment()
        segment = next
        try open(segment: next, validLength: nil)
    }

    /// Deletes the segment files below `segment` in `directory` and returns their bytes.
    /// Safe on any thread while the journal writes (it never touches the current segment):
    /// unlinking hundreds of megabytes can take ext4 tens of milliseconds, which the
    /// journal thread, and so every ack, would otherwise wait for.
    package static func deleteSegments(in directory: String, below segment: Int, files: FileCalls = .system) -> Int {
        var removed = 0
        for number in JournalReader.segments(in: directory) where number < segment {
            let path = "\(directory)/\(fileName(number))"
            var info = stat()
            if stat(path, &info) == 0 { removed += Int(info.st_size) }
            FileIO.removeGradually(path, files: files)
        }
        try? FileIO.fsyncDirectory(directory, files: files)
        return removed
    }

    /// Takes segments deleted by ``deleteSegments(in:below:)`` out of ``totalBytes`` (only
    /// segments this journal counted: those written since it was opened, or replayed).
    package func forgetRemovedSegments(bytes: Int) {
        totalBytes -= bytes
    }
}
