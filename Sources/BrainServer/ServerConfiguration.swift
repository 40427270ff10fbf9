import BrainCore
import BrainProtocol
import BrainStore

/// Every setting of a running brain, with the defaults `brain serve` uses.
package struct ServerConfiguration: Sendable {
    /// The Unix socket agents and clients connect to.
    package var socketPath: String
    /// Where snapshots and the secret key live.
    package var dataDirectory: String
    /// Largest frame accepted; a bigger one gets RESOURCE_EXHAUSTED and its connection is closed.
    package var maxFrameBytes = WireConstants.defaultMaxFrameBytes
    /// Snapshot every this many seconds when something changed (0 = only at shutdown and on request).
    package var snapshotIntervalSeconds: Double = 30
    /// Also snapshot after this many changes, whichever comes first (0 = never by count).
    package var snapshotAfterChanges: UInt64 = 100_000
    /// Snapshots kept on disk (`snapshot.json` and older generations).
    package var snapshotsKept = 3
    /// Most bytes per second a snapshot writes while agents stream (records reached the
    /// journal in the last 50 ms), so the journal keeps the disk; 0 = no limit. An idle
    /// brain writes snapshots at full speed.
    package var snapshotRateWhileIngesting = 256 << 20
    /// When journal writes are fsynced, and so when acks are sent.
    package var fsyncPolicy: FsyncPolicy = .batch
    /// Write the journal and snapshots with direct I/O (`O_DIRECT`) where the file system
    /// takes it; `false` writes them through the page cache.
    package var directIO = true
    /// Check the task events of large reads for secrets on a second thread while the event
    /// loop handles the read (``TaskCheckWorker``); `false` checks every event on the loop.
    package var taskCheckThread = true
    /// The smallest read whose task events go to the second thread: below it, waking the
    /// thread costs more than it saves. Reads of a connection that has not published a task
    /// event never go.
    package var taskCheckMinReadBytes = 16 << 10
    /// Record every agent event received to this file (`--record`), or `nil`.
    package var recordPath: String?
    /// Create the socket 0660 instead of 0600 so the owner's group may connect.
    package var socketGroupAccess = false
    /// Most simultaneous connections; more are refused with RESOURCE_EXHAUSTED.
    package var maxConnections = 1_024
    /// Most open Watch streams per connection.
    package var maxWatchesPerConnection = 16
    /// Most bytes of replies a connection may have waiting to be sent (in SwiftNIO's buffer
    /// and the brain's own) before the brain stops reading it (`--max-unsent-reply-bytes`);
    /// reading resumes once half of them have been sent.
    ///
    /// A client that sends requests without reading the replies is throttled (its own writes
    /// block) instead of making the brain hold every reply: for one connection the brain keeps
    /// at most this, plus one reply, plus the requests of the read that reached it (a few
    /// MiB); see ``FlowControl``. An agent that reads its acks slowly is slowed down, not
    /// disconnected. 4 MiB is about a thousand GetRun replies of a mid-sized run, far more
    /// than a client that reads ever leaves waiting; the worst case over all connections is
    /// this times ``maxConnections``.
    package var maxUnsentReplyBytes = 4 << 20
    /// Most bytes of Watch events a connection may have waiting on top of
    /// ``maxUnsentReplyBytes`` (`--max-watch-queue-bytes`); once its streams hold more, the
    /// stream with the most waiting ends with RESOURCE_EXHAUSTED and `end_of_stream` (its
    /// client reconnects and resumes from GetRun/ListRuns); the others go on.
    ///
    /// Bytes, not events: an event is anything from a hundred bytes to a step whose output is
    /// megabytes long, so only bytes bound the memory. 8 MiB holds about 20,000 step events
    /// of a typical 300-byte payload: a watcher that pauses briefly catches up, and one that
    /// cannot keep up with what it asked for is told so, instead of the brain falling ever
    /// further behind for it.
    package var maxWatchQueueBytes = 8 << 20
    /// Domain rules: heartbeats, registration, retention.
    package var core = CoreConfiguration()
    /// Task rules: the lost grace period, the stuck threshold (`--task-lost-grace`,
    /// `--task-stuck-after`), redaction limits.
    package var tasks = TaskSettings()
    /// How long a command to an agent waits for the agent's result when its client asks for
    /// no deadline (`--command-deadline`), in milliseconds: pending while the agent is
    /// offline, then `timed_out`.
    package var commandDeadlineMs: UInt64 = 60_000
    /// Least time between two retention sweeps (`--retention-sweep-interval`), nanoseconds;
    /// 0 turns sweeping off.
    package var retentionSweepIntervalNs: Int64 = 60_000_000_000
    /// Most items one sweep removes: a sweep runs on the event loop, so it is bounded to
    /// keep ingestion going; what is left goes at the next sweep.
    package var retentionSweepLimit = 10_000
    /// Most schedules one batch of next-run predictions covers after a project's time zone
    /// changes: batches run one per event-loop turn, between reads, so ingestion waits for one
    /// batch at most (about 4 ms at the default on a quiet machine; see ``ScheduleRecompute``).
    package var scheduleRecomputeBatch = ScheduleRecompute.defaultBatch
    /// The file calls the journal and snapshots go through. Always ``FileCalls/system`` in
    /// `brain serve`; tests set calls that fail like a full or broken disk, to prove the
    /// server's answers (UNAVAILABLE, acks held back, then resumed) on any machine.
    package var fileCalls: FileCalls = .system

    package init(socketPath: String, dataDirectory: String) {
        self.socketPath = socketPath
        self.dataDirectory = dataDirectory
    }

    /// How often liveness and run timeouts are checked.
    var tickIntervalMs: Int64 {
        max(50, min(1_000, Int64(core.heartbeatIntervalMs) / 4))
    }
}
