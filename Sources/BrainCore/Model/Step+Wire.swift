public import BrainProtocol

extension Step {
    /// The step as ``RunDetailWriter`` takes it: its texts point into the stored step, valid
    /// while this value (and so its storage) lives.
    public var wireStep: RunDetailWriter.Step {
        RunDetailWriter.Step(
            seq: seq, status: status, name: text.bytes(text.nameRange), input: text.bytes(text.inputRange),
            output: text.bytes(text.outputRange), error: text.bytes(text.errorRange), durationMs: durationMs,
            startedAt: startedAt, receivedAt: receivedAt
        )
    }
}
