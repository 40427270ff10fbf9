import BrainProtocol
import Testing

@testable import BrainCore

/// `listRuns`, `getRun` and `listSteps`: order, filters and pages.
@Suite("Run queries")
struct RunQueryTests {
    static func query(_ edit: (inout ListRunsQuery) -> Void) -> ListRunsQuery {
        var query = ListRunsQuery()
        edit(&query)
        return query
    }

    @Test("listRuns returns runs newest first")
    func newestFirst() throws {
        var harness = Harness()
        let ids = (0..<5).map { harness.createRun(now: Time.start + Int64($0)) }
        let list = try harness.state.listRuns(ListRunsQuery()).get()
        #expect(list.runs.map(\.runID) == ids.reversed())
        #expect(list.nextCursor.isEmpty)
    }

    @Test("a retention sweep between two pages of runs skips and repeats nothing still there")
    func aSweepBetweenPagesSkipsAndRepeatsNothing() throws {
        var harness = Harness()
        let ids = (0..<8).map { harness.createRun(now: Time.start + Int64($0)) }
        for id in ids { harness.setStatus(id, .completed) }
        let first = try harness.state.listRuns(Self.query { $0.limit = 3 }).get()
        #expect(first.runs.map(\.runID) == [ids[7], ids[6], ids[5]])
        // Remove a listed run and two not listed yet.
        _ = harness.state.apply(.retentionSweep(RetentionSweep(runIDs: [ids[6], ids[3], ids[1]])), now: Time.start + Time.seconds(60))
        #expect(harness.state.runs.count == 5)
        var seen = first.runs.map(\.runID)
        var cursor = first.nextCursor
        while !cursor.isEmpty {
            let page = try harness.state.listRuns(
                Self.query {
                    $0.limit = 3
                    $0.cursor = cursor
                }
            ).get()
            seen += page.runs.map(\.runID)
            cursor = page.nextCursor
        }
        #expect(seen == [ids[7], ids[6], ids[5], ids[4], ids[2], ids[0]])
        let newer = harness.createRun()
        #expect(try harness.state.listRuns(Self.query { $0.cursor = first.nextCursor }).get().runs.map(\.runID) == [ids[4], ids[2], ids[0]])
        #expect(harness.state.runs.map(\.serial) == [0, 2, 4, 5, 7, 8], "serials are never reused or moved (\(newer))")
    }

    @Test("listRuns filters by status, agent name or id, project, parent, run type and creation time")
    func filters() throws {
        var harness = Harness(name: "alpha", project: "p1")
        let beta = harness.addAgent("beta", project: "p2")
        let parent = harness.createRun(status: .queued, runType: "crawl", now: Time.start + 10)
        let child = harness.createRun(parent: parent, runType: "scrape", now: Time.start + 20)
        let betaRun = harness.createRun(runType: "scrape", as: beta, now: Time.start + 30)
        harness.setStatus(child, .completed)
        let state = harness.state
        func ids(_ edit: (inout ListRunsQuery) -> Void) throws -> [String] {
            try state.listRuns(Self.query(edit)).get().runs.map(\.runID)
        }
        #expect(try ids { $0.statuses = [.queued] } == [parent])
        #expect(try ids { $0.statuses = [.queued, .completed] } == [child, parent])
        #expect(try ids { $0.statuses = [.failed] }.isEmpty)
        #expect(try ids { $0.agent = "beta" } == [betaRun])
        #expect(try ids { $0.agent = harness.agentID } == [child, parent])
        #expect(try ids { $0.project = "p2" } == [betaRun])
        #expect(try ids { $0.project = "p1" } == [child, parent])
        #expect(try ids { $0.parentRunID = parent.uppercased() } == [child])
        #expect(try ids { $0.runType = "scrape" } == [betaRun, child])
        #expect(try ids { $0.createdSince = Time.start + 20 } == [betaRun, child])
        #expect(try ids { $0.createdUntil = Time.start + 20 } == [child, parent])
        #expect(
            try ids {
                $0.createdSince = Time.start + 15
                $0.createdUntil = Time.start + 25
            } == [child])
        #expect(
            try ids {
                $0.runType = "scrape"
                $0.project = "p1"
            } == [child])
    }

    @Test("pages follow the cursor across the whole list without repeats or gaps", arguments: [UInt32(1), 3, 7, 10, 11])
    func pagination(_ limit: UInt32) throws {
        var harness = Harness()
        let ids = (0..<10).map { _ in harness.createRun() }
        var seen: [String] = []
        var cursor = ""
        var pages = 0
        repeat {
            let page = try harness.state.listRuns(
                Self.query {
                    $0.limit = limit
                    $0.cursor = cursor
                }
            ).get()
            #expect(page.runs.count <= Int(limit))
            seen += page.runs.map(\.runID)
            cursor = page.nextCursor
            pages += 1
        } while !cursor.isEmpty && pages < 20
        #expect(seen == ids.reversed())
        #expect(pages == (10 + Int(limit) - 1) / Int(limit), "no empty trailing page")
    }

    @Test("pagination with a filter skips non-matching runs across pages")
    func filteredPagination() throws {
        var harness = Harness()
        var queued: [String] = []
        for index in 0..<9 {
            let runID = harness.createRun(status: index % 3 == 0 ? .queued : .running)
            if index % 3 == 0 { queued.append(runID) }
        }
        let first = try harness.state.listRuns(
            Self.query {
                $0.statuses = [.queued]
                $0.limit = 2
            }
        ).get()
        #expect(first.runs.map(\.runID) == [queued[2], queued[1]])
        #expect(!first.nextCursor.isEmpty)
        let second = try harness.state.listRuns(
            Self.query {
                $0.statuses = [.queued]
                $0.limit = 2
                $0.cursor = first.nextCursor
            }
        ).get()
        #expect(second.runs.map(\.runID) == [queued[0]])
        #expect(second.nextCursor.isEmpty)
    }

    @Test("a full last page carries no cursor when only non-matching runs follow it")
    func fullLastPageEndsTheListing() throws {
        var harness = Harness()
        harness.createRun(status: .running)
        harness.createRun(status: .running)
        let queued = [harness.createRun(status: .queued), harness.createRun(status: .queued)]
        let page = try harness.state.listRuns(
            Self.query {
                $0.statuses = [.queued]
                $0.limit = 2
            }
        ).get()
        #expect(page.runs.map(\.runID) == queued.reversed())
        #expect(page.nextCursor.isEmpty, "the next page would be empty")
    }

    @Test("the default page is 50 runs and the largest 1000")
    func pageLimits() throws {
        var harness = Harness()
        for _ in 0..<1_005 { harness.createRun() }
        let defaultPage = try harness.state.listRuns(ListRunsQuery()).get()
        #expect(defaultPage.runs.count == 50)
        #expect(!defaultPage.nextCursor.isEmpty)
        let huge = try harness.state.listRuns(Self.query { $0.limit = 5_000 }).get()
        #expect(huge.runs.count == 1_000)
        let rest = try harness.state.listRuns(
            Self.query {
                $0.limit = 5_000
                $0.cursor = huge.nextCursor
            }
        ).get()
        #expect(rest.runs.count == 5)
        #expect(rest.nextCursor.isEmpty)
        #expect(PageLimits.defaultPage == 50)
        #expect(PageLimits.maxPage == 1_000)
    }

    @Test("a cursor the brain did not give out is INVALID_ARGUMENT", arguments: ["x5", "r", "rabc", "r-1", "r99", "e1"])
    func badCursor(_ cursor: String) {
        var harness = Harness()
        harness.createRun()
        let error = harness.state.listRuns(Self.query { $0.cursor = cursor }).failure
        #expect(error?.code == .invalidArgument)
    }

    @Test("getRun returns the run, its children and a range of its steps")
    func getRunRange() throws {
        var harness = Harness()
        let runID = harness.createRun()
        for seq: UInt32 in [5, 1, 3, 2, 4] { harness.step(runID, seq: seq) }
        func seqs(from: UInt32, to: UInt32) throws -> [UInt32] {
            try harness.state.getRun(GetRunQuery(runID: runID, fromSeq: from, toSeq: to)).get().steps.map(\.seq)
        }
        #expect(try seqs(from: 0, to: 0) == [1, 2, 3, 4, 5])
        #expect(try seqs(from: 2, to: 4) == [2, 3, 4])
        #expect(try seqs(from: 4, to: 0) == [4, 5])
        #expect(try seqs(from: 0, to: 2) == [1, 2])
        #expect(try seqs(from: 6, to: 0).isEmpty)
        #expect(try seqs(from: 3, to: 3) == [3])
        let detail = try harness.state.getRun(GetRunQuery(runID: runID.uppercased())).get()
        #expect(detail.run.runID == runID)
        #expect(detail.run.stepCount == 5)
        #expect(detail.steps.allSatisfy { $0.runID == runID })
        #expect(harness.state.getRun(GetRunQuery(runID: "missing")).failure?.code == .notFound)
    }

    @Test("getRun's range works with gaps in the step seqs")
    func getRunWithGaps() throws {
        var harness = Harness()
        let runID = harness.createRun()
        for seq: UInt32 in [10, 2, 6] { harness.step(runID, seq: seq) }
        let steps = try harness.state.getRun(GetRunQuery(runID: runID, fromSeq: 3, toSeq: 9)).get().steps
        #expect(steps.map(\.seq) == [6])
    }

    @Test("listSteps pages from a seq and says where to continue")
    func listStepsPaging() throws {
        var harness = Harness()
        let runID = harness.createRun()
        for seq: UInt32 in 1...7 { harness.step(runID, seq: seq) }
        let first = try harness.state.listSteps(ListStepsQuery(runID: runID, fromSeq: 0, limit: 3)).get()
        #expect(first.steps.map(\.seq) == [1, 2, 3])
        #expect(first.nextSeq == 4)
        let second = try harness.state.listSteps(ListStepsQuery(runID: runID, fromSeq: first.nextSeq, limit: 3)).get()
        #expect(second.steps.map(\.seq) == [4, 5, 6])
        #expect(second.nextSeq == 7)
        let last = try harness.state.listSteps(ListStepsQuery(runID: runID, fromSeq: second.nextSeq, limit: 3)).get()
        #expect(last.steps.map(\.seq) == [7])
        #expect(last.nextSeq == 0)
        let all = try harness.state.listSteps(ListStepsQuery(runID: runID)).get()
        #expect(all.steps.count == 7)
        #expect(all.nextSeq == 0)
        let beyond = try harness.state.listSteps(ListStepsQuery(runID: runID, fromSeq: 8)).get()
        #expect(beyond.steps.isEmpty)
        #expect(beyond.nextSeq == 0)
        #expect(harness.state.listSteps(ListStepsQuery(runID: "missing")).failure?.code == .notFound)
    }
}
