import BrainStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A disk that keeps, across a simulated power cut, only what was made durable.
///
/// It sits under the journal and the snapshot writer as their ``FileCalls``. Writes go to
/// real files in one directory (the page cache, as it were); an fsync or fdatasync of a
/// file records its content at that moment as durable, an fsync of the directory records
/// its entries (name to file) as durable. After `cutAfter` calls the power goes: that call
/// and every later one fail with `EIO`, and ``restoreDurableImage()`` then puts the
/// directory back to what the disk held: entries never made durable disappear, files
/// revert to their last synced content. A new file's name is durable only once its
/// directory is fsynced, as POSIX has it (an fsync of the file does not promise its entry).
///
/// Syncs are not passed to the device (durability here is simulated), so a run is fast.
final class PowerCutDisk: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    let directory: String
    private let lock = NSLock()
    private var callsLeft: Int
    private var off = false
    /// Calls made so far (including the one the power went during).
    private var callCount = 0
    /// A file's identity: inode numbers are reused once a file is deleted, identities are not.
    private var identityOfInode: [UInt64: Int] = [:]
    private var nextIdentity = 0
    /// Each file's content as of its last sync, by identity.
    private var durableContent: [Int: [UInt8]] = [:]
    /// The directory's entries as of its last fsync.
    private var durableEntries: [String: Int] = [:]

    /// Starts with everything in `directory` durable; the power goes at call `cutAfter + 1`.
    init(directory: String, cutAfter: Int = .max) {
        self.directory = directory
        self.callsLeft = cutAfter
        for name in Self.entries(directory) {
            let path = "\(directory)/\(name)"
            guard let inode = Self.inode(path) else { continue }
            let identity = identify(inode)
            durableEntries[name] = identity
            durableContent[identity] = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
        }
    }

    /// Whether the power went.
    var isOff: Bool { lock.withLock { off } }

    /// How many calls were made.
    var calls: Int { lock.withLock { callCount } }

    var files: FileCalls {
        FileCalls(
            open: { path, flags, mode in
                guard self.powered() else { return Self.fail() }
                let existed = FileManager.default.fileExists(atPath: path)
                let fd = Glibc.open(path, flags, mode_t(mode))
                if fd >= 0, !existed, let inode = Self.inode(fd: fd) {
                    // A new file: none of it is on the disk yet, not even its name.
                    self.lock.withLock {
                        let identity = self.newIdentity(inode)
                        self.durableContent[identity] = []
                    }
                }
                return fd
            },
            close: { fd in Glibc.close(fd) },
            write: { fd, bytes, count in self.powered() ? Glibc.write(fd, bytes, count) : Self.fail() },
            pwrite: { fd, bytes, count, offset in self.powered() ? Glibc.pwrite(fd, bytes, count, off_t(offset)) : Self.fail() },
            fdatasync: { fd in self.powered() ? self.sync(fd) : Self.fail() },
            fsync: { fd in self.powered() ? self.sync(fd) : Self.fail() },
            ftruncate: { fd, length in self.powered() ? Glibc.ftruncate(fd, off_t(length)) : Self.fail() },
            rename: { from, to in self.powered() ? Glibc.rename(from, to) : Self.fail() },
            link: { from, to in self.powered() ? Glibc.link(from, to) : Self.fail() },
            unlink: { path in self.powered() ? Glibc.unlink(path) : Self.fail() }
        )
    }

    /// Puts the directory back to what the disk held when the power went.
    func restoreDurableImage() throws {
        let (entries, contents) = lock.withLock { (durableEntries, durableContent) }
        for name in Self.entries(directory) where entries[name] == nil {
            try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
        for (name, identity) in entries {
            let path = "\(directory)/\(name)"
            try? FileManager.default.removeItem(atPath: path)
            try Data(contents[identity] ?? []).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Counts a call; false once the power is gone (this call included).
    private func powered() -> Bool {
        lock.withLock {
            callCount += 1
            guard !off else { return false }
            if callsLeft == 0 {
                off = true
                return false
            }
            callsLeft -= 1
            return true
        }
    }

    /// Records what `fd` holds now (a file's bytes, or a directory's entries) as durable.
    private func sync(_ fd: Int32) -> Int32 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return -1 }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            var entries: [String: Int] = [:]
            for name in Self.entries(directory) {
                guard let inode = Self.inode("\(directory)/\(name)") else { continue }
                entries[name] = lock.withLock { identify(inode) }
            }
            lock.withLock { durableEntries = entries }
        } else {
            // Through /proc: the descriptor may be open for direct I/O, which reads must not be.
            let bytes = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: "/proc/self/fd/\(fd)")))) ?? []
            lock.withLock { durableContent[identify(UInt64(info.st_ino))] = bytes }
        }
        return 0
    }

    /// The identity of the file at `inode` (a new one for a file never seen: it came from
    /// outside these calls, and nothing of it is durable).
    private func identify(_ inode: UInt64) -> Int {
        if let identity = identityOfInode[inode] { return identity }
        return newIdentity(inode)
    }

    private func newIdentity(_ inode: UInt64) -> Int {
        nextIdentity += 1
        identityOfInode[inode] = nextIdentity
        return nextIdentity
    }

    private static func entries(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    private static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private static func inode(fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    private static func fail() -> Int {
        errno = EIO
        return -1
    }

    private static func fail() -> Int32 {
        errno = EIO
        return -1
    }
}
