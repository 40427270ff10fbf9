import BrainCore
import BrainFraming
import BrainProtocol
import BrainStore
import Foundation
import Logging

@testable import BrainServer

/// The brain's write path in miniature, on a ``PowerCutDisk``: an agent's events applied to
/// a live state and buffered as the engine buffers them, group commit through the real
/// ``JournalCommitter``, the real ``Journal`` run in order as the journal thread runs it,
/// rotations and snapshots written while ingestion goes on and, afterwards, the segments a
/// snapshot covers deleted. A run stops when the power goes; ``ackedSeq`` is then the highest
/// seq the agent saw acknowledged, and ``check()`` restarts from what the disk kept and
/// lists every acknowledged event that is missing or changed.
struct PowerCutRun {
    /// When acks are sent.
    enum AckTiming {
        /// When the committer says so: once the write holding the records completed.
        case committed
        /// As soon as the records are handed to the journal thread: the broken wiring the
        /// power-cut test must catch.
        case atSubmission
    }

    /// When a snapshot's rotation is queued on the journal thread.
    enum RotationTiming {
        /// Right behind the write of what was buffered, as the engine does.
        case behindTheWrite
        /// Once that write completed, after the write its completion submits: the engine's
        /// old order, which left records the snapshot does not hold in the segment it deletes.
        case afterTheWriteCompleted
    }

    /// What the journal thread runs, in order.
    enum JournalWork {
        case write(JournalCommitter<UInt64>.Write)
        /// A snapshot's rotation, with the copy of the state it will write.
        case rotate(to: Int, copy: BrainState)
    }

    static let runs = 10
    static let stepsPerRun = 5

    let directory: String
    let disk: PowerCutDisk
    let policy: FsyncPolicy
    let directIO: Bool
    let ackTiming: AckTiming
    let rotationTiming: RotationTiming
    /// A rotation waiting for the write with this number to complete (``RotationTiming/afterTheWriteCompleted``).
    private var rotationAfterWrite: (write: Int, work: JournalWork)?
    private var writesSubmitted = 0
    private var writesCompleted = 0
    private var random: JournalCommitterTests.SplitMix
    private var state = BrainState()
    private var journal: Journal?
    private var committer = JournalCommitter<UInt64>()
    private let buffers = Buffers()
    private var journalQueue: [JournalWork] = []
    private var segment = 1
    private var snapshotDue: (copy: BrainState, segment: Int)?
    private var now: Int64 = 1_000_000_000
    private var agentID = ""
    /// Every event published, by seq.
    private(set) var published: [UInt64: AgentEvent.Kind] = [:]
    /// The highest seq acknowledged to the agent.
    private(set) var ackedSeq: UInt64 = 0
    /// Snapshots written whole before the power went.
    private(set) var snapshotsWritten = 0
    /// What was being done last: once the power went, what it went during.
    private(set) var phase = "creating the first segment"

    /// What the engine keeps between writes: the records buffered and the acks waiting.
    final class Buffers {
        var records = JournalBuffer()
        var waiting: [UInt64] = []
        private var spare: [UInt8] = []

        func take() -> (chunk: [UInt8], acks: [UInt64])? {
            guard !records.isEmpty || !waiting.isEmpty else { return nil }
            defer { waiting = [] }
            return (records.take(reusing: &spare), waiting)
        }
    }

    init(
        directory: String, cutAfter: Int, policy: FsyncPolicy, directIO: Bool, ackTiming: AckTiming,
        rotationTiming: RotationTiming = .behindTheWrite, seed: UInt64
    ) {
        self.rotationTiming = rotationTiming
        self.directory = directory
        self.disk = PowerCutDisk(directory: directory, cutAfter: cutAfter)
        self.policy = policy
        self.directIO = directIO
        self.ackTiming = ackTiming
        self.random = JournalCommitterTests.SplitMix(state: seed)
    }

    /// The events of run `index`: created, its steps, completed.
    static func events(ofRun index: Int) -> [AgentEvent.Kind] {
        let runID = String(format: "00000000-0000-4000-8000-%012x", index)
        var created = RunCreated(runID: runID, goal: "run \(index)")
        created.initialStatus = .running
        var events: [AgentEvent.Kind] = [.runCreated(created)]
        for seq in 1...UInt32(stepsPerRun) {
            var step = StepReported(runID: runID, seq: seq, stepName: "step \(index).\(seq)", status: seq % 4 == 0 ? .error : .ok)
            // Sizes that end records inside, at and across 4 KiB blocks.
            step.outputJSON = "{\"n\":\(index * 100 + Int(seq)),\"pad\":\"" + String(repeating: "x", count: (index * 977 + Int(seq) * 1_301) % 5_000) + "\"}"
            events.append(.step(step))
        }
        var done = RunStatusChanged(runID: runID, status: .completed)
        done.resultJSON = "{\"run\":\(index)}"
        events.append(.runStatus(done))
        return events
    }

    /// Runs until every event is acknowledged or the power goes.
    mutating func run() {
        do {
            journal = try Journal(
                directory: directory, segment: 1, validLength: nil, policy: policy, otherBytes: 0, directIO: directIO, files: disk.files
            )
        } catch {
            return  // the power went while the first segment was created
        }
        let hello = Hello(agentName: "power", token: "")
        guard case .hello(.success(let welcome)) = state.apply(.hello(hello, tokenHash: "h", connection: nil), now: now),
            let record = JournalRecord(.hello(hello, tokenHash: "h", connection: nil), now: now)
        else { return }
        agentID = welcome.agent.agentID
        buffers.records.append(record)
        phase = "streaming"
        var seq: UInt64 = 0
        for index in 0..<Self.runs {
            var events = Self.events(ofRun: index)[...]
            while !events.isEmpty {
                // One read: a few events, one ack for the last of them.
                for kind in events.prefix(Int.random(in: 1...4, using: &random)) {
                    seq += 1
                    publish(AgentEvent(seq: seq, kind: kind))
                    events.removeFirst()
                }
                buffers.waiting.append(seq)
                _ = committer.flushWanted()
                while !disk.isOff, Int.random(in: 0..<3, using: &random) != 0 {
                    step()
                }
                if disk.isOff { return }
            }
        }
        // Everything left goes to the disk.
        while !disk.isOff,
            !journalQueue.isEmpty || !buffers.records.isEmpty || !buffers.waiting.isEmpty || snapshotDue != nil || rotationAfterWrite != nil
        {
            endLoopTurn()
            while !disk.isOff, !journalQueue.isEmpty { runJournalThread() }
            if !disk.isOff { writeSnapshotIfDue() }
        }
    }

    /// One thing happening while the agent streams.
    private mutating func step() {
        now += 1_000_000
        switch Int.random(in: 0..<20, using: &random) {
        case 0..<8: endLoopTurn()
        case 8..<16: runJournalThread()
        case 16: startSnapshot()
        default: writeSnapshotIfDue()
        }
    }

    private mutating func publish(_ event: AgentEvent) {
        published[event.seq] = event.kind
        let frame = WireCodec.encode(BrainRequest(callID: 0, method: .publish(event)))
        frame.withUnsafeBytes { request in
            _ = state.apply(.eventFrame(request, agentID: agentID), now: now)
            buffers.records.appendEvent(agentID: agentID, request: request, now: now)
        }
    }

    private mutating func endLoopTurn() {
        let buffers = self.buffers
        if let write = committer.loopTurnEnded(take: { buffers.take() }) { submit(write) }
    }

    private mutating func submit(_ write: JournalCommitter<UInt64>.Write) {
        if ackTiming == .atSubmission { acknowledge(write.acks) }
        writesSubmitted += 1
        journalQueue.append(.write(write))
    }

    private mutating func acknowledge(_ acks: [UInt64]) {
        ackedSeq = max(ackedSeq, acks.max() ?? 0)
    }

    /// The journal thread runs the oldest work queued.
    private mutating func runJournalThread() {
        guard let journal, !journalQueue.isEmpty else { return }
        let buffers = self.buffers
        switch journalQueue.removeFirst() {
        case .write(var write):
            phase = "a journal write"
            var chunk = write.takeChunk()
            JournalBuffer.fillChecksums(&chunk)
            writesCompleted += 1
            do {
                try journal.write(chunk, now: now, retry: write.retry)
                let completion = committer.writeSucceeded(take: { buffers.take() })
                if ackTiming == .committed { acknowledge(completion.acks) }
                if let next = completion.next { submit(next) }
            } catch {
                let fault = committer.writeFailed(chunk: chunk, reason: "\(error)")
                buffers.waiting.append(contentsOf: fault.acks)
            }
            if let waiting = rotationAfterWrite, waiting.write == writesCompleted {
                rotationAfterWrite = nil
                journalQueue.append(waiting.work)
            }
        case .rotate(let next, let copy):
            phase = "a rotation"
            do {
                try journal.rotate(to: next, now: now)
                snapshotDue = (copy, next)
            } catch {
                segment -= 1
            }
        }
    }

    /// A snapshot starts: the buffer is written at once, then the journal rotates; the state
    /// as of now is written later, while ingestion goes on.
    private mutating func startSnapshot() {
        guard snapshotDue == nil, rotationAfterWrite == nil,
            !journalQueue.contains(where: { if case .rotate = $0 { true } else { false } })
        else { return }
        let buffers = self.buffers
        var wroteFirst = false
        do {
            if let write = try committer.rotationStarts(take: { buffers.take() }) {
                submit(write)
                wroteFirst = true
            }
        } catch {
            return
        }
        segment += 1
        let rotation = JournalWork.rotate(to: segment, copy: state)
        if wroteFirst, rotationTiming == .afterTheWriteCompleted {
            rotationAfterWrite = (writesSubmitted, rotation)
        } else {
            journalQueue.append(rotation)
        }
    }

    private mutating func writeSnapshotIfDue() {
        guard let due = snapshotDue else { return }
        snapshotDue = nil
        var store = SnapshotStore(directory: directory)
        store.directIO = directIO
        store.files = disk.files
        do {
            phase = "a snapshot"
            _ = try store.write(due.copy, writtenAt: now, brainVersion: "test", journalSegment: due.segment)
            snapshotsWritten += 1
            // The housekeeping thread, once the snapshot is durable.
            phase = "deleting what the snapshot covers"
            _ = Journal.deleteSegments(in: directory, below: due.segment, files: disk.files)
            store.removeRetiredGeneration()
        } catch {
            return
        }
    }

    /// The power is gone: closes the journal, puts back what the disk kept, starts the brain
    /// from it, and lists every acknowledged event it lost or changed (and any event it holds
    /// with content other than what was published).
    mutating func check() throws -> [String] {
        journal = nil
        try disk.restoreDurableImage()
        let recovered = try Recovery.open(
            directory: directory, configuration: CoreConfiguration(), policy: .batch, snapshotsKept: 3, directIO: false,
            logger: Logger(label: "power-cut")
        )
        var problems: [String] = []
        let agent = recovered.state.agent(named: "power", project: "default")
        let heldSeq = agent.flatMap { recovered.state.lastSeq(agentID: $0.agentID) } ?? 0
        if heldSeq < ackedSeq { problems.append("the agent's last seq is \(heldSeq), but \(ackedSeq) was acknowledged") }
        for (seq, kind) in published.sorted(by: { $0.key < $1.key }) {
            let acked = seq <= ackedSeq
            switch kind {
            case .runCreated(let created):
                guard let detail = try? recovered.state.getRun(GetRunQuery(runID: created.runID)).get() else {
                    if acked { problems.append("seq \(seq): run \(created.runID) is missing") }
                    continue
                }
                if detail.run.goal != created.goal { problems.append("seq \(seq): the run's goal is \(detail.run.goal)") }
            case .step(let step):
                let detail = try? recovered.state.getRun(GetRunQuery(runID: step.runID)).get()
                guard let held = detail?.steps.first(where: { $0.seq == step.seq }) else {
                    if acked { problems.append("seq \(seq): step \(step.seq) of \(step.runID) is missing") }
                    continue
                }
                if held.stepName != step.stepName || held.status != step.status || held.outputJSON != step.outputJSON {
                    problems.append("seq \(seq): step \(step.seq) of \(step.runID) holds other content")
                }
            case .runStatus(let change):
                let detail = try? recovered.state.getRun(GetRunQuery(runID: change.runID)).get()
                if acked, detail?.run.status != change.status || detail?.run.resultJSON != change.resultJSON {
                    problems.append("seq \(seq): run \(change.runID) is not \(change.status) with its result")
                }
            default:
                problems.append("seq \(seq): an event this test does not publish")
            }
        }
        return problems
    }
}
