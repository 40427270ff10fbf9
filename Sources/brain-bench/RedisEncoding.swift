import BrainProtocol
import NIOCore

/// The same logical work as the brain does for each event, as pipelined Redis commands
/// (`brain-bench replay --target redis`, the anchor the brain is compared with):
/// - a task event: `HSET task:<id>` of the task's fields as the event sets them (state, name,
///   queue, attempt, updated_at; args and kwargs when sent, the error or result when given),
///   then `XADD task_events:<id> *` of the event itself (kind, ts, attempt, error, payload);
/// - run created: `HSET runmeta:<id> goal .. status running created_at ..`; a step:
///   `XADD run:<id> * step <n> name .. status .. input .. output ..`, `HINCRBY runmeta:<id>
///   step_count 1`, `HSET runmeta:<id> updated_at ..`; a status change: `HSET runmeta:<id>
///   status .. updated_at ..` (as Benchmarks/Load's brain-load does).
enum RedisEncoding {
    /// A lane's commands in one buffer, where each event's commands end in it, and how many
    /// commands were issued up to and including each event.
    static func encode(_ events: [AgentEvent]) -> (frames: ByteBuffer, ends: [Int], commandEnds: [Int]) {
        var buffer = ByteBufferAllocator().buffer(capacity: events.count * 500)
        var ends: [Int] = []
        var commandEnds: [Int] = []
        ends.reserveCapacity(events.count)
        commandEnds.reserveCapacity(events.count)
        var commands = 0
        for event in events {
            commands += write(event, into: &buffer)
            ends.append(buffer.writerIndex - buffer.readerIndex)
            commandEnds.append(commands)
        }
        return (buffer, ends, commandEnds)
    }

    /// Writes one event's commands; returns how many.
    private static func write(_ event: AgentEvent, into buffer: inout ByteBuffer) -> Int {
        switch event.kind {
        case .taskEvent(let task):
            var fields: [(String, String)] = [
                ("state", state(after: task.kind)), ("name", task.name), ("queue", task.queue), ("attempt", String(task.attempt)),
                ("updated_at", String(task.ts)),
            ]
            if !task.argsJSON.isEmpty { fields.append(("args", task.argsJSON)) }
            if !task.kwargsJSON.isEmpty { fields.append(("kwargs", task.kwargsJSON)) }
            if !task.excType.isEmpty {
                fields += [("exc_type", task.excType), ("exc_message", task.excMessage), ("traceback", task.traceback)]
            }
            if !task.payloadJSON.isEmpty { fields.append(("result", task.payloadJSON)) }
            command(["HSET", "task:" + task.taskID] + fields.flatMap { [$0.0, $0.1] }, into: &buffer)
            var entry: [String] = ["kind", task.kind.name, "ts", String(task.ts), "attempt", String(task.attempt)]
            if !task.excType.isEmpty { entry += ["exc_type", task.excType, "exc_message", task.excMessage, "traceback", task.traceback] }
            if !task.payloadJSON.isEmpty { entry += ["payload", task.payloadJSON] }
            command(["XADD", "task_events:" + task.taskID, "*"] + entry, into: &buffer)
            return 2
        case .runCreated(let created):
            command(["HSET", "runmeta:" + created.runID, "goal", created.goal, "status", "running", "created_at", "0"], into: &buffer)
            return 1
        case .step(let step):
            command(
                [
                    "XADD", "run:" + step.runID, "*", "step", String(step.seq), "name", step.stepName, "status", String(step.status.rawValue),
                    "input", step.inputJSON, "output", step.outputJSON, "error", step.error,
                ], into: &buffer)
            command(["HINCRBY", "runmeta:" + step.runID, "step_count", "1"], into: &buffer)
            command(["HSET", "runmeta:" + step.runID, "updated_at", String(step.startedAt)], into: &buffer)
            return 3
        case .runStatus(let change):
            command(["HSET", "runmeta:" + change.runID, "status", String(change.status.rawValue), "updated_at", "0"], into: &buffer)
            return 1
        case .scheduleUpsert, .scheduleDelete, .scheduleFired, .scheduleListing, .commandReceived, .commandResult, .unknown:
            return 0
        }
    }

    private static func state(after kind: WireTaskEventKind) -> String {
        switch kind {
        case .taskSent: "pending"
        case .started: "started"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .retry: "retried"
        case .cancelled: "cancelled"
        case .expired: "cancelled"
        case .unspecified: "unspecified"
        }
    }

    private static func command(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }
}

/// Counts whole RESP replies as they arrive (integers, simple strings, errors and bulk
/// strings: what HSET, HINCRBY and XADD answer).
struct RESPReplyCounter {
    private var pending = ByteBuffer()
    private(set) var replies = 0
    private(set) var errors = 0
    private(set) var firstError: String?

    mutating func consume(_ bytes: inout ByteBuffer) {
        if pending.readableBytes == 0 {
            pending = bytes
        } else {
            pending.writeBuffer(&bytes)
        }
        while let first = pending.getInteger(at: pending.readerIndex, as: UInt8.self) {
            guard let lineEnd = lineEnd(from: pending.readerIndex) else { break }
            switch first {
            case UInt8(ascii: "$"):
                let lengthText = pending.getString(at: pending.readerIndex + 1, length: lineEnd - pending.readerIndex - 1) ?? ""
                let length = Int(lengthText) ?? -1
                let total = lineEnd + 2 - pending.readerIndex + (length >= 0 ? length + 2 : 0)
                guard pending.readableBytes >= total else { return compact() }
                pending.moveReaderIndex(forwardBy: total)
            case UInt8(ascii: "-"):
                errors += 1
                if firstError == nil {
                    firstError = pending.getString(at: pending.readerIndex + 1, length: lineEnd - pending.readerIndex - 1)
                }
                pending.moveReaderIndex(to: lineEnd + 2)
            default:
                pending.moveReaderIndex(to: lineEnd + 2)
            }
            replies += 1
        }
        compact()
    }

    private mutating func compact() {
        if pending.readableBytes == 0 { pending.clear() } else { pending.discardReadBytes() }
    }

    /// Where the `\r\n` that ends the line at `start` begins (absolute index).
    private func lineEnd(from start: Int) -> Int? {
        pending.withUnsafeReadableBytes { raw -> Int? in
            let base = start - pending.readerIndex
            var index = base
            while index + 1 < raw.count {
                if raw[index] == 13 && raw[index + 1] == 10 { return pending.readerIndex + index }
                index += 1
            }
            return nil
        }
    }
}
