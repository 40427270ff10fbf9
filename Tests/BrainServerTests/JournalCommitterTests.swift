import Testing

@testable import BrainServer

/// Group commit's decisions, event by event, against a journal whose writes complete only
/// when the test says so: an ack never goes out before the write holding its records is
/// durable, a failed write answers UNAVAILABLE and keeps its records first in line, and acks
/// resume once a retry succeeds.
struct JournalCommitterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [CommitterDriver.Step]
        var log: [String]
        var state: JournalCommitter<String>.State

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "an ack waits for the write that holds its records",
            steps: [.records("a"), .ack("1"), .turnEnds, .writeSucceeds],
            log: ["write a acks 1", "send acks 1"], state: .idle
        ),
        Case(
            name: "while the sync is held back, no ack goes out however many turns pass",
            steps: [.records("a"), .ack("1"), .turnEnds, .records("b"), .ack("2"), .turnEnds, .tick, .turnEnds],
            log: ["write a acks 1"], state: .writingWithMoreBuffered
        ),
        Case(
            name: "what comes during a write goes in one write once it completes",
            steps: [
                .records("a"), .ack("1"), .turnEnds, .records("b"), .ack("2"), .turnEnds, .records("c"), .ack("3"), .turnEnds,
                .writeSucceeds, .writeSucceeds,
            ],
            log: ["write a acks 1", "send acks 1", "write bc acks 2,3", "send acks 2,3"], state: .idle
        ),
        Case(name: "a turn with nothing buffered writes nothing", steps: [.turnEnds, .tick, .turnEnds], log: [], state: .idle),
        Case(
            name: "an ack with no records (a duplicate) still waits for a write",
            steps: [.ack("1"), .turnEnds, .writeSucceeds],
            log: ["write - acks 1", "send acks 1"], state: .idle
        ),
        Case(
            name: "records with no ack (a brainctl command) are written all the same",
            steps: [.records("a"), .turnEnds, .writeSucceeds],
            log: ["write a acks -"], state: .idle
        ),
        Case(
            name: "a failed write answers its acks unavailable and keeps its records",
            steps: [.records("a"), .ack("1"), .turnEnds, .writeFails("full")],
            log: ["write a acks 1", "unavailable 1 (new fault)"], state: .faulted
        ),
        Case(
            name: "the failed records are written first and the acks resume with the retry",
            steps: [.records("a"), .ack("1"), .turnEnds, .writeFails("full"), .records("b"), .ack("2"), .turnEnds, .writeSucceeds],
            log: ["write a acks 1", "unavailable 1 (new fault)", "write retry ab acks 1,2", "send acks 1,2", "fault cleared"],
            state: .idle
        ),
        Case(
            name: "a tick retries a fault when nothing new comes",
            steps: [.records("a"), .ack("1"), .turnEnds, .writeFails("full"), .tick, .turnEnds, .writeSucceeds],
            log: ["write a acks 1", "unavailable 1 (new fault)", "write retry a acks 1", "send acks 1", "fault cleared"],
            state: .idle
        ),
        Case(
            name: "a retry failing for the same reason is not a new fault",
            steps: [.records("a"), .ack("1"), .turnEnds, .writeFails("full"), .tick, .turnEnds, .writeFails("full")],
            log: ["write a acks 1", "unavailable 1 (new fault)", "write retry a acks 1", "unavailable 1"], state: .faulted
        ),
        Case(
            name: "records buffered during a failing write wait behind the failed ones",
            steps: [
                .records("a"), .ack("1"), .turnEnds, .records("b"), .ack("2"), .turnEnds, .writeFails("full"), .tick, .turnEnds,
                .writeSucceeds,
            ],
            log: ["write a acks 1", "unavailable 1 (new fault)", "write retry ab acks 2,1", "send acks 2,1", "fault cleared"],
            state: .idle
        ),
        Case(
            name: "a rotation writes at once, queued behind the write in flight",
            steps: [.records("a"), .ack("1"), .turnEnds, .records("b"), .ack("2"), .rotate, .writeSucceeds, .writeSucceeds],
            log: ["write a acks 1", "write b acks 2", "send acks 1", "send acks 2"], state: .idle
        ),
        Case(
            name: "a failure fails the rotation queued behind it, and both are retried in order",
            steps: [.records("a"), .ack("1"), .turnEnds, .records("b"), .rotate, .writeFails("full"), .writeSucceeds, .tick, .turnEnds, .writeSucceeds],
            log: [
                "write a acks 1", "write b acks -", "unavailable 1 (new fault)", "unavailable - (new fault)", "write retry ab acks 1",
                "send acks 1", "fault cleared",
            ],
            state: .idle
        ),
        Case(
            name: "a rotation is refused while failed records wait: a retry must not overtake a write still in flight",
            steps: [
                .records("a"), .ack("1"), .turnEnds, .records("b"), .ack("2"), .rotate, .writeFails("full"), .records("c"), .rotate,
                .writeSucceeds, .tick, .turnEnds, .writeSucceeds,
            ],
            log: [
                "write a acks 1", "write b acks 2", "unavailable 1 (new fault)", "rotation refused", "unavailable 2 (new fault)",
                "write retry abc acks 1,2", "send acks 1,2", "fault cleared",
            ],
            state: .idle
        ),
    ]

    @Test(arguments: cases)
    func theCommitterDoesWhatTheTableSays(_ testCase: Case) {
        var driver = CommitterDriver()
        for step in testCase.steps { driver.run(step) }
        #expect(driver.log == testCase.log)
        #expect(driver.committer.state == testCase.state)
    }

    /// A small deterministic generator, so a failing seed can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// Random interleavings of reads, loop turns, ticks, rotations and writes completing or
    /// failing: every ack goes out only once its record is durable, exactly once, and the
    /// journal ends up with every record once, in the order the loop buffered them.
    @Test(arguments: 0..<400 as Range<UInt64>)
    func noAckBeforeItsRecordIsDurableInAnyInterleaving(seed: UInt64) {
        var random = SplitMix(state: seed)
        var driver = CommitterDriver()
        var appended = ""
        var trace: [CommitterDriver.Step] = []
        func run(_ step: CommitterDriver.Step) {
            trace.append(step)
            driver.run(step)
        }
        for letter in Self.letters {
            // A read: one record and its ack (the ack is named after the record it covers).
            run(.records(String(letter)))
            run(.ack(String(letter)))
            appended.append(letter)
            while Int.random(in: 0..<3, using: &random) != 0 {
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<4: run(.turnEnds)
                case 4: run(.tick)
                case 5: run(.rotate)
                case 6..<9: if !driver.inFlight.isEmpty { run(.writeSucceeds) }
                default: if !driver.inFlight.isEmpty { run(.writeFails(Bool.random(using: &random) ? "full" : "broken")) }
                }
            }
        }
        // The disk works from now on: everything drains.
        var rounds = 0
        while !driver.inFlight.isEmpty || driver.committer.state != .idle || !driver.buffers.waiting.isEmpty
            || !driver.buffers.records.isEmpty, rounds < 1_000
        {
            rounds += 1
            if driver.inFlight.isEmpty {
                run(.tick)
                run(.turnEnds)
            } else {
                run(.writeSucceeds)
            }
        }
        let context = "seed \(seed): \(trace.map(\.description).joined(separator: "; "))"
        for (ack, durable) in driver.sent {
            #expect(durable.contains(ack), "ack \(ack) was sent before its record was durable (\(context))")
        }
        #expect(driver.sent.map(\.ack).sorted() == appended.map { String($0) }.sorted(), "every ack sent exactly once (\(context))")
        #expect(driver.durable == appended, "every record durable once, in order (\(context))")
        #expect(driver.committer.state == .idle)
    }
}
