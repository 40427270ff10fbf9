import BrainFraming
import BrainProtocol
import NIOCore

/// Replies of one connection that wait for the journal.
///
/// The reply to a call that changed the state (CreateProject, CancelRun, RetryTask...) is
/// held until the journal write that holds the change completed, as an agent event's ack
/// is: a crash before then loses the change, so the client must not have been told it
/// succeeded. Replies queued after such a reply on the same connection wait behind it
/// (they only wait their turn), so a connection's replies still leave in the order of its
/// calls. The held replies ride with the acks of the journal write that carries them
/// (``JournalAck``); a write that fails answers the calls that changed the state
/// UNAVAILABLE instead and sends the rest as they are.
struct HeldReplies {
    private enum Entry {
        /// The reply to a call whose change must be durable first.
        case durable(callID: UInt64, frame: ByteBuffer)
        /// Replies (frames) queued after a durable one: they wait only for their turn.
        case following(ByteBuffer)
    }

    private var entries: [Entry] = []
    /// The bytes of every frame held, for flow control.
    private(set) var bytes = 0
    /// Whether a reply here waits for a change to be durable (else they only wait their turn).
    private(set) var awaitsDurability = false

    init() {}

    var isEmpty: Bool { entries.isEmpty }

    /// Holds the reply (one frame) to call `callID` until its change is durable.
    mutating func append(durable frame: ByteBuffer, callID: UInt64) {
        entries.append(.durable(callID: callID, frame: frame))
        bytes += frame.readableBytes
        awaitsDurability = true
    }

    /// Holds frames queued after the replies already held, until those are sent.
    mutating func append(following frames: ByteBuffer) {
        guard frames.readableBytes > 0 else { return }
        entries.append(.following(frames))
        bytes += frames.readableBytes
    }

    /// Writes the held frames, in order, to `buffer`.
    /// - Parameter refusal: when the journal write failed: the reply to each call that
    ///   changed the state is replaced by this error, with the call's id.
    func write(into buffer: inout ByteBuffer, refusing refusal: BrainError?) {
        for entry in entries {
            switch entry {
            case .durable(let callID, var frame):
                if let refusal {
                    WireCodec.writeFrame(.failure(callID, refusal), into: &buffer)
                } else {
                    buffer.writeBuffer(&frame)
                }
            case .following(var frames):
                buffer.writeBuffer(&frames)
            }
        }
    }
}
