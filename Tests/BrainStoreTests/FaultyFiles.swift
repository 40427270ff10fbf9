import BrainStore
import Foundation
import Testing

/// File calls that fail on demand the way a full or broken disk does; until then, and for
/// every call not armed, they are the real ones.
final class FaultyFiles: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    enum Call: Hashable, Sendable, CustomStringConvertible {
        case open, write, pwrite, fdatasync, fsync, ftruncate, rename, link, unlink

        var description: String {
            switch self {
            case .open: "open"
            case .write: "write"
            case .pwrite: "pwrite"
            case .fdatasync: "fdatasync"
            case .fsync: "fsync"
            case .ftruncate: "ftruncate"
            case .rename: "rename"
            case .link: "link"
            case .unlink: "unlink"
            }
        }
    }

    private let lock = NSLock()
    private var failing: [Call: Int32] = [:]
    /// Bytes the data writes may still put down before an armed write fails: a full disk
    /// takes part of a write first. Direct writes take whole 4 KiB blocks only.
    private var room = 0
    private var counts: [Call: Int] = [:]

    /// Makes every later `call` fail with `code`; writes first fill `room` bytes.
    func fail(_ calls: Set<Call>, with code: Int32, room: Int = 0) {
        lock.withLock {
            for call in calls { failing[call] = code }
            self.room = room
        }
    }

    /// The disk works again.
    func heal() {
        lock.withLock { failing = [:] }
    }

    /// How many times `call` failed.
    func failures(_ call: Call) -> Int {
        lock.withLock { counts[call] ?? 0 }
    }

    /// `nil` when `call` goes through; else the errno it fails with (counted).
    private func failure(_ call: Call) -> Int32? {
        lock.withLock {
            guard let code = failing[call] else { return nil }
            counts[call, default: 0] += 1
            return code
        }
    }

    /// What an armed data write does.
    private enum WriteOutcome {
        case pass
        case partial(Int)
        case fail(Int32)
    }

    /// Whether a write of `count` bytes goes through, puts down part of them (the room left),
    /// or fails.
    private func writeOutcome(_ call: Call, count: Int, blocks: Bool) -> WriteOutcome {
        lock.withLock {
            guard let code = failing[call] else { return .pass }
            var allowed = min(room, count)
            if blocks { allowed -= allowed % 4_096 }
            guard allowed > 0 else {
                counts[call, default: 0] += 1
                return .fail(code)
            }
            room -= allowed
            return .partial(allowed)
        }
    }

    var files: FileCalls {
        let real = FileCalls.system
        var calls = real
        calls.open = { path, flags, mode in
            if let code = self.failure(.open) { return Self.fail(code) }
            return real.open(path, flags, mode)
        }
        calls.write = { fd, bytes, count in
            switch self.writeOutcome(.write, count: count, blocks: false) {
            case .pass: real.write(fd, bytes, count)
            case .partial(let allowed): real.write(fd, bytes, allowed)
            case .fail(let code): Self.fail(code)
            }
        }
        calls.pwrite = { fd, bytes, count, offset in
            switch self.writeOutcome(.pwrite, count: count, blocks: true) {
            case .pass: real.pwrite(fd, bytes, count, offset)
            case .partial(let allowed): real.pwrite(fd, bytes, allowed, offset)
            case .fail(let code): Self.fail(code)
            }
        }
        calls.fdatasync = { fd in
            if let code = self.failure(.fdatasync) { return Self.fail(code) }
            return real.fdatasync(fd)
        }
        calls.fsync = { fd in
            if let code = self.failure(.fsync) { return Self.fail(code) }
            return real.fsync(fd)
        }
        calls.ftruncate = { fd, length in
            if let code = self.failure(.ftruncate) { return Self.fail(code) }
            return real.ftruncate(fd, length)
        }
        calls.rename = { from, to in
            if let code = self.failure(.rename) { return Self.fail(code) }
            return real.rename(from, to)
        }
        calls.link = { from, to in
            if let code = self.failure(.link) { return Self.fail(code) }
            return real.link(from, to)
        }
        calls.unlink = { path in
            if let code = self.failure(.unlink) { return Self.fail(code) }
            return real.unlink(path)
        }
        return calls
    }

    /// A fault for a table of cases: which calls fail, with what, and how many bytes a write
    /// puts down first; with direct I/O or through the page cache.
    struct Fault: Sendable, CustomTestStringConvertible {
        var calls: Set<Call>
        var code: Int32
        var room: Int
        var directIO: Bool

        var testDescription: String {
            "\(calls.map(\.description).sorted().joined(separator: "+")) \(String(cString: strerror(code))) after \(room) bytes, "
                + (directIO ? "direct I/O" : "page cache")
        }
    }

    /// -1 with `errno` set, as a failing system call returns.
    private static func fail(_ code: Int32) -> Int {
        errno = code
        return -1
    }

    private static func fail(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }
}
