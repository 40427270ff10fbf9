#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A recording: frames of a 4-byte big-endian length and one `brain.v1.Request`, no header
/// (the format `brain serve --record` writes).
enum RecordingFile {
    /// Where each frame body lies in a recording's bytes.
    struct Layout {
        var bodies: [Range<Int>]
        /// Bytes at the end that do not form a whole frame (a recording cut short).
        var trailingBytes: Int
    }

    /// Splits `bytes` into frame bodies.
    static func layout(of bytes: [UInt8], maxFrameBytes: Int) throws(BenchError) -> Layout {
        var bodies: [Range<Int>] = []
        var offset = 0
        while bytes.count - offset >= 4 {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if length > maxFrameBytes {
                throw BenchError(
                    "frame \(bodies.count + 1) at byte \(offset) announces \(length) bytes (limit \(maxFrameBytes)); this is not a brain recording")
            }
            guard bytes.count - offset - 4 >= length else { break }
            bodies.append(offset + 4..<offset + 4 + length)
            offset += 4 + length
        }
        return Layout(bodies: bodies, trailingBytes: bytes.count - offset)
    }

    /// The whole file.
    static func read(_ path: String) throws(BenchError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError("cannot open \(path): \(errnoText())") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw BenchError("cannot stat \(path): \(errnoText())") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw BenchError("\(path) is not a regular file") }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in
                systemRead(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError("cannot read \(path): \(errnoText())")
            }
            if count == 0 { break }
            filled += count
        }
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }

    /// Writes `bytes` to `path`, replacing it.
    static func write(_ bytes: [UInt8], to path: String) throws(BenchError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path): \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                systemWrite(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = errnoText()
                close(fd)
                throw BenchError("cannot write \(path): \(reason)")
            }
            written += count
        }
        guard close(fd) == 0 else { throw BenchError("cannot write \(path): \(errnoText())") }
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
    #else
        Darwin.read(fd, buffer, count)
    #endif
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
    #else
        Darwin.write(fd, buffer, count)
    #endif
}
