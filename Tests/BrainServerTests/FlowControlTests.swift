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

    @Test func aReadOfAgentEventsNeverAsksSwiftNIO() {
        var budget = FlowControl.ReadBudget(limit: 1_000)
        var asked = 0
        // Steps queue no reply: however many frames, the lookup is never made.
        let unsent = { () -> Int in
            asked += 1
            return 0
        }
        var allowed = 0
        for _ in 0..<10_000 where budget.allows(queued: 0, unsent: unsent) {
            allowed += 1
        }
        #expect(allowed == 10_000)
        #expect(asked == 0)
    }

    @Test func aReadWithRepliesAsksOnceAndStopsAtTheLimit() {
        var budget = FlowControl.ReadBudget(limit: 1_000)
        var asked = 0
        let unsent = { () -> Int in
            asked += 1
            return 400
        }
        let answers = [10, 600, 601, 5_000].map { budget.allows(queued: $0, unsent: unsent) }
        #expect(answers == [true, true, false, false])
        #expect(asked == 1)
    }

    @Test func aConnectionAlreadyOverItsLimitHandlesNothingThatReplies() {
        var budget = FlowControl.ReadBudget(limit: 1_000)
        let allowed = budget.allows(queued: 1) { 2_000 }
        #expect(!allowed)
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
