/// Records encoded by the event loop, waiting to be handed to the ``Journal``'s thread.
public struct JournalBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {
        bytes.reserveCapacity(1 << 20)
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    /// Takes the buffered bytes, leaving the buffer empty.
    public mutating func take() -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(Swift.max(1 << 16, bytes.count))
        swap(&taken, &bytes)
        return taken
    }

    /// Appends a record.
    public mutating func append(_ record: JournalRecord) {
        let start = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        record.encodePayload(into: &bytes)
        seal(from: start)
    }

    /// Appends an agent event straight from its frame bytes: the hot path, no intermediate arrays.
    public mutating func appendEvent(agentID: String, request: UnsafeRawBufferPointer, now: Int64) {
        let start = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        var writer = RecordWriter(out: [])
        swap(&writer.out, &bytes)
        writer.header(.event, now)
        writer.string(agentID)
        writer.integer(UInt32(request.count))
        writer.out.append(contentsOf: request)
        swap(&writer.out, &bytes)
        seal(from: start)
    }

    /// Fills in the length and checksum of the record that starts at `start`.
    private mutating func seal(from start: Int) {
        let payloadLength = bytes.count - start - 8
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: start, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }
}
