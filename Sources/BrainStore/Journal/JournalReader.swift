#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads journal segments at start-up.
package enum JournalReader {
    /// What one segment holds.
    package struct Segment: Sendable {
        package var number: Int
        /// The format version its header announces (``Journal/version`` for new segments).
        package var version: Int = Journal.version
        package var records: [JournalRecord]
        /// Bytes of valid records (the length to keep when a torn tail is cut).
        package var validLength: Int
        /// Bytes after the last valid record: a torn tail from a crash mid-write.
        package var tornBytes: Int
    }

    /// Segment numbers present in `directory`, ascending.
    package static func segments(in directory: String) -> [Int] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var numbers: [Int] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("journal-"), name.hasSuffix(".log") else { continue }
            if let number = Int(name.dropFirst(8).dropLast(4)) { numbers.append(number) }
        }
        return numbers.sorted()
    }

    /// Reads one segment. A damaged record at the very end is a torn tail (reported, not
    /// an error); damage followed by more data is corruption and throws, naming the offset.
    package static func read(directory: String, segment: Int, isLast: Bool) throws(StoreError) -> Segment {
        var records: [JournalRecord] = []
        var read = try scan(directory: directory, segment: segment, isLast: isLast) { payload in
            guard let record = JournalRecord.decode([UInt8](payload)[...]) else { return false }
            records.append(record)
            return true
        }
        read.records = records
        return read
    }

    /// Reads one segment as ``read(directory:segment:isLast:)`` does, handing each record's
    /// payload to `visit` as it is found instead of collecting them (start-up replays a long
    /// journal without holding it all decoded). `visit` returns false for a payload it cannot
    /// decode, which counts as damage. The returned segment has no `records`.
    ///
    /// The file is mapped, not read: the payloads are the page cache's own bytes, valid only
    /// during `visit` (reading a segment into an array copied it twice and, on a VM, paid
    /// for fresh pages to hold it).
    package static func scan(
        directory: String, segment: Int, isLast: Bool, visit: (UnsafeRawBufferPointer) -> Bool
    ) throws(StoreError) -> Segment {
        let path = "\(directory)/\(Journal.fileName(segment))"
        let scanned: Result<Segment, StoreError>? = try FileIO.withMappedFile(path) { bytes in
            scan(bytes, path: path, directory: directory, segment: segment, isLast: isLast, visit: visit)
        }
        guard let scanned else { return Segment(number: segment, records: [], validLength: 0, tornBytes: 0) }
        return try scanned.get()
    }

    private static func scan(
        _ bytes: UnsafeRawBufferPointer, path: String, directory: String, segment: Int, isLast: Bool,
        visit: (UnsafeRawBufferPointer) -> Bool
    ) -> Result<Segment, StoreError> {
        if bytes.count < Journal.magic.count {
            // Created but never completed its header: a crash right after rotation.
            guard isLast else {
                return .failure(StoreError(path: path, problem: "is truncated to \(bytes.count) bytes; run `brain recover --data-dir \(directory)`"))
            }
            return .success(Segment(number: segment, records: [], validLength: 0, tornBytes: bytes.count))
        }
        guard let version = Journal.version(ofHeader: bytes) else {
            return .failure(
                StoreError(
                    path: path,
                    problem:
                        "does not start with the journal header; it is not a brain journal or is damaged at offset 0. Run `brain recover --data-dir \(directory)`"
                ))
        }
        guard version <= Journal.version else {
            return .failure(
                StoreError(
                    path: path,
                    problem:
                        "is journal format version \(version); this brain reads versions 1 to \(Journal.version). Start the newer brain that wrote it; the file was not changed."
                ))
        }
        var offset = Journal.magic.count
        while offset < bytes.count {
            // No record is empty, so a zero length is where writing stopped. Zeros to the end
            // are the padding of a direct-I/O block (a clean end). In the last segment, a zero
            // length with bytes after it is a hole a crash left before parts of a later,
            // unfinished write (blocks can land in any order): a torn tail.
            if bytes[offset] == 0, bytes[offset...].allSatisfy({ $0 == 0 }) {
                return .success(Segment(number: segment, version: version, records: [], validLength: offset, tornBytes: 0))
            }
            if isLast, bytes.count - offset >= 4, littleEndian32(bytes, offset) == 0 {
                return .success(Segment(number: segment, version: version, records: [], validLength: offset, tornBytes: bytes.count - offset))
            }
            let problem: String?
            if bytes.count - offset < 8 {
                problem = "a record header is cut short"
            } else {
                let length = Int(littleEndian32(bytes, offset))
                let crc = littleEndian32(bytes, offset + 4)
                if length > bytes.count - offset - 8 {
                    problem = "a record of \(length) bytes runs past the end of the file"
                } else {
                    let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
                    if CRC32C.checksum(payload) != crc {
                        problem = "a record's checksum does not match"
                    } else if visit(payload) {
                        offset += 8 + length
                        continue
                    } else {
                        problem = "a record of a kind this brain does not know"
                    }
                }
            }
            // Damage: a torn tail only if nothing valid could follow (last segment, and the
            // damaged record reaches the end of the file).
            if isLast, problem != nil, isTail(bytes, from: offset) {
                return .success(Segment(number: segment, version: version, records: [], validLength: offset, tornBytes: bytes.count - offset))
            }
            return .failure(
                StoreError(
                    path: path,
                    problem:
                        "is damaged at offset \(offset): \(problem ?? "unknown"). The records before it are intact. Run `brain recover --data-dir \(directory)`: it keeps those records, sets the damaged file aside and lets the brain start."
                ))
        }
        return .success(Segment(number: segment, version: version, records: [], validLength: offset, tornBytes: 0))
    }

    /// Whether the damaged record at `offset` is the last thing in the file: its announced
    /// length reaches (or passes) the end, or the header itself is cut short.
    static func isTail(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Bool {
        if bytes.count - offset < 8 { return true }
        let length = Int(littleEndian32(bytes, offset))
        return offset + 8 + length >= bytes.count
    }

    static func littleEndian32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    static func littleEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { littleEndian32($0, offset) }
    }
}
