import BrainProtocol
import Testing

@testable import BrainCore

/// `run_created` events through `apply`: ids, validation, parents, duplicates and the sink.
@Suite("Run creation")
struct RunCreationTests {
    static let upperUUID = "123E4567-E89B-12D3-A456-426614174000"

    @Test("a run created without an id gets a UUID derived from the agent and seq")
    func brainChosenID() throws {
        var harness = Harness()
        let outcome = harness.publish(.runCreated(RunCreated(goal: "find prices")), now: Time.start + 5)
        #expect(outcome == .applied)
        let run = try #require(harness.state.runs.first)
        #expect(UUIDShape.isLowercaseUUID(run.runID))
        #expect(run.runID == DeterministicID.make("run", harness.agentID, "1"))
        #expect(run.status == .running, "seed 000: running unless queued is asked for")
        #expect(run.goal == "find prices")
        #expect(run.agentID == harness.agentID)
        #expect(run.agentName == "worker")
        #expect(run.project == "proj")
        #expect(run.createdAt == Time.start + 5)
        #expect(run.updatedAt == Time.start + 5)
        #expect(harness.agent?.lastSeq == 1)
        // The same agent and seq on a fresh state give the same id; another seq another id.
        var replay = Harness()
        replay.publish(.runCreated(RunCreated(goal: "find prices")))
        #expect(replay.state.runs.first?.runID == run.runID)
        harness.publish(.runCreated(RunCreated(goal: "again")))
        #expect(harness.state.runs.last?.runID != run.runID)
    }

    @Test("deterministic ids are RFC 9562 version 8 UUIDs")
    func deterministicIDShape() {
        for parts in [["run", "a", "1"], ["agent", "p", "n", "0"], ["error", "7", "123"]] {
            let id = DeterministicID.make(parts[0], parts[1], parts[2])
            #expect(UUIDShape.isLowercaseUUID(id))
            let characters = Array(id)
            #expect(characters[14] == "8", "version nibble of \(id)")
            #expect("89ab".contains(characters[19]), "variant of \(id)")
        }
    }

    @Test("an agent-supplied UUID is kept, lowercased, and found in any case")
    func agentSuppliedUUIDLowercased() throws {
        var harness = Harness()
        var created = RunCreated(runID: Self.upperUUID, goal: "g")
        created.initialStatus = .running
        created.targetURL = "https://example.com/a"
        created.initiatedBy = "user"
        created.runType = "scrape"
        created.workflowJSON = "{\"w\":[1,2]}"
        created.inputJSON = "{\"q\":\"x\"}"
        created.metadataJSON = "{}"
        created.timeoutMs = 1_000
        created.createdAt = Time.start - 100
        #expect(harness.publish(.runCreated(created), now: Time.start) == .applied)
        let run = try #require(harness.run(Self.upperUUID))
        #expect(run.runID == Self.upperUUID.lowercased())
        #expect(harness.run(Self.upperUUID.lowercased()) == run)
        #expect(run.status == .running)
        #expect(run.targetURL == "https://example.com/a")
        #expect(run.initiatedBy == "user")
        #expect(run.runType == "scrape")
        #expect(run.workflowJSON == "{\"w\":[1,2]}")
        #expect(run.inputJSON == "{\"q\":\"x\"}")
        #expect(run.metadataJSON == "{}")
        #expect(run.timeoutMs == 1_000)
        #expect(run.createdAt == Time.start - 100, "an agent's created_at is kept")
        #expect(run.updatedAt == Time.start)
    }

    /// A run_created that must be refused with INVALID_ARGUMENT.
    static let invalid: [(name: String, edit: @Sendable (inout RunCreated) -> Void)] = [
        ("run id not a UUID", { $0.runID = "not-a-uuid" }),
        ("run id one character short", { $0.runID = "123e4567-e89b-12d3-a456-42661417400" }),
        ("run id with a non-hex digit", { $0.runID = "123e4567-e89b-12d3-a456-42661417400g" }),
        ("target URL without a scheme", { $0.targetURL = "example.com/page" }),
        ("target URL without a host", { $0.targetURL = "https://" }),
        ("target URL with whitespace", { $0.targetURL = "https://exa mple.com" }),
        ("target URL with nothing after the scheme", { $0.targetURL = "https:" }),
        ("run_type of 51 characters", { $0.runType = String(repeating: "t", count: 51) }),
        ("workflow not JSON", { $0.workflowJSON = "{\"a\":}" }),
        ("input not JSON", { $0.inputJSON = "[1,]" }),
        ("metadata not JSON", { $0.metadataJSON = "{'single':1}" }),
        ("initial status completed", { $0.initialStatus = .completed }),
        ("initial status persisting", { $0.initialStatus = .persisting }),
    ]

    @Test("invalid run_created is INVALID_ARGUMENT, recorded under upsert_run, and creates nothing", arguments: 0..<invalid.count)
    func invalidRunCreated(_ index: Int) throws {
        var harness = Harness()
        var created = RunCreated(goal: "g")
        Self.invalid[index].edit(&created)
        let outcome = harness.publish(.runCreated(created), now: Time.start + 7)
        #expect(outcome.error?.code == .invalidArgument, "\(Self.invalid[index].name)")
        #expect(harness.state.runs.isEmpty)
        #expect(harness.agent?.lastSeq == 1, "a refused event still counts as handled")
        let row = try #require(harness.state.persistenceErrors.last)
        #expect(harness.state.persistenceErrors.count == 1)
        #expect(row.phase == "upsert_run")
        #expect(row.errorType == "ValidationError")
        #expect(row.agentName == "worker")
        #expect(row.project == "proj")
        #expect(row.createdAt == Time.start + 7)
        #expect(row.errorMessage == outcome.error?.message)
        #expect(JSONValidator.isValid(row.payloadJSON))
    }

    @Test("valid URLs and a 50-character run_type are accepted")
    func validEdges() {
        var harness = Harness()
        for url in ["https://example.com", "http://user@host:8080/p?q#f", "mailto:someone@example.com", "file://localhost/tmp/x"] {
            var created = RunCreated(goal: url)
            created.targetURL = url
            #expect(harness.publish(.runCreated(created)) == .applied, "\(url)")
        }
        var created = RunCreated(goal: "type")
        created.runType = String(repeating: "t", count: 50)
        #expect(harness.publish(.runCreated(created)) == .applied)
        #expect(harness.state.persistenceErrors.isEmpty)
    }

    @Test("an unknown parent is NOT_FOUND and recorded under upsert_run")
    func unknownParent() throws {
        var harness = Harness()
        let outcome = harness.publish(
            .runCreated(
                {
                    var created = RunCreated(goal: "child")
                    created.parentRunID = "00000000-0000-4000-8000-000000000000"
                    return created
                }()))
        #expect(outcome.error?.code == .notFound)
        #expect(harness.state.runs.isEmpty)
        #expect(harness.state.persistenceErrors.last?.phase == "upsert_run")
        #expect(harness.state.persistenceErrors.last?.errorType == "EntityNotFoundError")
    }

    @Test("a child run is listed in its parent's childRunIDs, in creation order")
    func childListedInParent() throws {
        var harness = Harness()
        let parent = harness.createRun(Self.upperUUID)
        let first = harness.createRun(parent: Self.upperUUID)
        let second = harness.createRun(parent: parent)
        #expect(harness.run(parent)?.childRunIDs == [first, second])
        #expect(harness.run(first)?.parentRunID == parent, "the parent id is stored lowercased")
        let detail = try harness.state.getRun(GetRunQuery(runID: parent)).get()
        #expect(detail.childRunIDs == [first, second])
    }

    @Test("an event with seq <= the agent's last seq is a duplicate and changes nothing")
    func duplicateSeq() {
        var harness = Harness()
        harness.createRun()
        harness.createRun()
        let before = harness.state.runs
        let handled = harness.state.eventsHandled
        for seq: UInt64 in [2, 1] {
            let outcome = harness.state.apply(AgentEvent(seq: seq, kind: .runCreated(RunCreated(goal: "other"))), agentID: harness.agentID, now: Time.start)
            #expect(outcome == .duplicate)
        }
        #expect(harness.state.runs == before)
        #expect(harness.agent?.lastSeq == 2)
        #expect(harness.state.persistenceErrors.isEmpty)
        #expect(harness.state.eventsHandled == handled + 2)
    }

    @Test("resending the same run under a new seq is a duplicate; different content is ALREADY_EXISTS")
    func sameRunIDResent() {
        var harness = Harness()
        harness.createRun(Self.upperUUID, goal: "g")
        var same = RunCreated(runID: Self.upperUUID.lowercased(), goal: "g")
        same.initialStatus = .running
        #expect(harness.publish(.runCreated(same)) == .duplicate)
        let outcome = harness.publish(.runCreated(RunCreated(runID: Self.upperUUID, goal: "different")))
        #expect(outcome.error?.code == .alreadyExists)
        #expect(harness.state.runs.count == 1)
        #expect(harness.state.persistenceErrors.last?.phase == "upsert_run")
        #expect(harness.agent?.lastSeq == 3)
    }

    /// Each field a resend may differ in, and how.
    static let conflictingFields: [(name: String, edit: @Sendable (inout RunCreated) -> Void)] = [
        ("goal", { $0.goal = "other" }),
        ("target_url", { $0.targetURL = "https://example.org/" }),
        ("run_type", { $0.runType = "other" }),
        ("input", { $0.inputJSON = "{\"a\":2}" }),
        ("workflow", { $0.workflowJSON = "{\"w\":2}" }),
        ("metadata", { $0.metadataJSON = "{\"m\":2}" }),
        ("initiated_by", { $0.initiatedBy = "someone else" }),
        ("timeout_ms", { $0.timeoutMs = 99 }),
    ]

    @Test("a resent run_created that differs in any field the agent sent is ALREADY_EXISTS, not a duplicate", arguments: 0..<8)
    func resendDifferingInOneField(_ index: Int) {
        var harness = Harness()
        var original = RunCreated(runID: Self.upperUUID, goal: "g")
        original.targetURL = "https://example.com/"
        original.runType = "crawl"
        original.inputJSON = "{\"a\":1}"
        original.workflowJSON = "{\"w\":1}"
        original.metadataJSON = "{\"m\":1}"
        original.initiatedBy = "ops"
        original.timeoutMs = 60_000
        #expect(harness.publish(.runCreated(original)) == .applied)
        var identical = original
        identical.initialStatus = .queued
        identical.createdAt = Time.start - 5
        #expect(harness.publish(.runCreated(identical)) == .duplicate, "initial status and agent clock are not compared")
        var changed = original
        Self.conflictingFields[index].edit(&changed)
        let outcome = harness.publish(.runCreated(changed))
        #expect(outcome.error?.code == .alreadyExists, "a different \(Self.conflictingFields[index].name)")
    }

    @Test("a run created without an initial status starts running (seed 000's default)")
    func defaultStatusIsRunning() {
        var harness = Harness()
        let runID = harness.createRun(status: .unspecified)
        #expect(harness.run(runID)?.status == .running)
    }

    @Test("events from an agent id that never said hello are refused without a sink row")
    func unknownAgent() {
        var state = BrainState()
        let outcome = state.apply(AgentEvent(seq: 1, kind: .runCreated(RunCreated(goal: "g"))), agentID: "ghost", now: Time.start)
        #expect(outcome.error?.code == .failedPrecondition)
        #expect(state.runs.isEmpty)
        #expect(state.persistenceErrors.isEmpty)
    }

    @Test("an event of a kind this brain does not know is UNIMPLEMENTED under phase handler")
    func unknownKind() {
        var harness = Harness()
        let outcome = harness.publish(.unknown)
        #expect(outcome.error?.code == .unimplemented)
        #expect(harness.state.persistenceErrors.last?.phase == "handler")
        #expect(harness.state.persistenceErrors.last?.errorType == "UnsupportedEventError")
        #expect(harness.agent?.lastSeq == 1)
    }

    @Test("run counts follow creation and exclude nothing yet")
    func runCounts() {
        var harness = Harness()
        harness.createRun(status: .queued)
        harness.createRun(status: .running)
        harness.createRun(status: .unspecified)
        var expected = RunCounts()
        expected.queued = 1
        expected.running = 2
        #expect(harness.state.runCounts == expected)
    }
}
