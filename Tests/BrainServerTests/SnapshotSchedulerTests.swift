import BrainProtocol
import Testing

@testable import BrainServer

/// When snapshots are taken, event by event: the interval and change-count rules, requests
/// coalescing while one is in flight (each answered by a snapshot taken after it came), a
/// failure and the success that clears it, and the final snapshot of a stop.
struct SnapshotSchedulerTests {
    /// One thing that happens to the scheduler.
    enum Step: Sendable, CustomStringConvertible {
        /// A tick at `now` seconds with the state at `revision`.
        case tick(seconds: Int64, revision: UInt64)
        /// A Snapshot RPC.
        case request(String)
        /// The brain stops.
        case stop(String)
        /// The snapshot in flight is durable; its copy held `revision`.
        case succeeds(revision: UInt64, segment: Int)
        case fails(SnapshotScheduler<String>.Stage)

        var description: String {
            switch self {
            case .tick(let seconds, let revision): "tick \(seconds)s r\(revision)"
            case .request(let name): "request \(name)"
            case .stop(let name): "stop \(name)"
            case .succeeds(let revision, let segment): "succeeds r\(revision) s\(segment)"
            case .fails(let stage): "fails at \(stage)"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var trigger = SnapshotScheduler<String>.Trigger(intervalNanos: 30_000_000_000, afterChanges: 100)
        var steps: [Step]
        var log: [String]
        var state: SnapshotScheduler<String>.State
        var fault: String? = nil
        /// When the brain started, in seconds.
        var startedAt: Int64 = 0

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing changed: no snapshot however long", steps: [.tick(seconds: 100, revision: 0)], log: [], state: .idle),
        Case(
            name: "the interval passed with changes: a snapshot",
            steps: [.tick(seconds: 29, revision: 5), .tick(seconds: 30, revision: 5), .succeeds(revision: 5, segment: 2)],
            log: ["start", "answer - ok; clean up below 2"], state: .idle
        ),
        Case(
            name: "enough changes before the interval: a snapshot",
            steps: [.tick(seconds: 1, revision: 99), .tick(seconds: 2, revision: 100)],
            log: ["start"], state: .writing
        ),
        Case(
            name: "changes count from the last snapshot's revision, time from its copy",
            steps: [
                .tick(seconds: 1, revision: 100), .succeeds(revision: 100, segment: 2), .tick(seconds: 2, revision: 199),
                .tick(seconds: 30, revision: 199), .tick(seconds: 31, revision: 200),
            ],
            log: ["start", "answer - ok; clean up below 2", "start"], state: .writing
        ),
        Case(
            name: "the interval counts from the start when that is later than the last snapshot",
            steps: [.tick(seconds: 1_001, revision: 5), .tick(seconds: 1_029, revision: 5), .tick(seconds: 1_030, revision: 5)],
            log: ["start"], state: .writing, startedAt: 1_000
        ),
        Case(
            name: "a rule set to 0 never fires",
            trigger: .init(intervalNanos: 0, afterChanges: 0),
            steps: [.tick(seconds: 1_000, revision: 1_000_000)], log: [], state: .idle
        ),
        Case(
            name: "a tick during a snapshot starts none",
            steps: [.tick(seconds: 30, revision: 5), .tick(seconds: 60, revision: 500), .succeeds(revision: 5, segment: 2)],
            log: ["start", "answer - ok; clean up below 2"], state: .idle
        ),
        Case(
            name: "a request when idle starts at once, changes or not",
            steps: [.request("a"), .succeeds(revision: 0, segment: 2)],
            log: ["start", "answer a ok; clean up below 2"], state: .idle
        ),
        Case(
            name: "requests during a snapshot coalesce into exactly one more, and every waiter is answered",
            steps: [.request("a"), .request("b"), .request("c"), .request("d"), .succeeds(revision: 1, segment: 2), .succeeds(revision: 2, segment: 3)],
            log: ["start", "answer a ok; clean up below 2", "start", "answer b,c,d ok; clean up below 3"], state: .idle
        ),
        Case(
            name: "a request during that one gets the one after it",
            steps: [
                .request("a"), .request("b"), .succeeds(revision: 1, segment: 2), .request("c"), .request("d"), .succeeds(revision: 2, segment: 3),
                .succeeds(revision: 3, segment: 4),
            ],
            log: ["start", "answer a ok; clean up below 2", "start", "answer b ok; clean up below 3", "start", "answer c,d ok; clean up below 4"],
            state: .idle
        ),
        Case(
            name: "a request during a tick's snapshot gets the next one",
            steps: [.tick(seconds: 30, revision: 5), .request("a"), .succeeds(revision: 5, segment: 2), .succeeds(revision: 6, segment: 3)],
            log: ["start", "answer - ok; clean up below 2", "start", "answer a ok; clean up below 3"], state: .idle
        ),
        Case(
            name: "a failed rotation answers unavailable, keeps the fault, and removes only a retired generation",
            steps: [.request("a"), .fails(.journalRotation)],
            log: ["start", "answer a unavailable: snapshot not taken: the journal could not be rotated: full; remove retired generation"],
            state: .idle, fault: "snapshot not taken: the journal could not be rotated: full"
        ),
        Case(
            name: "a failed write keeps the previous snapshot; the next success clears the fault",
            steps: [.request("a"), .request("b"), .fails(.write), .succeeds(revision: 2, segment: 3)],
            log: [
                "start", "answer a unavailable: snapshot failed, the previous one is kept: full; remove retired generation", "start",
                "answer b ok; clean up below 3",
            ],
            state: .idle
        ),
        Case(
            name: "a failure is not retried in a loop, but by the next tick that finds the rule due",
            steps: [.tick(seconds: 30, revision: 5), .fails(.write), .tick(seconds: 31, revision: 5)],
            log: ["start", "answer - unavailable: snapshot failed, the previous one is kept: full; remove retired generation", "start"],
            state: .writing, fault: "snapshot failed, the previous one is kept: full"
        ),
        Case(
            name: "the stop's snapshot is final",
            steps: [.stop("stop"), .succeeds(revision: 1, segment: 2)],
            log: ["start final", "answer stop ok; clean up below 2"], state: .idle
        ),
        Case(
            name: "a stop during a periodic snapshot waits for it, then writes the final one",
            steps: [.tick(seconds: 30, revision: 5), .stop("stop"), .succeeds(revision: 5, segment: 2), .succeeds(revision: 6, segment: 3)],
            log: ["start", "answer - ok; clean up below 2", "start final", "answer stop ok; clean up below 3"], state: .idle
        ),
        Case(
            name: "no periodic snapshot once the brain stops",
            steps: [.stop("stop"), .succeeds(revision: 1, segment: 2), .tick(seconds: 1_000, revision: 1_000)],
            log: ["start final", "answer stop ok; clean up below 2"], state: .idle
        ),
    ]

    @Test(arguments: cases)
    func theSchedulerDoesWhatTheTableSays(_ testCase: Case) {
        var scheduler = SnapshotScheduler<String>(
            trigger: testCase.trigger, lastSnapshotAt: 0, revision: 0, startedAt: testCase.startedAt * 1_000_000_000
        )
        var log: [String] = []
        func started(_ start: SnapshotScheduler<String>.Start?) {
            guard let start else { return }
            log.append(start.final ? "start final" : "start")
            #expect(start.yieldsToIngestion == !start.final)
        }
        func completed(_ completion: SnapshotScheduler<String>.Completion) {
            let waiters = completion.waiters.isEmpty ? "-" : completion.waiters.joined(separator: ",")
            let result =
                switch completion.result {
                case .success: "ok"
                case .failure(let error): "\(error.code == .unavailable ? "unavailable" : "\(error.code)"): \(error.message)"
                }
            let cleanUp =
                switch completion.cleanUp {
                case .removeLeftovers(let segment): "clean up below \(segment)"
                case .removeRetiredGeneration: "remove retired generation"
                }
            log.append("answer \(waiters) \(result); \(cleanUp)")
            if case .failure(let error) = completion.result { #expect(completion.fault == error.message) }
            started(completion.next)
        }
        var clock: Int64 = 0
        for step in testCase.steps {
            switch step {
            case .tick(let seconds, let revision):
                clock = seconds * 1_000_000_000
                started(scheduler.tick(now: clock, revision: revision))
            case .request(let name): started(scheduler.requested(by: name))
            case .stop(let name): started(scheduler.stopRequested(by: name))
            case .succeeds(let revision, let segment):
                completed(
                    scheduler.succeeded(.init(revision: revision, writtenAt: clock, bytes: 10, path: "snapshot.json", journalSegment: segment)))
            case .fails(let stage): completed(scheduler.failed(at: stage, error: "full"))
            }
        }
        #expect(log == testCase.log)
        #expect(scheduler.state == testCase.state)
        #expect(scheduler.fault == testCase.fault)
    }

    @Test func aSuccessAnswersWithWhatWasWrittenAndMovesTheRulesOn() throws {
        var scheduler = SnapshotScheduler<String>(trigger: .init(intervalNanos: 10, afterChanges: 0), lastSnapshotAt: 0, revision: 0)
        #expect(scheduler.requested(by: "a") == .init(final: false))
        let completion = scheduler.succeeded(.init(revision: 7, writtenAt: 123, bytes: 4_096, path: "/d/snapshot.json", journalSegment: 9))
        let reply = try completion.result.get()
        #expect(reply.writtenAt == 123 && reply.bytes == 4_096 && reply.path == "/d/snapshot.json")
        #expect(scheduler.lastSnapshotAt == 123)
        #expect(scheduler.snapshotRevision == 7)
        #expect(scheduler.tick(now: 200, revision: 7) == nil, "nothing changed since")
        #expect(scheduler.tick(now: 200, revision: 8) != nil)
    }
}
