import BrainFraming
import BrainProtocol

/// Builds a realistic, deterministic Celery-like task stream: tasks dealt over agents
/// (workers), each task `task_sent` → `started` → `succeeded` (about 5% `failed` with a
/// traceback, about 5% `retry` → `started` → `succeeded`), agents interleaved at random,
/// each event a `publish` frame.
struct TaskStreamGenerator {
    struct Summary {
        var agents = 0
        var tasks = 0
        var failedTasks = 0
        var retriedTasks = 0
        var secretTasks = 0
        var events = 0
        var bytes = 0
    }

    let agents: Int
    let tasks: Int
    /// About this many bytes of args + kwargs JSON on `task_sent`.
    let argsBytes: Int
    let seed: UInt64

    /// The recording's bytes and what they hold.
    func generate() -> (bytes: [UInt8], summary: Summary) {
        var random = SplitMix64(seed: seed)
        var ids = SplitMix64(seed: seed ^ 0x7A5C_0FFE_E000_0DDB)
        var queues: [[Int]] = Array(repeating: [], count: agents)
        for task in 0..<tasks { queues[task % agents].append(task) }
        var pending: [[TaskEventReported]] = Array(repeating: [], count: agents)
        var seqs = Array(repeating: UInt64(0), count: agents)
        var active = (0..<agents).filter { !queues[$0].isEmpty }

        var summary = Summary()
        summary.agents = agents
        summary.tasks = tasks
        var out: [UInt8] = []
        out.reserveCapacity(tasks * 3 * (argsBytes / 3 + 200))
        while !active.isEmpty {
            let slot = random.below(active.count)
            let agent = active[slot]
            if pending[agent].isEmpty {
                let task = queues[agent].removeFirst()
                pending[agent] = life(of: task, taskID: ids.uuid(), agent: agent, &random, &summary)
                pending[agent].reverse()
            }
            let reported = pending[agent].removeLast()
            seqs[agent] += 1
            let body = WireCodec.encode(BrainRequest(callID: 0, method: .publish(AgentEvent(seq: seqs[agent], kind: .taskEvent(reported)))))
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: body)
            summary.events += 1
            if pending[agent].isEmpty && queues[agent].isEmpty { active.remove(at: slot) }
        }
        summary.bytes = out.count
        return (out, summary)
    }

    /// One task's events, in order.
    private func life(of task: Int, taskID: String, agent: Int, _ random: inout SplitMix64, _ summary: inout Summary) -> [TaskEventReported] {
        let (name, queue) = random.pick(Vocabulary.taskNames)
        var ts = 1_750_000_000_000_000_000 + Int64(task) * 250_000_000
        func event(_ kind: WireTaskEventKind, attempt: UInt32) -> TaskEventReported {
            var reported = TaskEventReported(taskID: taskID, engine: "celery", kind: kind, ts: ts)
            reported.attempt = attempt
            reported.name = name
            reported.queue = queue
            ts += Int64(1 + random.below(400)) * 1_000_000
            return reported
        }
        let roll = random.below(100)
        let secret = random.chance(3)
        if secret { summary.secretTasks += 1 }
        var sent = event(.taskSent, attempt: 1)
        (sent.argsJSON, sent.kwargsJSON) = arguments(secret: secret, &random)
        var events = [sent, event(.started, attempt: 1)]
        if roll < 5 {
            summary.failedTasks += 1
            var failed = event(.failed, attempt: 1)
            fillError(&failed, name: name, &random)
            events.append(failed)
            return events
        }
        if roll < 10 {
            summary.retriedTasks += 1
            var retry = event(.retry, attempt: 1)
            fillError(&retry, name: name, &random)
            events.append(retry)
            events.append(event(.started, attempt: 2))
            var succeeded = event(.succeeded, attempt: 2)
            succeeded.payloadJSON = result(&random)
            events.append(succeeded)
            return events
        }
        var succeeded = event(.succeeded, attempt: 1)
        succeeded.payloadJSON = result(&random)
        events.append(succeeded)
        return events
    }

    /// Positional args and kwargs JSON, together about `argsBytes` (±20%); with `secret`, a
    /// kwarg the redactor must catch.
    private func arguments(secret: Bool, _ random: inout SplitMix64) -> (String, String) {
        let budget = max(40, argsBytes * (80 + random.below(41)) / 100)
        let args = #"[\#(random.below(1_000_000)),"\#(random.pick(Vocabulary.sites))"]"#
        var kwargs = #"{"user_id":\#(random.below(100_000)),"locale":"en-US","retries":\#(random.below(4))"#
        if secret {
            let (key, prefix) = random.pick(Vocabulary.secretKwargs)
            kwargs += #","\#(key)":"\#(prefix)\#(Self.token(24, &random))""#
        }
        kwargs += #","note":""#
        let room = max(0, budget - args.utf8.count - kwargs.utf8.count - 2)
        var filler = ""
        while filler.utf8.count < room {
            if !filler.isEmpty { filler += " " }
            filler += random.pick(Vocabulary.words)
        }
        return (args, kwargs + String(filler.prefix(room)) + "\"}")
    }

    private func fillError(_ reported: inout TaskEventReported, name: String, _ random: inout SplitMix64) {
        let (type, message) = random.pick(Vocabulary.taskErrors)
        reported.excType = type
        reported.excMessage = message
        let module = name.split(separator: ".").dropLast().joined(separator: "/")
        reported.traceback = """
            Traceback (most recent call last):
              File "/usr/lib/python3/site-packages/celery/app/trace.py", line 453, in trace_task
                R = retval = fun(*args, **kwargs)
              File "/usr/lib/python3/site-packages/celery/app/trace.py", line 736, in __protected_call__
                return self.run(*args, **kwargs)
              File "/srv/app/\(module).py", line \(20 + random.below(300)), in \(name.split(separator: ".").last ?? "run")
                response = client.request(url, timeout=10)
            \(type): \(message)
            """
    }

    private func result(_ random: inout SplitMix64) -> String {
        #"{"result":{"ok":true,"items":\#(random.below(500))},"runtime":\#(Double(random.below(5000)) / 1000)}"#
    }

    private static func token(_ count: Int, _ random: inout SplitMix64) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<count).map { _ in alphabet[random.below(alphabet.count)] })
    }
}
