public import BrainCore
import Foundation

/// Writes and reads the JSON snapshot of the whole state in the data directory.
///
/// The file is `snapshot.json`: `format_version` first, then the brain version, the time
/// it was written and the state (see docs/snapshot-format.md). It is replaced atomically.
public struct SnapshotStore: Sendable {
    public static let formatVersion = 1
    public static let fileName = "snapshot.json"

    public var directory: String
    public var path: String { "\(directory)/\(Self.fileName)" }

    public init(directory: String) {
        self.directory = directory
    }

    /// A snapshot read from disk.
    public struct Loaded: Sendable {
        public var state: BrainState
        public var writtenAt: Int64
        public var bytes: Int
        /// The first journal segment written after this snapshot: replay from here.
        public var journalSegment: Int
    }

    /// Encodes `state` to JSON (no I/O; may run off the thread that owns the state).
    public static func encode(
        _ state: BrainState, writtenAt: Int64, brainVersion: String, journalSegment: Int
    ) throws(StoreError) -> [UInt8] {
        do {
            // The header is written by hand: JSONEncoder does not keep key order, and
            // format_version must come first for a reader to check before the rest.
            var bytes = Array("{\"format_version\":\(formatVersion),\"brain_version\":\(JSONText.quote(brainVersion)),\"written_at\":\(writtenAt),\"journal_segment\":\(journalSegment),\"state\":".utf8)
            bytes.append(contentsOf: try JSONEncoder().encode(state))
            bytes.append(contentsOf: Array("}\n".utf8))
            return bytes
        } catch {
            throw StoreError(path: fileName, problem: "cannot encode the state: \(error)")
        }
    }

    /// How many snapshots are kept: `snapshot.json` and `snapshot.1.json` ... older ones.
    public var kept = 3

    /// The path of the `generation`-th newest snapshot (0 = `snapshot.json`).
    public func path(generation: Int) -> String {
        generation == 0 ? path : "\(directory)/snapshot.\(generation).json"
    }

    /// Writes already-encoded snapshot bytes atomically, keeping the previous ones as
    /// `snapshot.1.json`, `snapshot.2.json`, ... up to ``kept`` in all. `snapshot.json`
    /// exists at every moment: the old one is linked aside before the new one replaces it.
    public func write(_ bytes: [UInt8]) throws(StoreError) {
        try FileIO.makeDirectory(directory)
        if kept > 1, FileIO.exists(path) {
            for generation in stride(from: kept - 1, to: 1, by: -1) where FileIO.exists(path(generation: generation - 1)) {
                FileIO.rename(path(generation: generation - 1), to: path(generation: generation))
            }
            FileIO.link(path, to: path(generation: 1))
        }
        try FileIO.writeAtomically(path, bytes)
    }

    /// Reads the snapshot, or `nil` on a first start (no file).
    /// - Throws: ``StoreError`` naming the file and the problem when it exists but cannot be used.
    public func load(configuration: CoreConfiguration) throws(StoreError) -> Loaded? {
        try Self.load(path: path, configuration: configuration)
    }

    /// Reads the snapshot at `path`, or `nil` when there is none.
    public static func load(path: String, configuration: CoreConfiguration) throws(StoreError) -> Loaded? {
        guard let bytes = try FileIO.read(path) else { return nil }
        let data = Data(bytes)
        let header: SnapshotHeader
        do {
            header = try JSONDecoder().decode(SnapshotHeader.self, from: data)
        } catch {
            throw StoreError(path: path, problem: "is not a brain snapshot (\(Self.describe(error))). Run `brain recover --data-dir \(FileIO.directory(of: path))` to start from an older snapshot, or restore a good copy. It was not changed.")
        }
        guard header.formatVersion == Self.formatVersion else {
            throw StoreError(path: path, problem: "has snapshot format version \(header.formatVersion); this brain reads version \(Self.formatVersion). Use a brain that matches, or run `brain recover` to start from an older snapshot. It was not changed.")
        }
        do {
            let document = try JSONDecoder().decode(SnapshotDocument.self, from: data)
            var state = document.state
            state.configuration = configuration
            return Loaded(state: state, writtenAt: document.writtenAt, bytes: bytes.count, journalSegment: document.journalSegment ?? 1)
        } catch {
            throw StoreError(path: path, problem: "cannot be read: \(Self.describe(error)). Run `brain recover --data-dir \(FileIO.directory(of: path))` to start from an older snapshot, or restore a good copy. It was not changed.")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "corrupt data at \(pathText(context.codingPath)): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\" at \(pathText(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong value at \(pathText(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func pathText(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// The snapshot file's top level; `format_version` is encoded first.
struct SnapshotDocument: Codable {
    var formatVersion: Int
    var brainVersion: String
    var writtenAt: Int64
    var journalSegment: Int?
    var state: BrainState

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", brainVersion = "brain_version", writtenAt = "written_at"
        case journalSegment = "journal_segment", state
    }
}

/// Only the format version, read before the rest so an old or new format gets a clear message.
struct SnapshotHeader: Codable {
    var formatVersion: Int

    enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
}
