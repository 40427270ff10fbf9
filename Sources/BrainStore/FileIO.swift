#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small POSIX file helpers with errors that name the file.
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Creates `path` and its parents with `mode` when missing.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(StoreError) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            var info = stat()
            if stat(partial, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR {
                    throw StoreError(path: partial, problem: "exists but is not a directory")
                }
                continue
            }
            if mkdir(partial, mode) != 0, errno != EEXIST {
                throw StoreError(path: partial, problem: "cannot create directory: \(errnoText())")
            }
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names in `directory` (without `.` and `..`); empty when it cannot be read.
    static func entries(of directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Best effort: keeping an older snapshot must never block writing the new one.
    static func rename(_ from: String, to: String, files: FileCalls = .system) { _ = files.rename(from, to) }

    /// Hard-links `from` as `to`, replacing `to` (best effort, as above).
    static func link(_ from: String, to: String, files: FileCalls = .system) {
        let temporary = to + ".link"
        _ = files.unlink(temporary)
        if files.link(from, temporary) == 0 { _ = files.rename(temporary, to) }
    }

    /// How much of a file ``removeGradually(_:stepBytes:)`` frees at a time.
    static let removalStepBytes = 32 << 20

    /// Deletes `path` (best effort), freeing a large file's blocks `stepBytes` at a time.
    ///
    /// Unlinking a file of a gigabyte frees all its extents inside one system call, under
    /// the file system's journal: on ext4 every fsync in the meantime (the brain's journal
    /// acks) waits for it, and measured here that stalled acknowledgements for 75 ms and
    /// more per deleted snapshot. Shrinking the file in steps first keeps each of those
    /// transactions short. A file with other links (a snapshot generation linked aside
    /// while it is still `snapshot.json`, after a failed write) is only unlinked: shrinking
    /// it would shrink every name it has.
    static func removeGradually(_ path: String, stepBytes: Int = removalStepBytes, files: FileCalls = .system) {
        let fd = files.open(path, O_WRONLY | O_CLOEXEC, 0)
        if fd >= 0 {
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink == 1 {
                var size = Int(info.st_size)
                while size > stepBytes {
                    size -= stepBytes
                    if files.ftruncate(fd, size) != 0 { break }
                }
            }
            _ = files.close(fd)
        }
        _ = files.unlink(path)
    }

    /// The whole file, or `nil` when it does not exist.
    static func read(_ path: String) throws(StoreError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StoreError(path: path, problem: "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        // Sized once from the file's length: growing by doubling copies a large journal
        // segment about twice over.
        var info = stat()
        if fstat(fd, &info) == 0 { bytes.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(path: path, problem: "cannot read: \(errnoText())")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Maps the file at `path` read-only and hands its bytes to `body`, or returns `nil`
    /// when there is no file. For snapshots: reading a 1 GB file into a growing array
    /// copied it about twice and held twice its size (start-up with 3.4M steps took 18 s and
    /// left 2.1 GB resident); mapped, the page cache's pages are used in place and the
    /// kernel reads ahead.
    static func withMappedFile<R>(_ path: String, _ body: (UnsafeRawBufferPointer) -> R) throws(StoreError) -> R? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StoreError(path: path, problem: "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError(path: path, problem: "cannot stat: \(errnoText())") }
        let size = Int(info.st_size)
        guard size > 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw StoreError(path: path, problem: "cannot map: \(errnoText())")
        }
        defer { munmap(mapped, size) }
        // Read ahead all of it now, in the background, while parsing starts at the front.
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        _ = madvise(mapped, size, MADV_WILLNEED)
        return body(UnsafeRawBufferPointer(start: mapped, count: size))
    }

    /// Asks the kernel to read `path` into the page cache in the background. A snapshot is
    /// written with direct I/O, which leaves none of it cached: without this, the start-up
    /// after a crash would read it all from the disk first. (The device fills the pages; the
    /// brain's threads do nothing.)
    static func prefetch(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_WILLNEED))
        close(fd)
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String, files: FileCalls = .system) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let written = files.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError(path: path, problem: "cannot write: \(errnoText())")
            }
            offset += written
        }
    }

    /// Writes all of `bytes` to `fd`. (`withUnsafeBytes` only rethrows untyped errors, hence
    /// the failure carried out of its closure.)
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, files: FileCalls = .system) throws(StoreError) {
        let failure: StoreError? = bytes.withUnsafeBytes { buffer in
            do throws(StoreError) {
                try writeAll(fd, buffer, path: path, files: files)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Replaces `path` atomically: temp file in the same directory, fsync, rename, fsync
    /// the directory. A crash leaves the old file or the new one, never a torn one.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600, files: FileCalls = .system) throws(StoreError) {
        try writeAtomically(path, mode: mode, files: files) { fd, temporary in
            do throws(StoreError) {
                try writeAll(fd, bytes, path: temporary, files: files)
                return nil
            } catch {
                return error
            }
        }
    }

    /// As above, with the content written by `body` to the temporary file's descriptor
    /// (returning a failure or `nil`): lets a large file be streamed.
    static func writeAtomically(
        _ path: String, mode: mode_t = 0o600, files: FileCalls = .system, body: (Int32, String) -> StoreError?
    ) throws(StoreError) {
        let directory = Self.directory(of: path)
        let temporary = "\(path).tmp-\(getpid())"
        let fd = files.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, UInt32(mode))
        guard fd >= 0 else { throw StoreError(path: temporary, problem: "cannot create: \(errnoText())") }
        var failure = body(fd, temporary)
        if failure == nil, files.fsync(fd) != 0 {
            failure = StoreError(path: temporary, problem: "cannot fsync: \(errnoText())")
        }
        if files.close(fd) != 0, failure == nil {
            failure = StoreError(path: temporary, problem: "cannot close: \(errnoText())")
        }
        if let failure {
            _ = files.unlink(temporary)
            throw failure
        }
        guard files.rename(temporary, path) == 0 else {
            let problem = errnoText()
            _ = files.unlink(temporary)
            throw StoreError(path: path, problem: "cannot rename \(temporary) over it: \(problem)")
        }
        try fsyncDirectory(directory, files: files)
    }

    static func fsyncDirectory(_ directory: String, files: FileCalls = .system) throws(StoreError) {
        let fd = files.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw StoreError(path: directory, problem: "cannot open directory: \(errnoText())") }
        defer { _ = files.close(fd) }
        guard files.fsync(fd) == 0 else { throw StoreError(path: directory, problem: "cannot fsync directory: \(errnoText())") }
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Copies a file (durably) to `target`.
    static func copy(_ path: String, to target: String) throws(StoreError) {
        guard let bytes = try read(path) else { throw StoreError(path: path, problem: "does not exist") }
        try writeAtomically(target, bytes)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
