@testable import BrainServer

/// Drives a ``JournalCommitter`` as the engine does, against a journal whose writes complete
/// only when the test says so (its sync is held back until then), and logs what the
/// committer has the engine do.
///
/// Records are single letters; acks are names. The driver keeps what the engine keeps:
/// the buffered records and the acks not yet handed over, and it puts the acks of a failed
/// write back to wait, as the engine does.
struct CommitterDriver {
    /// One thing that happens to the engine.
    enum Step: Sendable, CustomStringConvertible {
        /// Records appended to the buffer during the loop turn.
        case records(String)
        /// A connection's read ended with an ack to send once its events are durable.
        case ack(String)
        /// Every channel of the loop turn was read (the scheduled flush runs).
        case turnEnds
        /// A tick while faulted: it schedules a flush to retry.
        case tick
        /// A snapshot rotates the journal: everything buffered is written at once.
        case rotate
        /// The oldest write in flight is written and fsynced.
        case writeSucceeds
        /// The oldest write in flight fails (the journal cut its records off again).
        case writeFails(String)

        var description: String {
            switch self {
            case .records(let letters): "records \(letters)"
            case .ack(let name): "ack \(name) waits"
            case .turnEnds: "turn ends"
            case .tick: "tick"
            case .rotate: "rotate"
            case .writeSucceeds: "write succeeds"
            case .writeFails(let reason): "write fails: \(reason)"
            }
        }
    }

    /// What the engine holds between writes: the buffer and the acks not handed over yet.
    final class Buffers {
        var records: [UInt8] = []
        var waiting: [String] = []

        /// What the engine's `take` hands over.
        func take() -> (chunk: [UInt8], acks: [String])? {
            guard !records.isEmpty || !waiting.isEmpty else { return nil }
            defer {
                records = []
                waiting = []
            }
            return (records, waiting)
        }
    }

    var committer = JournalCommitter<String>()
    let buffers = Buffers()
    /// Writes handed to the journal, oldest first: their records and acks.
    var inFlight: [(records: String, acks: [String], retry: Bool)] = []
    /// The journal refuses anything but a retry after a failed write, as ``Journal`` does.
    var journalFaulted = false
    /// The records the journal holds durably, in the order it wrote them.
    var durable = ""
    /// Everything the committer had the engine do, in order.
    var log: [String] = []
    /// Every ack sent, with the records that were durable when it was sent.
    var sent: [(ack: String, durable: String)] = []

    mutating func run(_ step: Step) {
        let buffers = self.buffers
        switch step {
        case .records(let letters):
            buffers.records.append(contentsOf: Array(letters.utf8))
            _ = committer.flushWanted()
        case .ack(let name):
            buffers.waiting.append(name)
            _ = committer.flushWanted()
        case .tick:
            if committer.fault != nil { _ = committer.flushWanted() }
        case .turnEnds:
            if let write = committer.loopTurnEnded(take: { buffers.take() }) { submit(write) }
        case .rotate:
            do {
                if let write = try committer.rotationStarts(take: { buffers.take() }) { submit(write) }
            } catch {
                log.append("rotation refused")
            }
        case .writeSucceeds:
            guard let oldest = inFlight.first else {
                log.append("(no write in flight)")
                return
            }
            guard !journalFaulted || oldest.retry else {
                run(.writeFails("an earlier journal write failed and is not yet retried"))
                return
            }
            journalFaulted = false
            durable += inFlight.removeFirst().records
            let completion = committer.writeSucceeded(take: { buffers.take() })
            if !completion.acks.isEmpty { log.append("send acks \(completion.acks.joined(separator: ","))") }
            for ack in completion.acks { sent.append((ack, durable)) }
            if completion.recovered { log.append("fault cleared") }
            if let next = completion.next { submit(next) }
        case .writeFails(let reason):
            guard !inFlight.isEmpty else {
                log.append("(no write in flight)")
                return
            }
            let failed = inFlight.removeFirst()
            journalFaulted = true
            let fault = committer.writeFailed(chunk: Array(failed.records.utf8), reason: reason)
            log.append("unavailable \(fault.acks.isEmpty ? "-" : fault.acks.joined(separator: ","))\(fault.isNew ? " (new fault)" : "")")
            // The engine keeps them waiting for the retry.
            for ack in fault.acks where !buffers.waiting.contains(ack) { buffers.waiting.append(ack) }
        }
    }

    private mutating func submit(_ write: JournalCommitter<String>.Write) {
        let records = String(decoding: write.chunk, as: UTF8.self)
        let acks = write.acks.isEmpty ? "-" : write.acks.joined(separator: ",")
        log.append("write \(write.retry ? "retry " : "")\(records.isEmpty ? "-" : records) acks \(acks)")
        inFlight.append((records, write.acks, write.retry))
    }
}
