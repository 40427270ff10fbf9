public import BrainProtocol
#if canImport(Glibc)
import Glibc
#endif

/// One step of a run (seed 003's pipeline_steps), stored compactly: its texts live in one
/// ``StepText`` allocation.
public struct Step: Hashable, Sendable {
    public var seq: UInt32
    public var status: StepStatus
    public var durationMs: UInt64
    public var startedAt: Int64
    public var receivedAt: Int64
    public var text: StepText

    public var stepName: String { text.name }
    public var inputJSON: String { text.input }
    public var outputJSON: String { text.output }
    public var error: String { text.error }

    public init(_ report: StepReported, receivedAt: Int64) {
        seq = report.seq
        status = report.status
        durationMs = report.durationMs
        startedAt = report.startedAt
        self.receivedAt = receivedAt
        text = StepText.make(name: report.stepName, input: report.inputJSON, output: report.outputJSON, error: report.error)
    }

    public init(_ view: StepReportedView, receivedAt: Int64) {
        seq = view.seq
        status = view.status
        durationMs = view.durationMs
        startedAt = view.startedAt
        self.receivedAt = receivedAt
        text = StepText.make(name: view.stepName, input: view.inputJSON, output: view.outputJSON, error: view.error)
    }

    /// Whether a resent report carries the same content as this step.
    public func sameContent(as report: StepReported) -> Bool {
        seq == report.seq && status == report.status && durationMs == report.durationMs && startedAt == report.startedAt
            && stepName == report.stepName && inputJSON == report.inputJSON && outputJSON == report.outputJSON
            && error == report.error
    }

    /// Whether a resent report (raw view) carries the same content as this step.
    public func sameContent(as view: StepReportedView) -> Bool {
        seq == view.seq && status == view.status && durationMs == view.durationMs && startedAt == view.startedAt
            && text.equals(name: view.stepName, input: view.inputJSON, output: view.outputJSON, error: view.error)
    }

    /// The step as clients see it.
    public func info(runID: String) -> StepInfo {
        var info = StepInfo()
        info.runID = runID
        info.seq = seq
        info.stepName = stepName
        info.status = status
        info.inputJSON = inputJSON
        info.outputJSON = outputJSON
        info.error = error
        info.durationMs = durationMs
        info.startedAt = startedAt
        info.receivedAt = receivedAt
        return info
    }
}

extension Step: Codable {
    enum CodingKeys: String, CodingKey {
        case seq, stepName = "step_name", status, inputJSON = "input", outputJSON = "output", error
        case durationMs = "duration_ms", startedAt = "started_at", receivedAt = "received_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(UInt32.self, forKey: .seq)
        status = try container.decode(StepStatus.self, forKey: .status)
        durationMs = try container.decode(UInt64.self, forKey: .durationMs)
        startedAt = try container.decode(Int64.self, forKey: .startedAt)
        receivedAt = try container.decode(Int64.self, forKey: .receivedAt)
        text = StepText.make(
            name: try container.decode(String.self, forKey: .stepName),
            input: try container.decode(String.self, forKey: .inputJSON),
            output: try container.decode(String.self, forKey: .outputJSON),
            error: try container.decode(String.self, forKey: .error)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(stepName, forKey: .stepName)
        try container.encode(status, forKey: .status)
        try container.encode(inputJSON, forKey: .inputJSON)
        try container.encode(outputJSON, forKey: .outputJSON)
        try container.encode(error, forKey: .error)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(receivedAt, forKey: .receivedAt)
    }
}
