public import BrainCore

/// A journalled ``BrainCommand`` as the journal keeps it: the command log's record.
///
/// BrainStore only serializes: events and hellos keep the wire frame they arrived in as
/// bytes (BrainCore reads them: ``BrainCommand/eventFrame(_:agentID:)``,
/// ``BrainCommand/helloFrame(_:tokenHash:)``), everything else its fields. Replaying the
/// records of a journal in order onto the snapshot they follow, each through
/// ``BrainState/apply(_:now:)`` at its recorded time, rebuilds the state exactly.
///
/// Kinds are only ever added: a journal segment starts with its format version
/// (``Journal/magic``), and version 2 is version 1 plus ``pruneErrors(now:)``.
public enum JournalRecord: Hashable, Sendable {
    /// An agent event: the raw `Request` frame body it arrived in.
    case event(agentID: String, request: [UInt8], now: Int64)
    /// A successful hello: the `Request` with its token removed, and the token's HMAC.
    case hello(tokenHash: String, request: [UInt8], now: Int64)
    case createAgent(name: String, project: String, tokenHash: String, now: Int64)
    case cancelRun(runID: String, reason: String, now: Int64)
    case deleteRun(runID: String, now: Int64)
    case timeouts(Timeouts, now: Int64)
    case error(BrainCommand.ErrorRow, now: Int64)
    case pruneErrors(now: Int64)

    enum Kind: UInt8 {
        case event = 1, hello, createAgent, cancelRun, deleteRun, timeouts, error, pruneErrors
    }

    /// The record of a command applied at `now`, or nil for a command the journal does not
    /// keep (liveness) or keeps from its frame (``BrainCommand/step(_:eventSeq:agentID:)`` and
    /// ``BrainCommand/event(_:agentID:)``: see ``JournalBuffer/appendEvent(agentID:request:now:)``).
    public init?(_ command: BrainCommand, now: Int64) {
        switch command {
        case .hello(let hello, let tokenHash, _): self = .hello(tokenHash: tokenHash, request: hello.journalFrame, now: now)
        case .helloFrame(let frame, let tokenHash): self = .hello(tokenHash: tokenHash, request: Array(frame), now: now)
        case .eventFrame(let frame, let agentID): self = .event(agentID: agentID, request: Array(frame), now: now)
        case .createAgent(let name, let project, let tokenHash): self = .createAgent(name: name, project: project, tokenHash: tokenHash, now: now)
        case .cancelRun(let runID, let reason): self = .cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun(let runID): self = .deleteRun(runID: runID, now: now)
        case .timeouts(let timeouts): self = .timeouts(timeouts, now: now)
        case .recordError(let row): self = .error(row, now: now)
        case .pruneErrors: self = .pruneErrors(now: now)
        case .step, .event, .signOfLife, .disconnected, .restarted: return nil
        }
    }

    /// When the command was applied.
    public var now: Int64 {
        switch self {
        case .event(_, _, let now), .hello(_, _, let now), .createAgent(_, _, _, let now), .cancelRun(_, _, let now),
            .deleteRun(_, let now), .timeouts(_, let now), .error(_, let now), .pruneErrors(let now):
            now
        }
    }

    /// Hands the command the record holds to `body` (frames in place, valid only inside it).
    public func withCommand<R>(_ body: (BrainCommand) -> R) -> R {
        switch self {
        case .event(let agentID, let request, _): request.withUnsafeBytes { body(.eventFrame($0, agentID: agentID)) }
        case .hello(let tokenHash, let request, _): request.withUnsafeBytes { body(.helloFrame($0, tokenHash: tokenHash)) }
        case .createAgent(let name, let project, let tokenHash, _): body(.createAgent(name: name, project: project, tokenHash: tokenHash))
        case .cancelRun(let runID, let reason, _): body(.cancelRun(runID: runID, reason: reason))
        case .deleteRun(let runID, _): body(.deleteRun(runID: runID))
        case .timeouts(let timeouts, _): body(.timeouts(timeouts))
        case .error(let row, _): body(.recordError(row))
        case .pruneErrors: body(.pruneErrors)
        }
    }

    /// Appends the record's payload (without length and checksum) to `out`.
    func encodePayload(into out: inout [UInt8]) {
        var writer = RecordWriter(out: out)
        switch self {
        case .event(let agentID, let request, let now):
            writer.header(.event, now)
            writer.string(agentID)
            writer.bytes(request)
        case .hello(let tokenHash, let request, let now):
            writer.header(.hello, now)
            writer.string(tokenHash)
            writer.bytes(request)
        case .createAgent(let name, let project, let tokenHash, let now):
            writer.header(.createAgent, now)
            writer.string(name)
            writer.string(project)
            writer.string(tokenHash)
        case .cancelRun(let runID, let reason, let now):
            writer.header(.cancelRun, now)
            writer.string(runID)
            writer.string(reason)
        case .deleteRun(let runID, let now):
            writer.header(.deleteRun, now)
            writer.string(runID)
        case .timeouts(let timeouts, let now):
            writer.header(.timeouts, now)
            writer.strings(timeouts.agentIDs)
            writer.strings(timeouts.runIDs)
        case .error(let row, let now):
            writer.header(.error, now)
            for field in [row.phase, row.runID, row.project, row.agentName, row.errorType, row.message, row.stack, row.payloadJSON] {
                writer.string(field)
            }
        case .pruneErrors(let now):
            writer.header(.pruneErrors, now)
        }
        out = writer.out
    }

    /// Decodes a payload; `nil` when it is not a record this build knows.
    static func decode(_ payload: ArraySlice<UInt8>) -> JournalRecord? {
        var reader = RecordReader(bytes: payload)
        guard let raw = reader.u8(), let kind = Kind(rawValue: raw), let now = reader.i64() else { return nil }
        switch kind {
        case .event:
            guard let agentID = reader.string(), let request = reader.bytes() else { return nil }
            return .event(agentID: agentID, request: request, now: now)
        case .hello:
            guard let hash = reader.string(), let request = reader.bytes() else { return nil }
            return .hello(tokenHash: hash, request: request, now: now)
        case .createAgent:
            guard let name = reader.string(), let project = reader.string(), let hash = reader.string() else { return nil }
            return .createAgent(name: name, project: project, tokenHash: hash, now: now)
        case .cancelRun:
            guard let runID = reader.string(), let reason = reader.string() else { return nil }
            return .cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun:
            guard let runID = reader.string() else { return nil }
            return .deleteRun(runID: runID, now: now)
        case .timeouts:
            guard let agents = reader.strings(), let runs = reader.strings() else { return nil }
            return .timeouts(Timeouts(agentIDs: agents, runIDs: runs), now: now)
        case .error:
            var fields: [String] = []
            for _ in 0..<8 {
                guard let field = reader.string() else { return nil }
                fields.append(field)
            }
            return .error(BrainCommand.ErrorRow(
                phase: fields[0], runID: fields[1], project: fields[2], agentName: fields[3], errorType: fields[4],
                message: fields[5], stack: fields[6], payloadJSON: fields[7]
            ), now: now)
        case .pruneErrors:
            return .pruneErrors(now: now)
        }
    }
}

struct RecordWriter {
    var out: [UInt8]

    mutating func header(_ kind: JournalRecord.Kind, _ now: Int64) {
        out.append(kind.rawValue)
        integer(UInt64(bitPattern: now))
    }

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    mutating func bytes(_ value: [UInt8]) {
        integer(UInt32(value.count))
        out.append(contentsOf: value)
    }

    /// A string's UTF-8 with its length, copied straight from the string (no array per call:
    /// every journaled event writes its agent id).
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            integer(UInt32(utf8.count))
            out.append(contentsOf: utf8)
        }
    }

    mutating func strings(_ values: [String]) {
        integer(UInt32(values.count))
        for value in values { string(value) }
    }
}

struct RecordReader {
    let data: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.data = bytes
        self.index = data.startIndex
    }

    mutating func u8() -> UInt8? {
        guard index < data.endIndex else { return nil }
        defer { index += 1 }
        return data[index]
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard data.endIndex - index >= size else { return nil }
        var value: T = 0
        for offset in 0..<size { value |= T(data[index + offset]) << (8 * offset) }
        index += size
        return value
    }

    mutating func i64() -> Int64? { integer(UInt64.self).map { Int64(bitPattern: $0) } }

    /// Where the next length-prefixed field's bytes are in `data`, skipping them.
    mutating func byteRange() -> Range<Int>? {
        guard let count = integer(UInt32.self), data.endIndex - index >= Int(count) else { return nil }
        defer { index += Int(count) }
        return index..<index + Int(count)
    }

    mutating func bytes() -> [UInt8]? { byteRange().map { Array(data[$0]) } }

    mutating func string() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

    mutating func strings() -> [String]? {
        guard let count = integer(UInt32.self), count < 1_000_000 else { return nil }
        var values: [String] = []
        for _ in 0..<count {
            guard let value = string() else { return nil }
            values.append(value)
        }
        return values
    }
}
