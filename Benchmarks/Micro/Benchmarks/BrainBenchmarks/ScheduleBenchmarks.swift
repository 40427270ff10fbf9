import Benchmark
import BrainCore
import BrainProtocol

// Issue #14's bound: next_run_at for 100,000 schedules after their project's time zone
// changes, in under a second. One operation per sample is one whole recompute (the
// `updateProject` command that changes the zone), alternating between two zones so that
// every sample moves every cron schedule.

enum ScheduleFixture {
    static let count = 100_000
    /// A mix of what beat and crontab files hold: fixed times, steps, weekday and month
    /// restrictions, nicknames; one schedule in ten an interval.
    static let expressions = [
        "0 3 * * *", "*/15 * * * *", "30 2 * * 0", "0 0 1 * *", "45 23 * * 1-5", "@hourly", "0 12 15 6 *", "5 4 * * SUN",
        "0 9-17 * * mon-fri", "15,45 * * * *",
    ]

    /// A state whose project `bench` holds `count` schedules reported by one agent.
    static func state() -> BrainState {
        var state = BrainState()
        guard case .project(.success) = state.apply(.createProject(name: "bench", settings: ProjectSettings()), now: Fixture.now) else {
            fatalError("the project was refused")
        }
        let hello = Hello(agentName: "beat", project: "bench", token: "", frameworkAdapter: "celery")
        guard case .hello(.success(let welcomed)) = state.apply(.hello(hello, tokenHash: "hash", connection: nil), now: Fixture.now) else {
            fatalError("hello was refused")
        }
        let reports = (0..<count).map { index in
            index % 10 == 9
                ? ReportedSchedule(scheduler: "beat", name: "s\(index)", task: "app.tick", type: .interval, expression: "\(60 + index % 3_600)")
                : ReportedSchedule(scheduler: "beat", name: "s\(index)", task: "app.report", type: .cron, expression: expressions[index % expressions.count])
        }
        let listing = ReportedScheduleListing(seq: 1, scheduler: "beat", reports: reports, complete: true)
        let command = state.scheduleListingCommand(listing, agentID: welcomed.agent.agentID)
        _ = state.apply(command, now: Fixture.now)
        precondition(state.schedules.count == count, "\(state.schedules.count) schedules held, want \(count)")
        return state
    }
}

func scheduleBenchmarks() {
    Benchmark(
        "Schedules.recompute100k.zoneChange",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, warmupIterations: 1, scalingFactor: .one,
            maxDuration: .seconds(20), maxIterations: 10,
            thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100])]
        )
    ) { benchmark in
        // Built here, not at registration, so that other benchmarks do not pay for it.
        var state = ScheduleFixture.state()
        let zones = ["Europe/Riga", "America/New_York"]
        var now = Fixture.now
        // A first change outside the clock: the state is then uniquely owned, and the zones
        // alternate from a known one.
        _ = state.apply(.updateProject(name: "bench", settings: ProjectSettings(timeZone: zones[1])), now: now)
        for index in benchmark.scaledIterations {
            now += 1_000_000_000
            benchmark.startMeasurement()
            let outcome = state.apply(.updateProject(name: "bench", settings: ProjectSettings(timeZone: zones[index % 2])), now: now)
            benchmark.stopMeasurement()
            guard case .project(.success) = outcome else { fatalError("the zone change was refused: \(outcome)") }
        }
        blackHole(state.revision)
    }
}
