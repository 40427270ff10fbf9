import BrainProtocol
import Testing

@testable import BrainCore

/// The persistence-error sink: rows, `listErrors` filters and pages, retention pruning.
@Suite("Persistence-error sink")
struct PersistenceErrorSinkTests {
    static func record(_ state: inout BrainState, count: Int, runID: String = "", phase: String = "journal", at now: Int64) {
        for _ in 0..<count {
            state.recordError(phase: phase, runID: runID, errorType: "IOError", message: "disk full", now: now)
        }
    }

    @Test("recordError appends a row with a unique id and a rising serial")
    func rows() throws {
        var state = BrainState()
        state.recordError(
            phase: "snapshot", runID: "ABC", project: "p", agentName: "a", errorType: "IOError", message: "m", stack: "s",
            payloadJSON: "{}", now: Time.start
        )
        state.recordError(phase: "journal", errorType: "IOError", message: "m2", now: Time.start + 1)
        #expect(state.errorSerial == 2)
        let first = try #require(state.persistenceErrors.first)
        #expect(first.serial == 1)
        #expect(first.runID == "abc", "run ids are stored lowercased")
        #expect(first.phase == "snapshot")
        #expect(first.project == "p")
        #expect(first.agentName == "a")
        #expect(first.stack == "s")
        #expect(first.payloadJSON == "{}")
        #expect(first.createdAt == Time.start)
        #expect(UUIDShape.isLowercaseUUID(first.errorID))
        #expect(state.persistenceErrors[1].errorID != first.errorID)
        #expect(first.info.errorMessage == "m")
    }

    @Test("listErrors returns rows newest first, filtered by run, phase and time")
    func listFilters() throws {
        var harness = Harness()
        let runID = harness.createRun()
        harness.step(runID, seq: 1)
        harness.step(runID, seq: 1, output: "[1]", now: Time.start + 10)  // create_step
        harness.step("00000000-0000-4000-8000-000000000009", seq: 1, now: Time.start + 20)  // persist_step
        harness.setStatus(runID, .queued, now: Time.start + 30)  // upsert_run
        let state = harness.state
        func phases(_ query: ListPersistenceErrorsQuery) throws -> [String] {
            try state.listErrors(query).get().errors.map(\.phase)
        }
        #expect(try phases(ListPersistenceErrorsQuery()) == ["upsert_run", "persist_step", "create_step"])
        #expect(try phases(ListPersistenceErrorsQuery(runID: runID.uppercased())) == ["upsert_run", "create_step"])
        #expect(try phases(ListPersistenceErrorsQuery(phase: "persist_step")) == ["persist_step"])
        #expect(try phases(ListPersistenceErrorsQuery(since: Time.start + 20)) == ["upsert_run", "persist_step"])
        #expect(try phases(ListPersistenceErrorsQuery(runID: runID, phase: "persist_step")).isEmpty)
        let row = try #require(try state.listErrors(ListPersistenceErrorsQuery(phase: "create_step")).get().errors.first)
        #expect(row.agentName == "worker")
        #expect(row.project == "proj")
        #expect(row.errorType == "ConflictError")
        #expect(row.runID == runID)
    }

    @Test("listErrors pages with a cursor across the whole sink")
    func paging() throws {
        var state = BrainState()
        for index in 0..<7 {
            state.recordError(phase: "journal", errorType: "E", message: "row \(index)", now: Time.start + Int64(index))
        }
        var messages: [String] = []
        var cursor = ""
        var pages = 0
        repeat {
            let page = try state.listErrors(ListPersistenceErrorsQuery(limit: 3, cursor: cursor)).get()
            messages += page.errors.map(\.errorMessage)
            cursor = page.nextCursor
            pages += 1
        } while !cursor.isEmpty && pages < 10
        #expect(messages == (0..<7).reversed().map { "row \($0)" })
        #expect(pages == 3)
        #expect(state.listErrors(ListPersistenceErrorsQuery(cursor: "r3")).failure?.code == .invalidArgument)
        #expect(state.listErrors(ListPersistenceErrorsQuery(cursor: "eX")).failure?.code == .invalidArgument)
    }

    @Test("the default error page is 50 rows")
    func defaultPage() throws {
        var state = BrainState()
        Self.record(&state, count: 60, at: Time.start)
        let page = try state.listErrors(ListPersistenceErrorsQuery()).get()
        #expect(page.errors.count == 50)
        #expect(!page.nextCursor.isEmpty)
        let rest = try state.listErrors(ListPersistenceErrorsQuery(cursor: page.nextCursor)).get()
        #expect(rest.errors.count == 10)
        #expect(rest.nextCursor.isEmpty)
    }

    @Test("a full last page of errors carries no cursor when only other phases follow")
    func fullLastErrorPage() throws {
        var state = BrainState()
        Self.record(&state, count: 5, phase: "handler", at: Time.start)
        Self.record(&state, count: 3, phase: "snapshot", at: Time.start + 1)
        var query = ListPersistenceErrorsQuery()
        query.phase = "snapshot"
        query.limit = 3
        let page = try state.listErrors(query).get()
        #expect(page.errors.count == 3)
        #expect(page.nextCursor.isEmpty, "the next page would be empty")
    }

    @Test("old rows are pruned on the 20th write, not before")
    func pruneOnTwentiethWrite() {
        var configuration = CoreConfiguration()
        configuration.errorRetentionNs = Time.seconds(60)
        configuration.errorPruneEvery = 20
        var state = BrainState(configuration: configuration)
        Self.record(&state, count: 5, phase: "old", at: Time.start)
        let later = Time.start + Time.seconds(61)
        Self.record(&state, count: 14, phase: "new", at: later)
        #expect(state.liveErrorCount == 19, "nothing pruned before the 20th write")
        Self.record(&state, count: 1, phase: "new", at: later)
        #expect(state.liveErrorCount == 15)
        #expect(state.persistenceErrors.count == 20, "seed 001: pruned rows are soft-deleted, not removed")
        #expect(state.persistenceErrors.prefix(5).allSatisfy { $0.phase == "old" && $0.deletedAt == later })
        #expect((try? state.listErrors(ListPersistenceErrorsQuery()).get().errors.allSatisfy { $0.phase == "new" }) == true)
        #expect(state.errorSerial == 20, "the serial keeps counting")
    }

    @Test("rows within the retention survive the 20th write")
    func keepRecentRows() {
        var configuration = CoreConfiguration()
        configuration.errorRetentionNs = Time.seconds(60)
        var state = BrainState(configuration: configuration)
        Self.record(&state, count: 20, at: Time.start + Time.seconds(59))
        #expect(state.persistenceErrors.count == 20)
        Self.record(&state, count: 20, at: Time.start + Time.seconds(60))
        #expect(state.persistenceErrors.count == 40)
    }

    @Test("pruneErrors(now:) prunes at will, keeping rows at the cutoff")
    func pruneAtWill() {
        var configuration = CoreConfiguration()
        configuration.errorRetentionNs = Time.seconds(10)
        configuration.errorPruneEvery = 0
        var state = BrainState(configuration: configuration)
        Self.record(&state, count: 3, phase: "a", at: Time.start)
        Self.record(&state, count: 2, phase: "b", at: Time.start + Time.seconds(5))
        Self.record(&state, count: 30, phase: "c", at: Time.start + Time.seconds(100))
        #expect(state.persistenceErrors.count == 35, "errorPruneEvery 0 never prunes on write")
        state.pruneErrors(now: Time.start + Time.seconds(10))
        #expect(state.liveErrorCount == 35, "rows exactly at the cutoff are kept")
        state.pruneErrors(now: Time.start + Time.seconds(12))
        let visible = { (try? state.listErrors(ListPersistenceErrorsQuery(limit: 100)).get().errors.map(\.phase)) ?? [] }
        #expect(visible().sorted() == (Array(repeating: "b", count: 2) + Array(repeating: "c", count: 30)).sorted())
        #expect(state.persistenceErrors.count == 35, "the 3 old rows are soft-deleted")
        #expect(state.persistenceErrors.prefix(3).allSatisfy { $0.deletedAt == Time.start + Time.seconds(12) })
        state.pruneErrors(now: Time.start + Time.seconds(200))
        #expect(state.liveErrorCount == 0)
        #expect(state.persistenceErrors.count == 32, "rows soft-deleted less than a retention ago stay")
        state.pruneErrors(now: Time.start + Time.seconds(211))
        #expect(state.persistenceErrors.isEmpty, "soft-deleted longer than the retention ago: dropped")
    }

    @Test("a retention of 0 keeps rows for ever (--error-retention 0)")
    func zeroRetentionKeeps() {
        var configuration = CoreConfiguration()
        configuration.errorRetentionNs = 0
        configuration.errorPruneEvery = 1
        var state = BrainState(configuration: configuration)
        Self.record(&state, count: 3, phase: "a", at: Time.start)
        Self.record(&state, count: 2, phase: "b", at: Time.start + Time.seconds(86_400 * 400))
        state.pruneErrors(now: Time.start + Time.seconds(86_400 * 800))
        #expect(state.persistenceErrors.count == 5)
    }
}
