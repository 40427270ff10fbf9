public import BrainProtocol

/// One step of a run (seed 003's pipeline_steps).
public struct Step: Hashable, Sendable, Codable {
    public var seq: UInt32
    public var stepName: String
    public var status: StepStatus
    public var inputJSON: String
    public var outputJSON: String
    public var error: String
    public var durationMs: UInt64
    public var startedAt: Int64
    public var receivedAt: Int64

    enum CodingKeys: String, CodingKey {
        case seq, stepName = "step_name", status, inputJSON = "input", outputJSON = "output", error
        case durationMs = "duration_ms", startedAt = "started_at", receivedAt = "received_at"
    }

    public init(_ report: StepReported, receivedAt: Int64) {
        seq = report.seq
        stepName = report.stepName
        status = report.status
        inputJSON = report.inputJSON
        outputJSON = report.outputJSON
        error = report.error
        durationMs = report.durationMs
        startedAt = report.startedAt
        self.receivedAt = receivedAt
    }

    /// Whether a resent report carries the same content as this step.
    public func sameContent(as report: StepReported) -> Bool {
        seq == report.seq && stepName == report.stepName && status == report.status
            && inputJSON == report.inputJSON && outputJSON == report.outputJSON && error == report.error
            && durationMs == report.durationMs && startedAt == report.startedAt
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
