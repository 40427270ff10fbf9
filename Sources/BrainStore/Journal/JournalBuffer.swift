/// Records encoded by the event loop, waiting to be handed to the ``Journal``'s thread.
package struct JournalBuffer: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {
        bytes.reserveCapacity(1 << 20)
    }

    package var isEmpty: Bool { bytes.isEmpty }
    package var count: Int { bytes.count }

    /// Takes the buffered records, leaving the buffer empty. Their checksums are not filled
    /// in yet: ``fillChecksums(_:)`` does that on the journal thread, off the event loop.
    /// - Parameter spare: an array whose storage is reused (a chunk already written), so
    ///   the loop does not allocate and fault in a fresh buffer for every batch.
    ///   It is moved out (left empty) so that its storage is not shared: emptying a shared
    ///   array would allocate afresh.
    package mutating func take(reusing spare: inout [UInt8]) -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &spare)
        taken.removeAll(keepingCapacity: true)
        taken.reserveCapacity(Swift.max(1 << 16, bytes.count))
        swap(&taken, &bytes)
        return taken
    }

    /// Computes the checksum of every record in `records` (as taken from a buffer, possibly
    /// several takes concatenated) and stores it in its header. Must run before the bytes
    /// are written; running it again changes nothing.
    package static func fillChecksums(_ records: inout [UInt8]) {
        records.withUnsafeMutableBytes { raw in
            var offset = 0
            while raw.count - offset >= 8 {
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let end = offset + 8 + length
                guard end <= raw.count else { return }  // cannot happen: buffers hold whole records
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<end]))
                raw.storeBytes(of: crc.littleEndian, toByteOffset: offset + 4, as: UInt32.self)
                offset = end
            }
        }
    }

    /// Drops the capacity a burst grew, if nothing is buffered (memory back when idle).
    package mutating func releaseCapacity() {
        guard bytes.isEmpty, bytes.capacity > 1 << 20 else { return }
        bytes = []
        bytes.reserveCapacity(1 << 20)
    }

    /// Appends a record.
    package mutating func append(_ record: JournalRecord) {
        let start = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        record.encodePayload(into: &bytes)
        seal(from: start)
    }

    /// Appends an agent event straight from its frame bytes: the hot path. The record's
    /// fixed part (length, checksum slot, kind, time, agent id) is built on the stack and
    /// appended at once, then the frame: two appends per event, not one per field.
    package mutating func appendEvent(agentID: String, request: UnsafeRawBufferPointer, now: Int64) {
        let appended: Bool? = agentID.utf8.withContiguousStorageIfAvailable { agent in
            appendEvent(agent: UnsafeRawBufferPointer(agent), request: request, now: now)
            return true
        }
        if appended == nil {
            appendEvent(agent: Array(agentID.utf8), request: request, now: now)
        }
    }

    private mutating func appendEvent(agent: [UInt8], request: UnsafeRawBufferPointer, now: Int64) {
        agent.withUnsafeBytes { appendEvent(agent: $0, request: request, now: now) }
    }

    private mutating func appendEvent(agent: UnsafeRawBufferPointer, request: UnsafeRawBufferPointer, now: Int64) {
        // u32 length | u32 crc | u8 kind | i64 now | u32 + agent id | u32 + request
        let fixed = 8 + 1 + 8 + 4 + agent.count + 4
        withUnsafeTemporaryAllocation(byteCount: fixed, alignment: 8) { header in
            header.storeBytes(of: UInt32(fixed - 8 + request.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            header.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
            header.storeBytes(of: JournalRecord.Kind.event.rawValue, toByteOffset: 8, as: UInt8.self)
            header.storeBytes(of: UInt64(bitPattern: now).littleEndian, toByteOffset: 9, as: UInt64.self)
            header.storeBytes(of: UInt32(agent.count).littleEndian, toByteOffset: 17, as: UInt32.self)
            UnsafeMutableRawBufferPointer(rebasing: header[21..<(21 + agent.count)]).copyMemory(from: agent)
            header.storeBytes(of: UInt32(request.count).littleEndian, toByteOffset: 21 + agent.count, as: UInt32.self)
            bytes.append(contentsOf: UnsafeRawBufferPointer(header))
        }
        bytes.append(contentsOf: request)
    }

    /// Fills in the length of the record that starts at `start` (its checksum is left to
    /// ``fillChecksums(_:)``).
    private mutating func seal(from start: Int) {
        let payloadLength = bytes.count - start - 8
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: start, as: UInt32.self)
        }
    }
}
