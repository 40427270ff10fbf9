extension TaskEventReport {
    /// Whether this report's redactable texts (args, kwargs, error message, traceback,
    /// payload) are those of `other`: after ``redacted(by:)``, whether redaction changed
    /// nothing. Cheap when it did not: the redacted report then shares the texts' storage.
    package func hasTexts(of other: TaskEventReport) -> Bool {
        argsJSON == other.argsJSON && kwargsJSON == other.kwargsJSON && excMessage == other.excMessage && traceback == other.traceback
            && payloadJSON == other.payloadJSON
    }
}
