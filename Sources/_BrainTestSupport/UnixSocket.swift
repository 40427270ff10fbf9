public import BrainProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Plain blocking Unix stream sockets for tests that must control the bytes exactly: a raw
/// client that decides when (and whether) replies are read, or a fake brain.
public enum UnixSocket {
    /// A stream socket connected to `path`.
    /// - Throws: ``BrainProtocol/BrainError`` `UNAVAILABLE` naming the path and the reason.
    public static func connect(to path: String) throws -> Int32 {
        try open(path) { fd, address, length in Glibc.connect(fd, address, length) == 0 }
    }

    /// A stream socket bound to `path` and listening.
    public static func listen(at path: String, backlog: Int32 = 64) throws -> Int32 {
        try open(path) { fd, address, length in bind(fd, address, length) == 0 && Glibc.listen(fd, backlog) == 0 }
    }

    /// `requests` as length-prefixed frames, ready for one write.
    public static func frames(_ requests: [BrainRequest]) -> [UInt8] {
        var bytes: [UInt8] = []
        for request in requests { append(WireCodec.encode(request), to: &bytes) }
        return bytes
    }

    /// `response` as one length-prefixed frame.
    public static func frame(_ response: BrainResponse) -> [UInt8] {
        var bytes: [UInt8] = []
        append(WireCodec.encode(response), to: &bytes)
        return bytes
    }

    /// Writes all of `bytes` (retrying after EINTR, no SIGPIPE); false when the peer is gone.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    private static func append(_ body: [UInt8], to bytes: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(body.count).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: body)
    }

    private static func open(
        _ path: String, _ attach: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool
    ) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BrainError(.internal, "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let attached = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { attach(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard attached else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BrainError(.unavailable, "\(path): \(reason)")
        }
        return fd
    }
}
