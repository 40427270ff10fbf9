#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The append-only journal: every input applied to the state since the last snapshot.
///
/// Records are appended to a memory buffer and reach the file in ``flush(now:)``, once per
/// batch (group commit). Segments are numbered: a snapshot rotates to a new segment and,
/// once it is durable, the segments it covers are removed.
///
/// On disk, a segment is the magic `BRAINJ1\n` then records of
/// `u32 length | u32 crc32c | payload` (little-endian); see docs/snapshot-format.md.
public final class Journal {
    public static let magic: [UInt8] = Array("BRAINJ1\n".utf8)

    public let directory: String
    public let policy: FsyncPolicy
    public private(set) var segment: Int
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    /// Bytes of the current segment on disk (written, maybe not yet fsynced).
    public private(set) var segmentBytes: Int = 0
    /// Bytes in all segments, current included.
    public private(set) var totalBytes: Int = 0
    private var lastSync: Int64 = 0
    private var unsynced = false

    /// Opens (creating) segment `segment` for appending after its valid end.
    public init(directory: String, segment: Int, validLength: Int?, policy: FsyncPolicy, otherBytes: Int) throws(StoreError) {
        self.directory = directory
        self.policy = policy
        self.segment = segment
        self.totalBytes = otherBytes
        try open(segment: segment, validLength: validLength)
        pending.reserveCapacity(1 << 20)
    }

    deinit { if fd >= 0 { close(fd) } }

    public static func fileName(_ segment: Int) -> String {
        let digits = String(segment)
        return "journal-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log"
    }

    public func path(_ segment: Int) -> String { "\(directory)/\(Self.fileName(segment))" }

    private func open(segment: Int, validLength: Int?) throws(StoreError) {
        let path = self.path(segment)
        let handle = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard handle >= 0 else { throw StoreError(path: path, problem: "cannot open the journal: \(FileIO.errnoText())") }
        var length = validLength ?? 0
        if length < Self.magic.count {
            guard ftruncate(handle, 0) == 0 else {
                close(handle)
                throw StoreError(path: path, problem: "cannot truncate: \(FileIO.errnoText())")
            }
            length = 0
            pending.append(contentsOf: Self.magic)
        } else if ftruncate(handle, off_t(length)) != 0 {
            // Cuts a torn tail found at start-up.
            close(handle)
            throw StoreError(path: path, problem: "cannot truncate the torn tail: \(FileIO.errnoText())")
        }
        lseek(handle, off_t(length), SEEK_SET)
        fd = handle
        segmentBytes = length
        totalBytes += length
    }

    /// Whether records wait to be written.
    public var hasPending: Bool { !pending.isEmpty }

    /// Appends a record to the buffer (not yet written).
    public func append(_ record: JournalRecord) {
        let start = pending.count
        pending.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        record.encodePayload(into: &pending)
        seal(from: start)
    }

    /// Appends an agent event straight from its frame bytes: the hot path, no intermediate arrays.
    public func appendEvent(agentID: String, request: UnsafeRawBufferPointer, now: Int64) {
        let start = pending.count
        pending.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        var writer = RecordWriter(out: [])
        swap(&writer.out, &pending)
        writer.header(.event, now)
        writer.string(agentID)
        writer.integer(UInt32(request.count))
        writer.out.append(contentsOf: request)
        swap(&writer.out, &pending)
        seal(from: start)
    }

    private func seal(from start: Int) {
        let payloadLength = pending.count - start - 8
        let crc = pending.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
        withUnsafeBytes(of: UInt32(payloadLength).littleEndian) { header in
            for index in 0..<4 { pending[start + index] = header[index] }
        }
        withUnsafeBytes(of: crc.littleEndian) { header in
            for index in 0..<4 { pending[start + 4 + index] = header[index] }
        }
    }

    /// Writes what is buffered and makes it durable as the policy says.
    /// Returns whether acknowledgements may now be sent for everything appended so far.
    /// - Throws: ``StoreError`` when writing fails; the buffer is kept and retried next time.
    @discardableResult
    public func flush(now: Int64) throws(StoreError) -> Bool {
        if !pending.isEmpty {
            let path = self.path(segment)
            let failure: StoreError? = pending.withUnsafeBytes { bytes in
                do throws(StoreError) {
                    try FileIO.writeAll(fd, bytes, path: path)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure {
                // A partial write may have landed: cut the file back so a retry does not tear the segment.
                _ = ftruncate(fd, off_t(segmentBytes))
                lseek(fd, off_t(segmentBytes), SEEK_SET)
                throw failure
            }
            segmentBytes += pending.count
            totalBytes += pending.count
            pending.removeAll(keepingCapacity: true)
            unsynced = true
        }
        switch policy {
        case .batch:
            try sync(now: now)
        case .interval(let milliseconds):
            if unsynced, now - lastSync >= Int64(milliseconds) * 1_000_000 { try sync(now: now) }
        case .never:
            break
        }
        return true
    }

    /// fsyncs the current segment if anything is unsynced.
    public func sync(now: Int64) throws(StoreError) {
        guard unsynced else { return }
        guard fdatasync(fd) == 0 else {
            throw StoreError(path: path(segment), problem: "cannot fsync the journal: \(FileIO.errnoText())")
        }
        unsynced = false
        lastSync = now
    }

    /// Flushes and fsyncs, then starts a new segment. Returns the new segment's number:
    /// a snapshot taken now covers every segment below it.
    public func rotate(now: Int64) throws(StoreError) -> Int {
        try flush(now: now)
        try sync(now: now)
        close(fd)
        fd = -1
        segment += 1
        try open(segment: segment, validLength: nil)
        try flush(now: now)
        return segment
    }

    /// Removes the segments below `segment` (covered by a durable snapshot).
    public func removeSegments(below segment: Int) {
        for number in JournalReader.segments(in: directory) where number < segment {
            var info = stat()
            if stat(path(number), &info) == 0 { totalBytes -= Int(info.st_size) }
            unlink(path(number))
        }
        try? FileIO.fsyncDirectory(directory)
    }
}
