import BrainFraming
import BrainProtocol
import NIOCore

/// A recording split for replay: each run, and each task (task events belong to no run),
/// goes whole and in order to one connection (runs and tasks dealt round-robin in order of
/// first appearance); a connection keeps the file's interleaving of its runs and tasks.
struct ReplayPlan: Sendable {
    /// What one connection sends.
    struct Lane: Sendable {
        var events: [AgentEvent] = []
        var steps = 0
        var runs = 0
        var tasks = 0
        var taskEvents = 0
    }

    var lanes: [Lane]
    var runs = 0
    var events = 0
    var steps = 0
    var tasks = 0
    var taskEvents = 0
    /// Events of a kind this build does not know; not sent.
    var skipped = 0
    /// Bytes at the end of the file that are not a whole frame.
    var trailingBytes = 0

    /// Reads and decodes `path`.
    static func load(path: String, connections: Int) throws(BenchError) -> ReplayPlan {
        let bytes = try RecordingFile.read(path)
        let layout: RecordingFile.Layout
        do {
            layout = try RecordingFile.layout(of: bytes, maxFrameBytes: WireConstants.defaultMaxFrameBytes)
        } catch {
            throw BenchError("\(path): \(error.message)")
        }
        var plan = ReplayPlan(lanes: Array(repeating: Lane(), count: connections))
        plan.trailingBytes = layout.trailingBytes
        var laneOfRun: [String: Int] = [:]
        var laneOfTask: [String: Int] = [:]
        var units = 0
        let failure: BenchError? = bytes.withUnsafeBytes { raw in
            for (index, body) in layout.bodies.enumerated() {
                let request: BrainRequest
                do {
                    request = try WireCodec.decodeRequest(UnsafeRawBufferPointer(rebasing: raw[body]))
                } catch {
                    return BenchError("\(path): frame \(index + 1) at byte \(body.lowerBound - 4) is not a brain.v1.Request; is this a recording?")
                }
                guard case .publish(let event) = request.method else {
                    return BenchError("\(path): frame \(index + 1) at byte \(body.lowerBound - 4) is not a publish; is this a recording?")
                }
                let runID: String
                var isStep = false
                switch event.kind {
                case .runCreated(let created): runID = created.runID
                case .runStatus(let change): runID = change.runID
                case .step(let step):
                    runID = step.runID
                    isStep = true
                case .taskEvent(let reported):
                    // A task's events stay in order on one connection, as a run's do.
                    let key = (reported.engine.isEmpty ? "celery" : reported.engine) + "\u{0}" + reported.taskID
                    let lane: Int
                    if let known = laneOfTask[key] {
                        lane = known
                    } else {
                        lane = units % connections
                        laneOfTask[key] = lane
                        units += 1
                        plan.tasks += 1
                        plan.lanes[lane].tasks += 1
                    }
                    plan.lanes[lane].events.append(event)
                    plan.lanes[lane].taskEvents += 1
                    plan.events += 1
                    plan.taskEvents += 1
                    continue
                case .scheduleUpsert, .scheduleDelete, .scheduleFired, .scheduleListing, .commandReceived, .commandResult, .unknown:
                    // Schedules and commands are not replayed (yet).
                    plan.skipped += 1
                    continue
                }
                let key = runID.lowercased()
                let lane: Int
                if let known = laneOfRun[key] {
                    lane = known
                } else {
                    lane = units % connections
                    laneOfRun[key] = lane
                    units += 1
                    plan.runs += 1
                    plan.lanes[lane].runs += 1
                }
                plan.lanes[lane].events.append(event)
                plan.events += 1
                if isStep {
                    plan.lanes[lane].steps += 1
                    plan.steps += 1
                }
            }
            return nil
        }
        if let failure { throw failure }
        return plan
    }

    /// A lane's publish frames, numbered from `seqBase + 1`, in one buffer, and the end
    /// offset of each frame in it.
    static func encode(_ events: [AgentEvent], seqBase: UInt64) -> (frames: ByteBuffer, ends: [Int]) {
        var buffer = ByteBufferAllocator().buffer(capacity: events.count * 400)
        var ends: [Int] = []
        ends.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            var renumbered = event
            renumbered.seq = seqBase + UInt64(index) + 1
            WireCodec.writeFrame(BrainRequest(callID: 0, method: .publish(renumbered)), into: &buffer)
            ends.append(buffer.writerIndex - buffer.readerIndex)
        }
        return (buffer, ends)
    }
}
