internal import CBrainSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends to a file opened for direct I/O (`O_DIRECT`): bytes go from an aligned buffer
/// to the disk without being copied into the page cache.
///
/// Why: on the VMs the brain is measured on, every new page-cache page costs more than the
/// copy itself (the journal thread spent ~40 % of its time in the kernel's copy into fresh
/// page-cache pages, ~250 MB/s); direct writes run at the disk's speed, and the CPU is
/// left to the event loop.
///
/// Direct I/O writes whole blocks at block-aligned offsets, so the partial last block is
/// kept here and written again, with the new bytes after it, on the next append. The file
/// therefore ends in zero padding up to the block boundary; the journal's reader takes
/// trailing zeros for the end (a record is never empty), and the journal cuts the padding
/// off when it closes a segment.
final class DirectAppender {
    /// The block size writes are aligned to (covers 512-byte and 4 KiB devices).
    static let blockSize = 4_096
    /// The staging buffer's size to start with and to shrink back to.
    static let initialCapacity = blockSize * 64

    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes of the partial last block, held at the start of `buffer`.
    private var tail: Int
    /// The file offset of `buffer`'s first byte: the start of the partial last block.
    private var blockOffset: Int
    /// The writes go through these (tests inject failures).
    private let files: FileCalls

    /// Switches `fd` (open for writing, `length` bytes long) to direct I/O, or returns `nil`
    /// when the file system does not support it (then plain writes are used).
    init?(fd: Int32, length: Int, files: FileCalls = .system) {
        let flag = cbrain_o_direct_flag()
        let flags = fcntl(fd, F_GETFL)
        guard flag != 0, flags >= 0 else { return nil }
        guard let buffer = Self.allocate(Self.initialCapacity) else { return nil }
        self.buffer = buffer
        self.capacity = Self.initialCapacity
        self.files = files
        self.tail = length % Self.blockSize
        self.blockOffset = length - tail
        // The partial last block is rewritten with each append, so it is read back first.
        guard Self.readFully(fd, buffer, count: tail, at: blockOffset), fcntl(fd, F_SETFL, flags | flag) == 0 else {
            free(buffer)
            return nil
        }
    }

    deinit { free(buffer) }

    /// Writes `bytes` after everything appended so far. On failure nothing here changes, so
    /// the same bytes can be appended again; the file may hold a partial block past the old
    /// end, which the caller truncates away.
    /// - Returns: `nil`, or the failure's description (with `errno` still set).
    func append(_ bytes: UnsafeRawBufferPointer, fd: Int32) -> String? {
        let end = tail + bytes.count
        let writeLength = (end + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        if writeLength > capacity {
            guard grow(to: writeLength) else { return "cannot allocate \(writeLength) bytes to stage a journal write" }
        }
        if let source = bytes.baseAddress { (buffer + tail).copyMemory(from: source, byteCount: bytes.count) }
        (buffer + end).initializeMemory(as: UInt8.self, repeating: 0, count: writeLength - end)
        var done = 0
        while done < writeLength {
            let written = files.pwrite(fd, buffer + done, writeLength - done, blockOffset + done)
            if written < 0 {
                if errno == EINTR { continue }
                // EINVAL: this file system wants a larger alignment than the one we use.
                // Writing on through the page cache keeps the same bytes and offsets.
                if errno == EINVAL, Self.leaveDirectIO(fd) { continue }
                return "cannot write: \(FileIO.errnoText())"
            }
            // A short direct write that is not whole blocks cannot be continued in place.
            guard written > 0, written % Self.blockSize == 0 || done + written == writeLength else {
                return "the disk took \(written) of \(writeLength - done) bytes of a direct write"
            }
            done += written
        }
        let newTail = end % Self.blockSize
        let kept = end - newTail
        if newTail > 0 { buffer.copyMemory(from: buffer + kept, byteCount: newTail) }
        blockOffset += kept
        tail = newTail
        return nil
    }

    /// Forgets everything appended after `length` (at most what the last append added), the
    /// file having been cut back to `length`: the next append writes from there. Reads the
    /// partial last block back from the file; false when that read fails.
    func rewind(to length: Int, fd: Int32) -> Bool {
        let newTail = length % Self.blockSize
        let newOffset = length - newTail
        // A whole aligned block: what a direct read needs (the file ends inside it).
        guard newTail == 0 || Self.readFully(fd, buffer, count: newTail, at: newOffset, chunk: Self.blockSize) else {
            return false
        }
        tail = newTail
        blockOffset = newOffset
        return true
    }

    /// Gives back a staging buffer grown by large writes (a burst's batches reach megabytes),
    /// keeping the partial last block.
    func shrink() {
        guard capacity > Self.initialCapacity, let smaller = Self.allocate(Self.initialCapacity) else { return }
        smaller.copyMemory(from: buffer, byteCount: tail)
        free(buffer)
        buffer = smaller
        capacity = Self.initialCapacity
    }

    /// Clears `O_DIRECT` on `fd`; false when it was not set (so the error was another one).
    static func leaveDirectIO(_ fd: Int32) -> Bool {
        let flag = cbrain_o_direct_flag()
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, flags & flag != 0 else { return false }
        return fcntl(fd, F_SETFL, flags & ~flag) == 0
    }

    private func grow(to needed: Int) -> Bool {
        var size = capacity
        while size < needed { size *= 2 }
        guard let bigger = Self.allocate(size) else { return false }
        bigger.copyMemory(from: buffer, byteCount: tail)
        free(buffer)
        buffer = bigger
        capacity = size
        return true
    }

    private static func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, blockSize, size) == 0 else { return nil }
        return pointer
    }

    /// Reads `count` bytes at `offset` into `into`. With `chunk`, asks for that many bytes at
    /// once (a direct read must be whole blocks; the file's end makes it come back short).
    private static func readFully(
        _ fd: Int32, _ into: UnsafeMutableRawPointer, count: Int, at offset: Int, chunk: Int? = nil
    ) -> Bool {
        var done = 0
        while done < count {
            let read = pread(fd, into + done, chunk ?? (count - done), off_t(offset + done))
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { return false }
            done += read
        }
        return true
    }
}
