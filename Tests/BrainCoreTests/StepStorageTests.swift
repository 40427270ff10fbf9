import BrainProtocol
import Testing

@testable import BrainCore

/// A stored step keeps every field exactly, whatever the widths of its varint-encoded parts.
@Suite("Step storage")
struct StepStorageTests {
    static let durations: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]

    @Test("fields and texts read back exactly", arguments: durations)
    func roundTrip(_ duration: UInt64) {
        let texts = ["", "a", "étape 🧠", String(repeating: "x", count: 200), String(repeating: "{}", count: 70_000)]
        for (index, text) in texts.enumerated() {
            var report = StepReported(runID: "r", seq: UInt32.max - UInt32(index), stepName: text.isEmpty ? "n" : String(text.prefix(50)), status: .skip)
            report.inputJSON = text
            report.outputJSON = texts[(index + 1) % texts.count]
            report.error = texts[(index + 2) % texts.count]
            report.durationMs = duration
            report.startedAt = index.isMultiple(of: 2) ? Int64.min : Int64.max
            let step = Step(report, receivedAt: -42)
            #expect(step.seq == report.seq)
            #expect(step.status == .skip)
            #expect(step.durationMs == duration)
            #expect(step.startedAt == report.startedAt)
            #expect(step.receivedAt == -42)
            #expect(step.stepName == report.stepName)
            #expect(step.inputJSON == report.inputJSON)
            #expect(step.outputJSON == report.outputJSON)
            #expect(step.error == report.error)
            #expect(step.sameContent(as: report))
            let twin = Step(report, receivedAt: -42)
            #expect(step == twin)
            #expect(step.hashValue == twin.hashValue)
            var other = report
            other.durationMs = duration &+ 1
            #expect(step != Step(other, receivedAt: -42))
        }
    }
}
