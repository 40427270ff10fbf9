import BrainProtocol
import Testing

@testable import BrainCore

/// Listing tasks (filters, search over redacted args, cursor pages), a task with its events,
/// and per-name statistics.
@Suite("Task queries")
struct TaskQueryTests {
    /// Eight tasks over two agents, two names, two queues, created a second apart.
    static func populated() -> (Harness, other: String) {
        var harness = Harness()
        let other = harness.addAgent("other-worker")
        let plan: [(String, TaskEventKind, String, String, String?)] = [
            ("t0", .succeeded, "app.add", "fast", nil), ("t1", .failed, "app.add", "fast", nil), ("t2", .started, "app.mail", "slow", nil),
            ("t3", .succeeded, "app.add", "slow", other), ("t4", .retry, "app.mail", "fast", other), ("t5", .taskSent, "app.add", "fast", nil),
            ("t6", .cancelled, "app.mail", "slow", nil), ("t7", .succeeded, "app.add", "fast", other),
        ]
        for (index, (id, kind, name, queue, agent)) in plan.enumerated() {
            let now = Time.start + Time.seconds(Int64(index))
            harness.task(kind, id, ts: now, as: agent, now: now) {
                $0.name = name
                $0.queue = queue
                $0.kwargsJSON = "{\"user\": \"Customer-\(index)\", \"password\": \"pw-\(index)\"}"
            }
        }
        return (harness, other)
    }

    static func ids(_ state: BrainState, _ query: TaskQuery) -> [String] {
        (try? state.listTasks(query).get())?.tasks.map(\.taskID) ?? ["refused"]
    }

    @Test func filtersCombine() {
        let (harness, other) = Self.populated()
        let state = harness.state
        #expect(Self.ids(state, TaskQuery()) == ["t7", "t6", "t5", "t4", "t3", "t2", "t1", "t0"], "newest first")
        #expect(Self.ids(state, TaskQuery(states: [.succeeded, .failed])) == ["t7", "t3", "t1", "t0"], "several states at once")
        #expect(Self.ids(state, TaskQuery(name: "app.mail")) == ["t6", "t4", "t2"])
        #expect(Self.ids(state, TaskQuery(queue: "slow")) == ["t6", "t3", "t2"])
        #expect(Self.ids(state, TaskQuery(agent: other)) == ["t7", "t4", "t3"])
        #expect(Self.ids(state, TaskQuery(agent: "other-worker")) == ["t7", "t4", "t3"], "by name too")
        #expect(Self.ids(state, TaskQuery(createdSince: Time.start + Time.seconds(2), createdUntil: Time.start + Time.seconds(4))) == ["t4", "t3", "t2"])
        #expect(Self.ids(state, TaskQuery(project: "proj", states: [.succeeded], name: "app.add", queue: "fast")) == ["t7", "t0"])
        #expect(Self.ids(state, TaskQuery(project: "elsewhere")) == [])
        #expect(Self.ids(state, TaskQuery(engine: "rq")) == [])
    }

    @Test func searchLooksAtTheRedactedArgsIgnoringCase() {
        let (harness, _) = Self.populated()
        #expect(Self.ids(harness.state, TaskQuery(search: "customer-3")) == ["t3"])
        #expect(Self.ids(harness.state, TaskQuery(search: "CUSTOMER-")).count == 8)
        #expect(Self.ids(harness.state, TaskQuery(search: "pw-3")) == [], "a secret is not there to be found")
        #expect(Self.ids(harness.state, TaskQuery(search: "[REDACTED]")).count == 8)
        let long = String(repeating: "x", count: TaskQuery.maxSearchBytes + 1)
        #expect(harness.state.listTasks(TaskQuery(search: long)).failure?.code == .invalidArgument)
    }

    @Test func pagesFollowTheCursorAndAFullLastPageHasNone() throws {
        let (harness, _) = Self.populated()
        var seen: [String] = []
        var cursor = ""
        var pages = 0
        repeat {
            let page = try harness.state.listTasks(TaskQuery(states: [.succeeded, .failed, .started], cursor: cursor, limit: 2)).get()
            seen += page.tasks.map(\.taskID)
            cursor = page.nextCursor
            pages += 1
        } while !cursor.isEmpty
        #expect(seen == ["t7", "t3", "t2", "t1", "t0"])
        #expect(pages == 3)
        // Exactly a page of matches: no cursor to an empty page.
        let exact = try harness.state.listTasks(TaskQuery(states: [.failed, .started], limit: 2)).get()
        #expect(exact.tasks.map(\.taskID) == ["t2", "t1"])
        #expect(exact.nextCursor == "")
        for bad in ["x5", "t-1", "t99", "t"] {
            #expect(harness.state.listTasks(TaskQuery(cursor: bad)).failure?.code == .invalidArgument, "\(bad)")
        }
    }

    /// A retention sweep between two pages removes tasks before and after the cursor; the
    /// next page goes on right after the last task listed, skipping and repeating nothing
    /// still there. (Cursors named positions, which a sweep moves.)
    @Test func aSweepBetweenPagesSkipsAndRepeatsNothing() throws {
        let (populated, _) = Self.populated()
        var harness = populated
        let first = try harness.state.listTasks(TaskQuery(limit: 3)).get()
        #expect(first.tasks.map(\.taskID) == ["t7", "t6", "t5"])
        // Remove t6 (listed) and t3, t1 (not listed yet): every finished task among them.
        let gone = ["t6", "t3", "t1"].map { TaskRef(project: "proj", engine: "celery", taskID: $0) }
        _ = harness.state.apply(.retentionSweep(RetentionSweep(tasks: gone)), now: Time.start + Time.seconds(60))
        #expect(harness.state.tasks.count == 5)
        var seen = first.tasks.map(\.taskID)
        var cursor = first.nextCursor
        while !cursor.isEmpty {
            let page = try harness.state.listTasks(TaskQuery(cursor: cursor, limit: 3)).get()
            seen += page.tasks.map(\.taskID)
            cursor = page.nextCursor
        }
        #expect(seen == ["t7", "t6", "t5", "t4", "t2", "t0"])
        // New tasks take new serials: an old cursor still means "older than what I saw".
        harness.task(.taskSent, "t8")
        #expect(Self.ids(harness.state, TaskQuery(cursor: first.nextCursor)) == ["t4", "t2", "t0"])
        #expect(harness.state.tasks.map(\.serial) == [0, 2, 4, 5, 7, 8], "serials are never reused or moved")
    }

    @Test func aTaskComesWithItsEventsInOrder() throws {
        var harness = Harness()
        harness.task(.succeeded, "x", ts: 30)
        harness.task(.taskSent, "x", ts: 10)
        harness.task(.started, "x", ts: 20)
        harness.task(.started, "x", ts: 20)
        let task = try harness.state.task(id: "x").get()
        #expect(task.events.map(\.ts) == [10, 20, 20, 30])
        #expect(task.events.map(\.agentSeq) == [2, 3, 4, 1], "equal timestamps keep their arrival order")
        #expect(harness.state.task(id: "missing").failure?.code == .notFound)
        #expect(harness.state.task(id: "x", project: "elsewhere").failure?.code == .notFound)
    }

    @Test func statisticsPerName() throws {
        var harness = Harness()
        // app.add: runtimes 10..100 ms in 10 succeeded tasks; 2 failed (runtime 5 ms); 1 lost; 1 cancelled.
        for index in 1...10 {
            harness.task(.started, "ok\(index)", ts: Time.start) { $0.name = "app.add" }
            harness.task(.succeeded, "ok\(index)", ts: Time.start + Time.ms(Int64(index * 10)))
        }
        for index in 1...2 {
            harness.task(.started, "bad\(index)", ts: Time.start) { $0.name = "app.add" }
            harness.task(.failed, "bad\(index)", ts: Time.start + Time.ms(5))
        }
        harness.task(.started, "gone", ts: Time.start) { $0.name = "app.add" }
        _ = harness.state.apply(.taskLiveness([LostTask(project: "proj", engine: "celery", taskID: "gone", reason: "test")]), now: Time.start)
        harness.task(.cancelled, "stop") { $0.name = "app.add" }
        harness.task(.started, "mail") { $0.name = "app.mail" }
        let stats = harness.state.taskStats(TaskStatsQuery())
        #expect(stats.map(\.name) == ["app.add", "app.mail"])
        let add = try #require(stats.first)
        #expect(add.counts[.succeeded] == 10)
        #expect(add.counts[.failed] == 2)
        #expect(add.counts[.lost] == 1)
        #expect(add.counts[.cancelled] == 1)
        #expect(add.counts.total == 14)
        #expect(add.runtimeSamples == 12)
        #expect(add.runtimeP50Ns == Time.ms(40))
        #expect(add.runtimeP99Ns == Time.ms(100))
        #expect(add.failureRate == 3.0 / 13.0)
        let mail = stats[1]
        #expect(mail.counts[.started] == 1)
        #expect(mail.runtimeP50Ns == nil)
        #expect(mail.failureRate == nil)
        #expect(harness.state.taskStats(TaskStatsQuery(name: "app.mail")).map(\.name) == ["app.mail"])
        #expect(harness.state.taskStats(TaskStatsQuery(project: "other")).isEmpty)
    }

    @Test(arguments: [(50, [Int64]([]), Int64?.none), (50, [7], 7), (50, [1, 2], 1), (50, [1, 2, 3], 2), (99, Array(1...100), 99), (99, [1, 2], 2)])
    func percentilesAreNearestRank(_ percentile: Int, _ values: [Int64], _ expected: Int64?) {
        #expect(TaskNameStats.percentile(percentile, of: values) == expected)
    }
}
