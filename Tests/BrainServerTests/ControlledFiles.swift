import BrainStore
import Foundation

/// File calls for a brain under test: real, except that fdatasync can be held back (it
/// waits until released, as a slow disk's would) and calls can be made to fail as a full or
/// broken disk fails them.
final class ControlledFiles: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`'s lock.
    enum Call: Hashable, Sendable {
        case write, pwrite, fdatasync, fsync, rename
    }

    private let condition = NSCondition()
    private var holding = false
    /// Syncs are held only once these bytes were written (nil: at once).
    private var marker: [UInt8]?
    private var heldSyncs = 0
    private var failing: [Call: Int32] = [:]
    /// Renames onto a path ending with this wait until ``release()`` (nil: none wait).
    private var heldRenameSuffix: String?
    private var heldRenames = 0
    /// Every path renamed onto, in order.
    private var renamedTo: [String] = []

    /// Every fdatasync after a write that carried `marker` waits until ``release()``: the
    /// fsync held is then surely the one of the records holding it, not of an earlier write.
    func holdSyncs(onceWritten marker: String) {
        condition.withLock {
            self.marker = Array(marker.utf8)
            holding = true
        }
    }

    /// Notes a write's bytes: the marker among them arms the hold.
    private func noteWrite(_ bytes: UnsafeRawPointer?, _ count: Int) {
        condition.withLock {
            guard let marker, let bytes, count >= marker.count else { return }
            let haystack = UnsafeRawBufferPointer(start: bytes, count: count)
            let first = marker[0]
            for start in 0...(count - marker.count) where haystack[start] == first {
                if haystack[start..<(start + marker.count)].elementsEqual(marker) {
                    self.marker = nil
                    return
                }
            }
        }
    }

    /// Lets held and later fdatasyncs and renames go through.
    func release() {
        condition.withLock {
            holding = false
            heldRenameSuffix = nil
            condition.broadcast()
        }
    }

    /// Every rename onto a path ending with `suffix` (`/snapshot.json`: the last step of a
    /// snapshot's write) waits until ``release()``, as a slow disk would hold it.
    func holdRenames(endingWith suffix: String) {
        condition.withLock { heldRenameSuffix = suffix }
    }

    /// Waits until a rename is held (the snapshot thread is inside it), up to `seconds`.
    func waitForHeldRename(seconds: Double = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while heldRenames == 0 {
                guard condition.wait(until: deadline) else { return false }
            }
            return true
        }
    }

    /// How many renames onto a path ending with `suffix` went through.
    func renames(endingWith suffix: String) -> Int {
        condition.withLock { renamedTo.filter { $0.hasSuffix(suffix) }.count }
    }

    /// Waits until an fdatasync is held (the journal thread is inside it), up to `seconds`.
    func waitForHeldSync(seconds: Double = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while heldSyncs == 0 {
                guard condition.wait(until: deadline) else { return false }
            }
            return true
        }
    }

    /// Makes `calls` fail with `code` until ``heal()``.
    func fail(_ calls: Set<Call>, with code: Int32) {
        condition.withLock { for call in calls { failing[call] = code } }
    }

    func heal() {
        condition.withLock { failing = [:] }
    }

    private func failure(_ call: Call) -> Int32? {
        condition.withLock { failing[call] }
    }

    var files: FileCalls {
        let real = FileCalls.system
        var calls = real
        calls.write = { fd, bytes, count in
            if let code = self.failure(.write) { return Self.fail(code) }
            self.noteWrite(bytes, count)
            return real.write(fd, bytes, count)
        }
        calls.pwrite = { fd, bytes, count, offset in
            if let code = self.failure(.pwrite) { return Self.fail(code) }
            self.noteWrite(bytes, count)
            return real.pwrite(fd, bytes, count, offset)
        }
        calls.fdatasync = { fd in
            self.condition.withLock {
                guard self.holding, self.marker == nil else { return }
                self.heldSyncs += 1
                self.condition.broadcast()
                while self.holding { self.condition.wait() }
                self.heldSyncs -= 1
            }
            if let code = self.failure(.fdatasync) { return Self.fail(code) }
            return real.fdatasync(fd)
        }
        calls.fsync = { fd in
            if let code = self.failure(.fsync) { return Self.fail(code) }
            return real.fsync(fd)
        }
        calls.rename = { from, to in
            self.condition.withLock {
                guard let suffix = self.heldRenameSuffix, to.hasSuffix(suffix) else { return }
                self.heldRenames += 1
                self.condition.broadcast()
                while self.heldRenameSuffix != nil { self.condition.wait() }
                self.heldRenames -= 1
            }
            if let code = self.failure(.rename) { return Self.fail(code) }
            let result = real.rename(from, to)
            if result == 0 { self.condition.withLock { self.renamedTo.append(to) } }
            return result
        }
        return calls
    }

    private static func fail(_ code: Int32) -> Int {
        errno = code
        return -1
    }

    private static func fail(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }
}
