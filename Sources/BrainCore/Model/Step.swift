import BrainProtocol

/// One step of a run (seed 003's pipeline_steps), stored compactly: one ``StepText``
/// object holds every field, so a run's step array costs one reference per step.
package struct Step: Hashable, Sendable {
    private let shared: SharedStepText

    /// The stored step (fields and texts).
    package var text: StepText { shared.text }

    package var seq: UInt32 { text.seq }
    package var status: StepStatus { StepStatus(rawValue: Int32(text.statusRaw)) ?? .unspecified }
    package var durationMs: UInt64 { text.durationMs }
    package var startedAt: Int64 { text.startedAt }
    package var receivedAt: Int64 { text.receivedAt }
    package var stepName: String { text.name }
    package var inputJSON: String { text.input }
    package var outputJSON: String { text.output }
    package var error: String { text.error }

    package init(_ report: StepReported, receivedAt: Int64) {
        shared = SharedStepText(
            text: StepText.make(
                seq: report.seq, status: report.status, durationMs: report.durationMs, startedAt: report.startedAt,
                receivedAt: receivedAt, name: report.stepName, input: report.inputJSON, output: report.outputJSON,
                error: report.error
            ))
    }

    package init(_ view: StepReportedView, receivedAt: Int64) {
        shared = SharedStepText(
            text: StepText.make(
                seq: view.seq, status: view.status, durationMs: view.durationMs, startedAt: view.startedAt,
                receivedAt: receivedAt, name: view.stepName, input: view.inputJSON, output: view.outputJSON, error: view.error
            ))
    }

    /// A step from its stored parts (snapshots).
    package init(
        seq: UInt32, status: StepStatus, durationMs: UInt64, startedAt: Int64, receivedAt: Int64,
        name: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer, output: UnsafeRawBufferPointer,
        error: UnsafeRawBufferPointer
    ) {
        shared = SharedStepText(
            text: StepText.make(
                seq: seq, status: status, durationMs: durationMs, startedAt: startedAt, receivedAt: receivedAt,
                name: name, input: input, output: output, error: error
            ))
    }

    package static func == (lhs: Step, rhs: Step) -> Bool {
        lhs.text === rhs.text
            || (lhs.seq == rhs.seq && lhs.status == rhs.status && lhs.durationMs == rhs.durationMs
                && lhs.startedAt == rhs.startedAt && lhs.receivedAt == rhs.receivedAt
                && lhs.text.hasSameTexts(as: rhs.text))
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(seq)
        hasher.combine(bytes: text.bytes(0..<text.layout.error.upperBound))  // varints and texts
    }

    /// Whether a resent report carries the same content as this step.
    package func sameContent(as report: StepReported) -> Bool {
        seq == report.seq && status == report.status && durationMs == report.durationMs && startedAt == report.startedAt
            && stepName == report.stepName && inputJSON == report.inputJSON && outputJSON == report.outputJSON
            && error == report.error
    }

    /// The step as clients see it.
    package func info(runID: String) -> StepInfo {
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
        case seq
        case stepName = "step_name"
        case status
        case inputJSON = "input"
        case outputJSON = "output"
        case error
        case durationMs = "duration_ms"
        case startedAt = "started_at"
        case receivedAt = "received_at"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shared = SharedStepText(
            text: StepText.make(
                seq: try container.decode(UInt32.self, forKey: .seq), status: try container.decode(StepStatus.self, forKey: .status),
                durationMs: try container.decode(UInt64.self, forKey: .durationMs),
                startedAt: try container.decode(Int64.self, forKey: .startedAt),
                receivedAt: try container.decode(Int64.self, forKey: .receivedAt),
                name: try container.decode(String.self, forKey: .stepName),
                input: try container.decode(String.self, forKey: .inputJSON),
                output: try container.decode(String.self, forKey: .outputJSON),
                error: try container.decode(String.self, forKey: .error)
            ))
    }

    package func encode(to encoder: any Encoder) throws {
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
