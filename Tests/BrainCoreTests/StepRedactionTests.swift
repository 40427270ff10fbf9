import BrainProtocol
import Foundation
import Testing

@testable import BrainCore

/// `redact_steps`: the steps of a project that turns it on are redacted by the project's
/// redactor (input and output JSON, error text) before they are applied and journalled; the
/// steps of other projects are stored as their agents sent them.
struct StepRedactionTests {
    static let secret = "hunter2-Sup3rS3cret"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

    /// A step whose input, output and error each carry a secret (by key, by shape, in a URI).
    static func secretStep(_ runID: String, seq: UInt32) -> StepReported {
        var step = StepReported(runID: runID, seq: seq, stepName: "login", status: .error)
        step.inputJSON = "{\"user\": \"ann\", \"password\": \"\(secret)\"}"
        step.outputJSON = "{\"headers\": {\"authorization\": \"Bearer \(jwt)\"}, \"rows\": 3}"
        step.error = "could not connect: postgres://app:\(secret)@db/prod"
        return step
    }

    /// Publishes `step` as the server does: redacted first when the agent's project says so.
    @discardableResult
    static func publish(_ step: StepReported, in harness: inout Harness) -> EventOutcome {
        let agentID = harness.agentID
        let sent = harness.state.redactsSteps(agentID: agentID) ? harness.state.redactedStep(step, agentID: agentID) : step
        return harness.publish(.step(sent))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// The project's setting (`nil`: the project was never created: the defaults).
        let redactSteps: Bool?
        let redacted: Bool
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "redact_steps on", redactSteps: true, redacted: true),
        Case(name: "redact_steps off", redactSteps: false, redacted: false),
        Case(name: "a project never created", redactSteps: nil, redacted: false),
    ]

    @Test(arguments: cases)
    func aStepIsRedactedInStateOnlyWhenItsProjectSaysSo(_ testCase: Case) throws {
        var harness = Harness(project: "proj")
        if let redactSteps = testCase.redactSteps {
            _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings(redactSteps: redactSteps)), now: Time.start)
        }
        #expect(harness.state.redactsSteps(agentID: harness.agentID) == testCase.redacted)
        let runID = harness.createRun()
        let sent = Self.secretStep(runID, seq: 1)
        #expect(Self.publish(sent, in: &harness) == .applied)
        let stored = try #require(harness.state.run(id: runID)?.steps.first)
        let texts = [stored.inputJSON, stored.outputJSON, stored.error]
        if testCase.redacted {
            for text in texts {
                #expect(!text.contains(Self.secret) && !text.contains(Self.jwt), "a secret survived: \(text)")
            }
            #expect(stored.inputJSON == "{\"user\":\"ann\",\"password\":\"[REDACTED]\"}")
            #expect(stored.outputJSON.contains("\"rows\":3"), "only the secret goes: \(stored.outputJSON)")
            #expect(stored.error.hasPrefix("could not connect: postgres://app:[REDACTED"), "\(stored.error)")
        } else {
            #expect(texts == [sent.inputJSON, sent.outputJSON, sent.error], "stored as the agent sent it")
        }
        #expect(stored.stepName == "login" && stored.status == .error, "names and status are kept")

        // A resend of the same step (a new agent seq after a reconnect) is the same step.
        #expect(Self.publish(sent, in: &harness) == .duplicate)
    }

    @Test func turningItOnAppliesToStepsThatArriveAfter() throws {
        var harness = Harness(project: "proj")
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings()), now: Time.start)
        let runID = harness.createRun()
        let revision = harness.state.projectSettingsRevision
        Self.publish(Self.secretStep(runID, seq: 1), in: &harness)
        _ = harness.state.apply(.updateProject(name: "proj", settings: ProjectSettings(redactSteps: true)), now: Time.start + 1)
        #expect(harness.state.projectSettingsRevision != revision, "a cache of the setting sees the change")
        Self.publish(Self.secretStep(runID, seq: 2), in: &harness)
        let steps = try #require(harness.state.run(id: runID)?.steps)
        #expect(steps.map { $0.inputJSON.contains(Self.secret) } == [true, false])
    }

    @Test func stepsAreCutToTheRedactionLimitsAndStayJSON() {
        let policy = RedactionPolicy()
        var step = StepReported(runID: "r", seq: 1, stepName: "big", status: .ok)
        step.inputJSON = "{\"blob\": \"" + String(repeating: "a", count: policy.maxValueBytes * 2) + "\"}"
        step.outputJSON = "[" + Array(repeating: "\"" + String(repeating: "b", count: 4_000) + "\"", count: 40).joined(separator: ",") + "]"
        step.error = String(repeating: "Traceback line\n", count: 3_000)
        let redacted = step.redacted(by: Redactor(policy: policy))
        #expect(redacted.inputJSON.utf8.count < policy.maxValueBytes + 64, "a value is cut to the value limit")
        #expect(redacted.error.utf8.count <= policy.maxTracebackBytes, "the error is cut as a traceback")
        let total = redacted.inputJSON.utf8.count + redacted.outputJSON.utf8.count + redacted.error.utf8.count
        #expect(total <= policy.maxEventBytes, "the three together fit the event limit")
        #expect(JSONValidator.isValid(redacted.inputJSON) && JSONValidator.isValid(redacted.outputJSON))
        // Deterministic, so a step resent under a new agent seq is the same step (not ALREADY_EXISTS).
        #expect(step.redacted(by: Redactor(policy: policy)) == redacted, "the same step redacts the same way")
    }

    @Test func inputThatIsNotJSONIsMaskedAndStillRefused() throws {
        var harness = Harness(project: "proj")
        _ = harness.state.apply(.createProject(name: "proj", settings: ProjectSettings(redactSteps: true)), now: Time.start)
        let runID = harness.createRun()
        var step = Self.secretStep(runID, seq: 1)
        step.inputJSON = "password=\(Self.secret) not json"
        let redacted = harness.state.redactedStep(step, agentID: harness.agentID)
        #expect(!redacted.inputJSON.contains(Self.secret))
        #expect(!JSONValidator.isValid(redacted.inputJSON), "not turned into JSON")
        guard case .rejected(let error) = Self.publish(step, in: &harness) else {
            Issue.record("a step whose input is not JSON was accepted")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(harness.state.persistenceErrors.allSatisfy { !"\($0)".contains(Self.secret) }, "the sink row holds no secret")
    }

    @Test func settingsWithoutTheFieldDecodeWithItOff() throws {
        let old =
            "{\"retention\":{\"runs_ns\":1,\"tasks_ns\":2,\"task_events_ns\":3,\"sink_rows_ns\":4},"
            + "\"redaction\":{\"extra_key_patterns\":[],\"allowed_keys\":[]},\"time_zone\":\"UTC\"}"
        let settings = try JSONDecoder().decode(ProjectSettings.self, from: Data(old.utf8))
        #expect(settings.redactSteps == false)
        #expect(settings.retention.tasksNs == 2)
        let on = ProjectSettings(redactSteps: true)
        #expect(try JSONDecoder().decode(ProjectSettings.self, from: JSONEncoder().encode(on)) == on)
        #expect(ProjectSettings(on.wire) == on, "the wire carries it both ways")
        #expect(ProjectSettings(WireProjectSettings(redactSteps: true)).redactSteps)
    }
}
