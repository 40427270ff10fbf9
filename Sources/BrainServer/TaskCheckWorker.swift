import BrainCore
import BrainFraming
import BrainProtocol
import NIOConcurrencyHelpers
import NIOPosix
import Synchronization

/// Checks the task events of a large read for secrets on a thread of its own while the event
/// loop handles the same read's frames: the loop then skips the check of every event the
/// worker found unchanged (``TaskEventReport/isUnchanged(_:by:)``), about a quarter of its
/// time per task event.
///
/// Only answers cross between the threads: the worker reads the frames in place
/// (``TaskEventFrameParser/parse(_:)``: byte ranges, no string, no allocation) and writes one byte per
/// frame. A first version handed whole reports (strings made on the worker) to the loop and
/// was slower than no worker: every string was then retained and released on the other
/// core, and both threads took the one malloc arena's lock (Benchmarks/RESULTS.md).
///
/// The loop never waits for an answer: a frame the worker has not reached yet is checked on
/// the loop as before. It waits only at the end of the read (``finish()``), for the worker to
/// stop reading the read's bytes, which takes at most the check of one frame. An answer is
/// used only with the redactor it was found under (the loop compares them by identity).
///
/// One read at a time: the event loop starts a read's batch (``start(_:redactor:)``) and
/// finishes it before its next read.
final class TaskCheckWorker: @unchecked Sendable {
    /// The frames answered per read at most; the rest of a larger read is checked on the loop.
    static let maxFramesPerRead = 8_192
    /// Frames past the loop's at which the worker, once awake, starts answering.
    static let leadOverLoop = 4

    /// 0 idle, 1 a batch posted (or the worker asked to stop).
    private let phase = ConditionLock<Int>(value: 0)
    /// How many frames of the batch are answered (written by the worker, read by the loop).
    private let answered = Atomic<Int>(0)
    private let cancelled = Atomic<Bool>(false)
    /// The frame of the batch the loop is at: the worker, woken after the loop began, skips
    /// the frames the loop has checked already.
    private let loopAt = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Frames answered since the start, in all batches (for tests and reports).
    let framesAnswered = Atomic<Int>(0)
    /// One byte per frame of the batch: 1 when its texts are unchanged under the batch's redactor.
    private let answers: UnsafeMutablePointer<UInt8>
    private let maxFrameBytes: Int
    /// The batch: written by the loop only while the worker is idle, read by the worker only
    /// after the loop posted it (the condition lock orders the two).
    private var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var redactor: Redactor?
    /// Whether the worker took the posted batch (under the lock): one it did not take yet is
    /// simply withdrawn at ``finish()``, without waiting for the worker to be scheduled.
    private var taken = false
    /// How many answers the loop has seen in the current batch (the loop's alone).
    private var knownAnswered = 0
    /// The worker thread's memo of key verdicts (the worker's alone).
    private var verdicts = KeyVerdicts()

    init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
        answers = .allocate(capacity: Self.maxFramesPerRead)
        answers.initialize(repeating: 0, count: Self.maxFramesPerRead)
    }

    deinit { answers.deallocate() }

    /// A worker running on a thread of its own (a pool of one, given back to ``stop()`` it).
    static func start(maxFrameBytes: Int) -> (worker: TaskCheckWorker, pool: NIOThreadPool) {
        let worker = TaskCheckWorker(maxFrameBytes: maxFrameBytes)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        pool.submit { _ in worker.run() }
        return (worker, pool)
    }

    // MARK: The event loop's side

    /// Starts checking the frames in `bytes` (complete frames from their first byte, as the
    /// loop walks them) under `redactor`. `bytes` must stay valid until ``finish()``.
    func start(_ bytes: UnsafeRawBufferPointer, redactor: Redactor) {
        phase.lock()
        self.bytes = bytes
        self.redactor = redactor
        answered.store(0, ordering: .relaxed)
        knownAnswered = 0
        loopAt.store(0, ordering: .relaxed)
        cancelled.store(false, ordering: .relaxed)
        phase.unlock(withValue: 1)
    }

    /// Whether the frame at `index` (counted from 0 in the started bytes) was found unchanged
    /// under the batch's redactor; `false` when not, or not answered yet. Asking about a frame
    /// past the answers known notes that the loop is at that frame (a worker that wakes up
    /// later starts past it).
    @inline(__always)
    func isUnchanged(frame index: Int) -> Bool {
        // The shared counters only when the answers already seen do not reach this frame:
        // the worker writes them for every frame, and reading and writing them per frame
        // kept their cache line moving between the cores.
        if index >= knownAnswered {
            loopAt.store(index, ordering: .relaxed)
            knownAnswered = answered.load(ordering: .acquiring)
        }
        return index < knownAnswered && answers[index] == 1
    }

    /// How many frames of the current batch are answered so far.
    var framesAnsweredInBatch: Int { answered.load(ordering: .acquiring) }

    /// Ends the batch: once this returns, the worker no longer reads its bytes.
    func finish() {
        cancelled.store(true, ordering: .relaxed)
        phase.lock()
        if taken {
            phase.unlock()
            phase.lock(whenValue: 0)
        }
        taken = false
        bytes = UnsafeRawBufferPointer(start: nil, count: 0)
        redactor = nil
        phase.unlock(withValue: 0)
    }

    /// Makes ``run()`` return (the brain is stopping).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        phase.lock()
        phase.unlock(withValue: 1)
    }

    // MARK: The worker's side

    /// The worker thread's body: answers each batch posted, until ``stop()``.
    func run() {
        while true {
            phase.lock(whenValue: 1)
            if stopping.load(ordering: .relaxed) {
                phase.unlock()
                return
            }
            taken = true
            let bytes = self.bytes
            let redactor = self.redactor
            phase.unlock()
            if let redactor { answer(bytes, under: redactor) }
            phase.lock()
            phase.unlock(withValue: 0)
        }
    }

    private func answer(_ bytes: UnsafeRawBufferPointer, under redactor: Redactor) {
        var index = 0
        // Frames the loop has reached (or is about to) are answered "no" unread: the loop
        // checks them itself anyway. Looked at again per frame, not only at wake-up: a worker
        // the scheduler kept off the core finds the loop ahead of it, and checking the frames
        // the loop has passed would only take the core from the journal thread.
        _ = FrameSplitter.walk(bytes, maxFrameBytes: maxFrameBytes) { body in
            guard index < Self.maxFramesPerRead, !cancelled.load(ordering: .relaxed) else { return false }
            let unchanged =
                index >= loopAt.load(ordering: .relaxed) + Self.leadOverLoop
                && (TaskEventFrameParser.parse(body).map { TaskEventReport.isUnchanged($0.event, by: redactor, verdicts: &verdicts) } ?? false)
            answers[index] = unchanged ? 1 : 0
            index += 1
            answered.store(index, ordering: .releasing)
            return true
        }
        framesAnswered.add(index, ordering: .relaxed)
    }
}
