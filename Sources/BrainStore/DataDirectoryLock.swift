#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a data directory (`brain.lock`), held by every command that
/// changes the directory, so two processes never write it at once.
///
/// `brain serve` holds it for its whole life and `brain recover` while it examines and
/// repairs. The holder writes its pid into the file: `flock` cannot say who holds a
/// lock, and a refusal that names the process is one a person can act on.
package final class DataDirectoryLock: Sendable {
    /// The lock file's name inside the data directory.
    package static let fileName = "brain.lock"

    private let fd: Int32

    /// Takes the lock on `directory`, which must exist.
    /// - Parameter purpose: what the caller is about to do, and any other way out, for
    ///   the refusal's message (`"recover it"`).
    /// - Throws: ``StoreError`` naming the process that holds the lock, or why the file
    ///   cannot be opened.
    package init(directory: String, purpose: String) throws(StoreError) {
        let path = "\(directory)/\(Self.fileName)"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(path: path, problem: "cannot open the lock file: \(FileIO.errnoText()); check that the data directory is writable")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.describeHolder(fd: fd)
            close(fd)
            throw StoreError(
                path: directory,
                problem: "\(holder) is using this data directory (it holds \(path)); stop it before you \(purpose)"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        // Best effort: the lock itself is what protects the directory; the pid only names it.
        if ftruncate(fd, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// "another brain (pid 123: brain serve --data-dir …)", from the pid the holder wrote.
    static func describeHolder(fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0,
            let pid = Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace()),
            pid > 0
        else { return "another process" }
        guard let command = commandLine(of: pid) else { return "another process (pid \(pid))" }
        return "another process (pid \(pid): \(command))"
    }

    /// The process's command line from `/proc`, arguments joined by spaces; nil where there is no `/proc`.
    static func commandLine(of pid: Int32) -> String? {
        guard let bytes = try? FileIO.read("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return nil }
        let words = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let text = words.joined(separator: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return text
    }
}
