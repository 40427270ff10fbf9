import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol
import Histogram
import NIOCore
import NIOPosix

/// `brain-bench rpc`: query calls per second and their latency.
struct RPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Measure calls/s and latency of GetRun, ListRuns or Stats.",
        discussion: """
            C loops, each on its own connection, issue one call at a time for the duration. \
            GetRun without --run-id asks for the newest run (ListRuns) first.
            """
    )

    enum Method: String, ExpressibleByArgument, CaseIterable {
        case getRun = "GetRun"
        case listRuns = "ListRuns"
        case stats = "Stats"
    }

    @Option(help: "The brain's Unix socket. [env: BRAIN_SOCKET] (default: the brain's default socket)") var socket: String?
    @Option(help: "GetRun, ListRuns or Stats.") var method: Method
    @Option(help: "Concurrent callers.") var concurrency: Int = 1
    @Option(help: "How long to call, e.g. 5s or 500ms.") var duration: String = "5s"
    @Option(help: "The run GetRun asks for (default: the newest run).") var runId: String?
    @Option(help: "Page size of ListRuns (0 = the brain's default).") var limit: UInt32 = 0
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        guard concurrency >= 1, concurrency <= 1000 else { fail("--concurrency must be between 1 and 1000") }
        guard let seconds = DurationText.seconds(duration), seconds > 0 else {
            fail("--duration \(duration) is not a positive duration like 5s or 500ms")
        }
        let socketPath = socket ?? DefaultPaths.socket
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { Task { try? await group.shutdownGracefully() } }
        var connections: [BrainConnection] = []
        for _ in 0..<concurrency {
            do {
                connections.append(try await BrainConnection.connect(socketPath: socketPath, group: group))
            } catch {
                fail(error.message)
            }
        }
        let request = await self.request(using: connections[0])
        let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
        let start = MonotonicClock.now()
        let outcomes = await withTaskGroup(of: CallerOutcome.self) { tasks in
            for connection in connections {
                tasks.addTask { await Self.callLoop(connection, request, until: deadline) }
            }
            var all: [CallerOutcome] = []
            for await outcome in tasks { all.append(outcome) }
            return all
        }
        let elapsed = MonotonicClock.seconds(from: start, to: MonotonicClock.now())
        for connection in connections { await connection.close() }
        var histogram = LatencySummary.makeHistogram()
        var calls = 0
        var errors = 0
        var firstError: String?
        for outcome in outcomes {
            histogram.add(outcome.latency)
            calls += outcome.calls
            errors += outcome.errors
            if firstError == nil { firstError = outcome.firstError }
        }
        if calls == 0, let firstError { fail("every \(method.rawValue) call failed: \(firstError)") }
        let latency = LatencySummary(histogram)
        let rate = elapsed > 0 ? Double(calls) / elapsed : 0
        if json {
            Console.line(
                JSONOut.object([
                    ("method", .string(method.rawValue)),
                    ("calls", .int(calls)),
                    ("errors", .int(errors)),
                    ("seconds", .double(elapsed, decimals: 4)),
                    ("calls_per_s", .double(rate, decimals: 1)),
                    ("latency_us", latency.json),
                    ("concurrency", .int(concurrency)),
                ]).text)
        } else {
            Console.line(
                """
                \(method.rawValue): \(Format.grouped(calls)) calls from \(concurrency) callers in \(Format.seconds(elapsed))
                  calls/s   \(Format.rate(rate))
                  latency   \(latency.text)
                  errors    \(errors)\(firstError.map { " (first: \($0))" } ?? "")
                """)
        }
    }

    private struct CallerOutcome: Sendable {
        var calls = 0
        var errors = 0
        var firstError: String?
        var latency = LatencySummary.makeHistogram()
    }

    private static func callLoop(_ connection: BrainConnection, _ request: BrainRequest.Method, until deadline: UInt64) async -> CallerOutcome {
        var outcome = CallerOutcome()
        while true {
            let before = MonotonicClock.now()
            guard before < deadline else { break }
            do {
                _ = try await connection.call(request)
                let after = MonotonicClock.now()
                outcome.latency.record((after - before) / 1000)
                outcome.calls += 1
            } catch {
                outcome.errors += 1
                if outcome.firstError == nil { outcome.firstError = error.description }
                if !connection.isActive { break }
            }
        }
        return outcome
    }

    /// The call to repeat; for GetRun without --run-id, the newest run.
    private func request(using connection: BrainConnection) async -> BrainRequest.Method {
        switch method {
        case .stats:
            return .getStats
        case .listRuns:
            var query = ListRunsQuery()
            query.limit = limit
            return .listRuns(query)
        case .getRun:
            if let runId { return .getRun(GetRunQuery(runID: runId)) }
            var query = ListRunsQuery()
            query.limit = 1
            let result: BrainResponse.Result
            do {
                result = try await connection.call(.listRuns(query))
            } catch {
                fail("cannot list runs to pick one for GetRun: \(error)")
            }
            guard case .runs(let list) = result, let newest = list.runs.first else {
                fail("the brain holds no runs; replay a recording first or pass --run-id")
            }
            return .getRun(GetRunQuery(runID: newest.runID))
        }
    }
}
