import BrainCore
import BrainProtocol
import BrainStore
import Foundation
import Logging
import Synchronization
import Testing

@testable import BrainServer

/// The task-check thread (``TaskCheckWorker``) in the whole server: a stream of task events,
/// some carrying secrets, in large reads, gives the same tasks with it as without it, and no
/// secret reaches the journal or the snapshot either way.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TaskCheckServerTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    static let secret = "hunter2-\(UUID().uuidString)"

    /// Event `index` of the stream: three per task (sent, started, a terminal one); every
    /// seventh task's kwargs hold a secret key, every eleventh fails with a secret in its traceback.
    static func event(_ index: Int) -> TaskEventReported {
        let task = index / 3
        let kinds: [WireTaskEventKind] = [.taskSent, .started, task % 11 == 0 ? .failed : .succeeded]
        var event = TaskEventReported(taskID: "task-\(task)", engine: "celery", kind: kinds[index % 3], ts: 1_000 + Int64(index))
        event.name = "app.tasks.job"
        switch index % 3 {
        case 0:
            event.argsJSON = "[\(task),\"site-\(task % 5)\"]"
            let key = task % 7 == 0 ? "api_token" : "note"
            event.kwargsJSON = "{\"user_id\":\(task),\"\(key)\":\"\(task % 7 == 0 ? secret : "plain words, nothing to hide")\"}"
        case 1: break
        default:
            if task % 11 == 0 {
                event.excType = "ValueError"
                event.excMessage = "bad input"
                event.traceback = "Traceback (most recent call last):\n  File \"job.py\", line 3\n    connect(password=\(secret))\nValueError: bad input"
            } else {
                event.payloadJSON = "{\"result\":\(task)}"
            }
        }
        return event
    }

    /// Runs a brain (`thread` on or off), streams `count` events in large writes, and returns
    /// the tasks as listed, the data directory's bytes (journal, then snapshot) and the frames the worker answered.
    static func stream(count: Int, thread: Bool) async throws -> (tasks: [TaskInfo], journal: Data, answered: Int) {
        let directory = NSTemporaryDirectory() + "brain-task-check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration(socketPath: "\(directory)/brain.sock", dataDirectory: "\(directory)/data")
        configuration.snapshotIntervalSeconds = 0
        configuration.snapshotAfterChanges = 0
        configuration.taskCheckThread = thread
        configuration.taskCheckMinReadBytes = 0
        let server = try await BrainServer.start(configuration: configuration, logger: logger)
        #expect((server.taskCheck != nil) == thread)

        let agent = try WireClient(socketPath: configuration.socketPath)
        guard case .welcome = try agent.call(1, .hello(Hello(agentName: "worker-1", project: "default", token: "t-1"))).result else {
            try await server.shutdown()
            throw BrainError(.internal, "no welcome")
        }
        let requests = (0..<count).map { BrainRequest(callID: 0, method: .publish(AgentEvent(seq: UInt64($0 + 1), kind: .taskEvent(event($0))))) }
        // The first event alone (the connection then publishes task events), the rest in writes of 500.
        try agent.send([requests[0]])
        _ = try agent.read(until: { _ in agent.ackedSeq == 1 })
        var start = 1
        while start < count {
            try agent.send(Array(requests[start..<min(count, start + 500)]))
            start += 500
        }
        let acked = try agent.read(until: { _ in agent.ackedSeq == UInt64(count) }, seconds: 60)
        #expect(acked, "acked up to \(agent.ackedSeq) of \(count)")
        #expect(!agent.received.contains { $0.error != nil }, "\(agent.received.filter { $0.error != nil }.prefix(3))")

        let client = try WireClient(socketPath: configuration.socketPath)
        var tasks: [TaskInfo] = []
        var cursor = ""
        repeat {
            var query = ListTasksQuery()
            query.limit = 500
            query.cursor = cursor
            guard case .tasks(let page) = try client.call(UInt64(tasks.count + 2), .listTasks(query)).result else {
                Issue.record("ListTasks failed")
                break
            }
            tasks += page.tasks
            cursor = page.nextCursor
        } while !cursor.isEmpty
        let answered = server.taskCheck?.worker.framesAnswered.load(ordering: .relaxed) ?? 0
        // Every event is journalled before its ack; the final snapshot replaces the journal.
        let journal = try files(in: configuration.dataDirectory)
        try await server.shutdown()
        return (tasks, journal + (try files(in: configuration.dataDirectory)), answered)
    }

    /// The bytes of every file in `directory`, one after another.
    static func files(in directory: String) throws -> Data {
        var bytes = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            bytes += try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
        }
        return bytes
    }

    @Test func theSameTasksWithTheThreadAsWithoutItAndNoSecretOnDisk() async throws {
        let count = 6_000
        let checked = try await Self.stream(count: count, thread: true)
        let plain = try await Self.stream(count: count, thread: false)
        #expect(checked.tasks.count == count / 3)
        #expect(checked.answered > count / 4, "the worker answered \(checked.answered) frames")
        #expect(plain.answered == 0)
        // Times of receipt differ between the runs; everything the events carried is the same.
        func carried(_ task: TaskInfo) -> [String] {
            [task.taskID, task.state.name, task.argsJSON, task.kwargsJSON, task.error?.excMessage ?? "", task.error?.tracebackRedacted ?? ""]
        }
        #expect(checked.tasks.map(carried) == plain.tasks.map(carried))
        let secretTask = try #require(checked.tasks.first { $0.taskID == "task-7" })
        #expect(secretTask.kwargsJSON.contains("[REDACTED]") && !secretTask.kwargsJSON.contains(Self.secret), "\(secretTask.kwargsJSON)")
        let failed = try #require(checked.tasks.first { $0.taskID == "task-11" })
        #expect(failed.error?.tracebackRedacted.contains(Self.secret) == false)
        for run in [checked, plain] {
            #expect(run.journal.count > 100_000)
            #expect(run.journal.range(of: Data(Self.secret.utf8)) == nil, "a secret reached the disk")
        }
    }
}
