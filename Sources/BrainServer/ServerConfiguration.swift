public import BrainCore
import BrainProtocol
public import BrainStore

/// Every setting of a running brain, with the defaults `brain serve` uses.
public struct ServerConfiguration: Sendable {
    /// The Unix socket agents and clients connect to.
    public var socketPath: String
    /// Where snapshots and the secret key live.
    public var dataDirectory: String
    /// Largest frame accepted; a bigger one gets RESOURCE_EXHAUSTED and its connection is closed.
    public var maxFrameBytes = WireConstants.defaultMaxFrameBytes
    /// Snapshot every this many seconds when something changed (0 = only at shutdown and on request).
    public var snapshotIntervalSeconds: Double = 30
    /// Also snapshot after this many changes, whichever comes first (0 = never by count).
    public var snapshotAfterChanges: UInt64 = 100_000
    /// Snapshots kept on disk (`snapshot.json` and older generations).
    public var snapshotsKept = 3
    /// Most bytes per second a snapshot writes while agents stream (records reached the
    /// journal in the last 50 ms), so the journal keeps the disk; 0 = no limit. An idle
    /// brain writes snapshots at full speed.
    public var snapshotRateWhileIngesting = 256 << 20
    /// When journal writes are fsynced, and so when acks are sent.
    public var fsyncPolicy: FsyncPolicy = .batch
    /// Write the journal and snapshots with direct I/O (`O_DIRECT`) where the file system
    /// takes it; `false` writes them through the page cache.
    public var directIO = true
    /// Record every agent event received to this file (`--record`), or `nil`.
    public var recordPath: String?
    /// Create the socket 0660 instead of 0600 so the owner's group may connect.
    public var socketGroupAccess = false
    /// Most simultaneous connections; more are refused with RESOURCE_EXHAUSTED.
    public var maxConnections = 1_024
    /// Most open Watch streams per connection.
    public var maxWatchesPerConnection = 16
    /// Domain rules: heartbeats, registration, retention.
    public var core = CoreConfiguration()

    public init(socketPath: String, dataDirectory: String) {
        self.socketPath = socketPath
        self.dataDirectory = dataDirectory
    }

    /// How often liveness and run timeouts are checked.
    var tickIntervalMs: Int64 {
        max(50, min(1_000, Int64(core.heartbeatIntervalMs) / 4))
    }
}
