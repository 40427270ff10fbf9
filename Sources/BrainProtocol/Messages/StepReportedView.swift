/// A step event read in place from the frame it arrived in: the hot path of ingestion.
///
/// Its byte ranges point into decoder memory and are valid only inside the closure of
/// ``WireCodec/withDecodedRequest(_:scratch:step:other:)`` that provides them: copy what
/// must outlive it.
public struct StepReportedView {
    public var runID: UnsafeRawBufferPointer
    public var seq: UInt32
    public var stepName: UnsafeRawBufferPointer
    public var status: StepStatus
    public var inputJSON: UnsafeRawBufferPointer
    public var outputJSON: UnsafeRawBufferPointer
    public var error: UnsafeRawBufferPointer
    public var durationMs: UInt64
    public var startedAt: Int64

    /// An owning copy, for the paths that are not hot (refusals, duplicates).
    public var report: StepReported {
        var report = StepReported(
            runID: Self.string(runID), seq: seq, stepName: Self.string(stepName), status: status
        )
        report.inputJSON = Self.string(inputJSON)
        report.outputJSON = Self.string(outputJSON)
        report.error = Self.string(error)
        report.durationMs = durationMs
        report.startedAt = startedAt
        return report
    }

    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        bytes.isEmpty ? "" : String(decoding: bytes, as: UTF8.self)
    }
}
