import BrainProtocol

/// `redact_steps` (``ProjectSettings/redactSteps``): the steps of a project that turns it on
/// are redacted by the project's ``Redactor`` before anything is journalled, as task events
/// are.
///
/// The state does not redact a step it is given: the caller builds the redacted step with
/// ``redactedStep(_:agentID:)`` and journals that, so that the journal never holds what the
/// agent sent (a step is journalled as its frame, and applying it after journalling would be
/// too late). Steps of other projects take the ingestion hot path untouched.
extension BrainState {
    /// Whether the project of `agentID` redacts its steps. Two lookups by string: the server
    /// caches the answer per connection and asks again only when ``projectSettingsRevision``
    /// moved or the connection said hello again.
    package func redactsSteps(agentID: String) -> Bool {
        guard let project = agents[agentID]?.project else { return false }
        return projects[project]?.settings.redactSteps ?? false
    }

    /// `step` with its input, output and error redacted under the project of `agentID`
    /// (``StepReported/redacted(by:)``).
    package func redactedStep(_ step: StepReported, agentID: String) -> StepReported {
        step.redacted(by: redactor(forAgent: agentID))
    }
}

extension StepReported {
    /// This step with its input and output JSON and its error redacted and cut by `redactor`,
    /// as a task event's texts are: secrets masked first, then each JSON string cut to
    /// ``RedactionPolicy/maxValueBytes``, the error to ``RedactionPolicy/maxTracebackBytes``
    /// (it is often a traceback), and the three together to ``RedactionPolicy/maxEventBytes``
    /// (``EventBudget``). The JSON is written canonically (`JSONValue`), so a redacted step
    /// resent is the same step. Input or output that is not JSON is masked as text and stays
    /// what it was, not JSON: the step is then refused as any step with bad JSON is, and its
    /// sink row holds no secret either. Ids, the name, the status and times are kept.
    package func redacted(by redactor: Redactor) -> StepReported {
        let policy = redactor.policy
        func field(_ text: String) -> EventBudget.Field {
            guard !text.isEmpty, JSONValidator.isValid(text) else {
                return EventBudget.Field(redactor.redactText(text, limit: policy.maxValueBytes), isJSON: false)
            }
            return EventBudget.Field(redactor.redactJSON(text, limit: .max), isJSON: true)
        }
        let fitted = EventBudget.fit(
            [field(inputJSON), field(outputJSON), EventBudget.Field(redactor.redactText(error, limit: policy.maxTracebackBytes), isJSON: false)],
            policy: policy
        )
        var step = self
        step.inputJSON = fitted[0]
        step.outputJSON = fitted[1]
        step.error = fitted[2]
        return step
    }
}
