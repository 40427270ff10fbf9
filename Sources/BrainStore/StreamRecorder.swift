#if canImport(Glibc)
    import Glibc
#endif

/// `brain serve --record FILE`: every agent event received, as the frames it arrived in
/// (4-byte big-endian length, then the `brain.v1.Request`), the same format as
/// `brain-bench generate` writes, so a recording can be replayed.
///
/// Written on the journal thread with the journal's chunks; not fsynced (a benchmark aid).
package final class StreamRecorder: @unchecked Sendable {
    // @unchecked: like Journal, used by the journal thread only after start-up.
    package let path: String
    private let fd: Int32

    package init(path: String) throws(StoreError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(path: path, problem: "cannot create the recording: \(FileIO.errnoText())") }
    }

    deinit { close(fd) }

    /// Appends one frame body with its length prefix to `buffer` (on the event loop).
    package static func append(frame: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(frame.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: frame)
    }

    /// Writes a chunk of frames (on the journal thread).
    package func write(_ chunk: [UInt8]) throws(StoreError) {
        try FileIO.writeAll(fd, chunk, path: path)
    }
}
