import BrainProtocol

extension Step {
    /// The step as ``RunDetailWriter`` takes it: its texts point into the stored step, valid
    /// while this value (and so its storage) lives.
    package var wireStep: RunDetailWriter.Step {
        let parts = text.parts
        return RunDetailWriter.Step(
            seq: seq, status: status, name: parts.name, input: parts.input, output: parts.output, error: parts.error,
            durationMs: parts.durationMs, startedAt: startedAt, receivedAt: receivedAt
        )
    }
}
