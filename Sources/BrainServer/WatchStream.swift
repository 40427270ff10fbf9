import BrainFraming
import BrainProtocol
import NIOCore

/// One open Watch stream: what it follows, and the events that wait because its client
/// reads too slowly.
struct WatchStream {
    let query: WatchQuery
    /// Encoded frames not yet handed to the channel, oldest first. Events wait here while the
    /// connection's unsent replies are past ``ServerConfiguration/maxUnsentReplyBytes``; once
    /// all of a connection's streams hold more than ``ServerConfiguration/maxWatchQueueBytes``
    /// the largest one ends (``WatchHub``). Bounded and never waited on, so a slow watcher
    /// costs other connections nothing.
    private(set) var backlog: ByteBuffer?
    private(set) var backlogEvents = 0

    init(query: WatchQuery) {
        self.query = query
    }

    var backlogBytes: Int { backlog?.readableBytes ?? 0 }

    mutating func enqueue(_ response: BrainResponse, allocator: ByteBufferAllocator) {
        var buffer = backlog ?? allocator.buffer(capacity: 4_096)
        backlog = nil  // so `buffer` is the only reference and grows in place
        WireCodec.writeFrame(response, into: &buffer)
        backlog = buffer
        backlogEvents += 1
    }

    /// Takes the waiting frames, leaving the backlog empty.
    mutating func takeBacklog() -> ByteBuffer? {
        defer {
            backlog = nil
            backlogEvents = 0
        }
        return backlog
    }
}
