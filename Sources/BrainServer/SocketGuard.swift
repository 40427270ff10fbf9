import BrainProtocol
import BrainStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A start-up problem with the socket or the data directory, worded for the person starting the brain.
package struct StartupError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Checks and prepares the socket path before binding, so a running brain is never
/// displaced and a stale file from a killed one is.
package enum SocketGuard {
    /// Checks that `path` can be bound (short enough, not a file, no brain answering) and
    /// creates its directory. Runs before anything is written to the data directory, so a
    /// start that fails here leaves nothing behind.
    /// - Parameter groupAccess: directories created are made group-traversable (0710).
    /// - Returns: warnings for the person starting the brain: existing directories on the
    ///   way to the socket that the group cannot traverse.
    package static func prepare(path: String, groupAccess: Bool = false) throws(StartupError) -> [String] {
        let bytes = path.utf8.count
        guard bytes < WireConstants.maxSocketPathBytes else {
            throw StartupError(
                "socket path \(path) is \(bytes) bytes; a Unix socket path must be shorter than \(WireConstants.maxSocketPathBytes) bytes. Choose a shorter --socket."
            )
        }
        let directory = FileIOBridge.directory(of: path)
        do {
            try FileIOBridge.makeDirectory(directory, mode: groupAccess ? 0o710 : 0o700)
        } catch {
            throw StartupError("cannot create the socket's directory: \(error)")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw StartupError("cannot create a socket in \(directory): \(String(cString: strerror(errno))); choose another --socket")
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw StartupError("\(path) exists and is not a socket; remove it or choose another --socket")
            }
            if isAnswering(path) {
                throw StartupError("another brain is already answering on \(path); stop it first or choose another --socket")
            }
            // Left behind by a brain that was killed: safe to replace.
            unlink(path)
        }
        return groupAccess ? groupBlockers(of: directory) : []
    }

    /// The directories from `/` down to `directory` that members of the owner's group
    /// cannot traverse (neither group nor others may search them), each with the fix.
    static func groupBlockers(of directory: String) -> [String] {
        var warnings: [String] = []
        var partial = directory.hasPrefix("/") ? "" : "."
        var components = directory.split(separator: "/").map(String.init)
        if directory.hasPrefix("/") { components.insert("", at: 0) }
        for component in components {
            partial = component.isEmpty ? "/" : (partial == "/" ? "/\(component)" : "\(partial)/\(component)")
            var info = stat()
            guard stat(partial, &info) == 0 else { continue }
            if info.st_mode & (S_IXGRP | S_IXOTH) == 0 {
                let mode = String(info.st_mode & 0o7777, radix: 8)
                warnings.append(
                    "--socket-group-access: the group cannot reach the socket: \(partial) has mode \(mode) and group members may not traverse it; run `chmod g+x \(partial)` or choose a --socket in a directory the group can reach"
                )
            }
        }
        return warnings
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
