import BrainProtocol
import BrainStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A start-up problem with the socket or the data directory, worded for the person starting the brain.
public struct StartupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Checks and prepares the socket path before binding, so a running brain is never
/// displaced and a stale file from a killed one is.
enum SocketGuard {
    static func prepare(path: String) throws(StartupError) {
        let bytes = path.utf8.count
        guard bytes < WireConstants.maxSocketPathBytes else {
            throw StartupError("socket path \(path) is \(bytes) bytes; a Unix socket path must be shorter than \(WireConstants.maxSocketPathBytes) bytes. Choose a shorter --socket.")
        }
        do {
            try FileIOBridge.makeDirectory(FileIOBridge.directory(of: path))
        } catch {
            throw StartupError("cannot create the socket's directory: \(error)")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw StartupError("\(path) exists and is not a socket; remove it or choose another --socket")
        }
        if isAnswering(path) {
            throw StartupError("another brain is already answering on \(path); stop it first or choose another --socket")
        }
        // Left behind by a brain that was killed: safe to replace.
        unlink(path)
    }

    /// Whether something accepts connections on the socket at `path`.
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let utf8 = Array(path.utf8.prefix(capacity - 1))
            raw.copyBytes(from: utf8)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    static func setMode(path: String, groupAccess: Bool) throws(StartupError) {
        guard chmod(path, groupAccess ? 0o660 : 0o600) == 0 else {
            throw StartupError("cannot set the mode of \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// An exclusive lock on the data directory, so two brains never write the same snapshot.
final class DataDirectoryLock: Sendable {
    private let fd: Int32

    init(directory: String) throws(StartupError) {
        let path = "\(directory)/brain.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StartupError("cannot open \(path): \(String(cString: strerror(errno))); check that the data directory is writable")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StartupError("another brain is using the data directory \(directory) (it holds \(path)); stop it or choose another --data-dir")
        }
    }

    deinit { close(fd) }
}
