import NIOCore
import Testing

@testable import BrainServer

/// The arithmetic of flow control, alone.
struct FlowControlTests {
    @Test func theBudgetStopsWhereSwiftNIOTurnsUnwritable() {
        // SwiftNIO turns unwritable when its buffer holds more than `high`: queuing the
        // budget's bytes brings it to high + 1, exactly there.
        let limit = 4 << 20
        #expect(FlowControl.replyBudget(limit: limit, unsent: 0) == limit + 1)
        #expect(FlowControl.replyBudget(limit: limit, unsent: limit) == 1)
        #expect(FlowControl.replyBudget(limit: limit, unsent: limit + 100) <= 0)
        let mark = FlowControl.waterMark(limit: limit)
        #expect(mark.high == limit)
        #expect(mark.low == limit / 2)
        for unsent in [0, 1, limit / 2, limit - 1, limit] {
            #expect(unsent + FlowControl.replyBudget(limit: limit, unsent: unsent) > mark.high)
        }
    }

    /// One read's budget: the connection's bound of SwiftNIO's buffered bytes, the exact
    /// figure SwiftNIO would answer, the replies queued before each frame, and what the
    /// budget answers.
    struct BudgetCase: Sendable, CustomTestStringConvertible {
        var name: String
        var limit = 1_000
        var unsentAtMost: Int
        var unsent: Int
        var queued: [Int]
        var answers: [Bool]
        var asked: Int

        var testDescription: String { name }
    }

    static let budgetCases: [BudgetCase] = [
        BudgetCase(
            name: "a read of agent events never asks SwiftNIO", unsentAtMost: 0, unsent: 0,
            queued: Array(repeating: 0, count: 10_000), answers: Array(repeating: true, count: 10_000), asked: 0
        ),
        BudgetCase(
            name: "replies under what the bound allows never ask SwiftNIO", unsentAtMost: 300, unsent: 100,
            queued: [0, 10, 600, 700], answers: [true, true, true, true], asked: 0
        ),
        BudgetCase(
            name: "with nothing written since the last lookup, SwiftNIO is asked only at the limit", unsentAtMost: 0, unsent: 0,
            queued: [10, 600, 1_000, 1_001, 1_002], answers: [true, true, true, false, false], asked: 1
        ),
        BudgetCase(
            name: "a bound above the real figure asks once, then the exact figure decides", unsentAtMost: 900, unsent: 400,
            queued: [10, 101, 600, 601, 5_000], answers: [true, true, true, false, false], asked: 1
        ),
        BudgetCase(
            name: "an exact bound stops where the exact budget does", unsentAtMost: 400, unsent: 400,
            queued: [10, 600, 601], answers: [true, true, false], asked: 1
        ),
        BudgetCase(
            name: "a connection over its limit handles frames that queued nothing, and nothing that replies",
            unsentAtMost: 2_500, unsent: 2_000, queued: [0, 0, 1, 0], answers: [true, true, false, false], asked: 1
        ),
        BudgetCase(
            name: "a bound over the limit that SwiftNIO has since sent is found out at the first reply",
            unsentAtMost: 5_000, unsent: 0, queued: [0, 1, 1_000, 1_001], answers: [true, true, true, false], asked: 1
        ),
    ]

    @Test(arguments: budgetCases)
    func aReadsBudgetAnswersWhatTheTableSays(_ testCase: BudgetCase) {
        var budget = FlowControl.ReadBudget(limit: testCase.limit, unsentAtMost: testCase.unsentAtMost)
        var asked = 0
        let unsent = { () -> Int in
            asked += 1
            return testCase.unsent
        }
        let answers = testCase.queued.map { budget.allows(queued: $0, unsent: unsent) }
        #expect(answers == testCase.answers)
        #expect(asked == testCase.asked)
        // The same answers as a budget that asks SwiftNIO at the read's first reply.
        var bytes = 1
        var known = false
        let expected = testCase.queued.map { queued -> Bool in
            if queued < bytes { return true }
            if known { return false }
            known = true
            bytes = FlowControl.replyBudget(limit: testCase.limit, unsent: testCase.unsent)
            return queued < bytes
        }
        #expect(answers == expected)
    }

    @Test func theWatchQueueOverflowsPastItsLimitAndSaysSo() {
        #expect(!FlowControl.watchQueueOverflows(waitingBytes: 8 << 20, limit: 8 << 20))
        #expect(FlowControl.watchQueueOverflows(waitingBytes: (8 << 20) + 1, limit: 8 << 20))
        #expect(FlowControl.watchQueueOverflows(waitingBytes: 1, limit: 0))
        let message = FlowControl.watchOverflowMessage(events: 1_234, bytes: 8_400_000, limit: 8 << 20)
        #expect(message.hasPrefix("watch stream ended: the client read too slowly; 1234 events were waiting"))
        #expect(message.contains("8388608"))
        #expect(message.contains("--max-watch-queue-bytes"))
        #expect(message.hasSuffix("reconnect and resume from GetRun/ListRuns"))
    }
}
