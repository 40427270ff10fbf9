#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls the journal and the snapshot writer make on their files, as values.
///
/// Production uses ``system``, the calls themselves. Tests substitute calls that fail the
/// way a full or broken disk does (`ENOSPC`, `EIO`), or that remember what was fsynced and
/// lose the rest at a simulated power cut, so those paths are proven on any machine, not
/// only where a small file system can be mounted.
///
/// Each call behaves as its POSIX namesake: a failure returns -1 with `errno` set. They are
/// made once per journal write or snapshot chunk, never per event, so going through a
/// stored closure costs nothing next to the system call itself.
package struct FileCalls: Sendable {
    /// `open(2)`: a descriptor, or -1.
    package var open: @Sendable (_ path: String, _ flags: Int32, _ mode: UInt32) -> Int32
    /// `close(2)`.
    package var close: @Sendable (_ fd: Int32) -> Int32
    /// `write(2)` at the descriptor's offset: bytes written, or -1.
    package var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int
    /// `pwrite(2)` at `offset`: bytes written, or -1.
    package var pwrite: @Sendable (_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ offset: Int) -> Int
    /// `fdatasync(2)`: the journal's and a snapshot chunk's durability point.
    package var fdatasync: @Sendable (_ fd: Int32) -> Int32
    /// `fsync(2)`: a finished snapshot file, and directories after their entries changed.
    package var fsync: @Sendable (_ fd: Int32) -> Int32
    /// `ftruncate(2)`.
    package var ftruncate: @Sendable (_ fd: Int32, _ length: Int) -> Int32
    /// `rename(2)`.
    package var rename: @Sendable (_ from: String, _ to: String) -> Int32
    /// `link(2)`.
    package var link: @Sendable (_ from: String, _ to: String) -> Int32
    /// `unlink(2)`.
    package var unlink: @Sendable (_ path: String) -> Int32

    /// Calls made of the given closures (tests usually start from ``system`` and replace one).
    package init(
        open: @escaping @Sendable (String, Int32, UInt32) -> Int32,
        close: @escaping @Sendable (Int32) -> Int32,
        write: @escaping @Sendable (Int32, UnsafeRawPointer?, Int) -> Int,
        pwrite: @escaping @Sendable (Int32, UnsafeRawPointer?, Int, Int) -> Int,
        fdatasync: @escaping @Sendable (Int32) -> Int32,
        fsync: @escaping @Sendable (Int32) -> Int32,
        ftruncate: @escaping @Sendable (Int32, Int) -> Int32,
        rename: @escaping @Sendable (String, String) -> Int32,
        link: @escaping @Sendable (String, String) -> Int32,
        unlink: @escaping @Sendable (String) -> Int32
    ) {
        self.open = open
        self.close = close
        self.write = write
        self.pwrite = pwrite
        self.fdatasync = fdatasync
        self.fsync = fsync
        self.ftruncate = ftruncate
        self.rename = rename
        self.link = link
        self.unlink = unlink
    }

    /// The real system calls.
    package static let system = FileCalls(
        open: { path, flags, mode in Glibc.open(path, flags, mode_t(mode)) },
        close: { fd in Glibc.close(fd) },
        write: { fd, bytes, count in Glibc.write(fd, bytes, count) },
        pwrite: { fd, bytes, count, offset in Glibc.pwrite(fd, bytes, count, off_t(offset)) },
        fdatasync: { fd in Glibc.fdatasync(fd) },
        fsync: { fd in Glibc.fsync(fd) },
        ftruncate: { fd, length in Glibc.ftruncate(fd, off_t(length)) },
        rename: { from, to in Glibc.rename(from, to) },
        link: { from, to in Glibc.link(from, to) },
        unlink: { path in Glibc.unlink(path) }
    )
}
