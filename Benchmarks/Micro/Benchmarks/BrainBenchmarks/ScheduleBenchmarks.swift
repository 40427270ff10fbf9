import Benchmark
import BrainCore
import BrainProtocol

// Issue #14's bounds: next_run_at for 100,000 schedules after their project's time zone
// changes, in under a second, without stalling ingestion. The zone change marks the schedules
// pending; batches of 2,000 (ScheduleRecompute.defaultBatch) predict them, one per event-loop
// turn on the server, reads in between. The figures: the change command itself, one batch
// and the first batch (the longest the loop is held), the whole recompute (the change and
// every batch), and their anchor, the all-at-once recompute the change did before (the whole
// stall then). The zones alternate between two, so that every recompute moves every
// fixed-time cron schedule.

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

/// The 100,000 schedules held across samples and changed in place: a copy of the state would
/// copy its records at the first change, inside the measurement. Built at first use, so other
/// benchmarks do not pay for it; benchmarks run one after the other, never at once.
final class ScheduleBench: @unchecked Sendable {
    static let shared = ScheduleBench()
    static let zones = ["Europe/Riga", "America/New_York"]

    var state = ScheduleFixture.state()
    var changes = 0
    var now = Fixture.now

    /// The command that moves project `bench` to the other zone.
    func nextChange() -> BrainCommand {
        changes += 1
        now += 1_000_000_000
        return .updateProject(name: "bench", settings: ProjectSettings(timeZone: Self.zones[changes % 2]))
    }

    /// Applies every pending batch, unmeasured.
    func finish() {
        while let batch = state.dueScheduleRecompute() { _ = state.apply(.recomputeNextRuns(batch), now: now) }
    }
}

func scheduleBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .milliseconds, warmupIterations: 1, scalingFactor: .one,
        maxDuration: .seconds(20), maxIterations: 10,
        thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100])]
    )

    let microseconds = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 1, scalingFactor: .one,
        maxDuration: .seconds(20), maxIterations: 10,
        thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100])]
    )

    // The zone change command alone: it predicts nothing, it marks the schedules pending.
    Benchmark("Schedules.recompute100k.zoneChange", configuration: microseconds) { benchmark in
        let bench = ScheduleBench.shared
        for _ in benchmark.scaledIterations {
            bench.finish()
            let command = bench.nextChange()
            benchmark.startMeasurement()
            let outcome = bench.state.apply(command, now: bench.now)
            benchmark.stopMeasurement()
            guard case .project(.success) = outcome else { fatalError("the zone change was refused: \(outcome)") }
        }
        blackHole(bench.state.revision)
    }

    // One batch as the server applies it (found, then applied): ingestion waits for this at
    // most. 50 samples are one whole recompute; its first batch also copies the pending set
    // (shared with the project's index until then), so the highest percentiles show that one.
    Benchmark(
        "Schedules.recompute100k.batch",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 0, scalingFactor: .one,
            maxDuration: .seconds(20), maxIterations: 500,
            thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 100, .p75: 100, .p90: 100])]
        )
    ) { benchmark in
        let bench = ScheduleBench.shared
        for _ in benchmark.scaledIterations {
            if !bench.state.hasPendingScheduleRecompute { _ = bench.state.apply(bench.nextChange(), now: bench.now) }
            benchmark.startMeasurement()
            guard let batch = bench.state.dueScheduleRecompute() else { fatalError("nothing pending after a zone change") }
            let outcome = bench.state.apply(.recomputeNextRuns(batch), now: bench.now)
            benchmark.stopMeasurement()
            guard outcome.changedState else { fatalError("the batch changed nothing") }
        }
        blackHole(bench.state.revision)
    }

    // The first batch after a change alone: it also copies the pending set, which shares its
    // storage with the project's index until then, so it is the longest.
    Benchmark("Schedules.recompute100k.firstBatch", configuration: microseconds) { benchmark in
        let bench = ScheduleBench.shared
        for _ in benchmark.scaledIterations {
            bench.finish()
            _ = bench.state.apply(bench.nextChange(), now: bench.now)
            benchmark.startMeasurement()
            guard let batch = bench.state.dueScheduleRecompute() else { fatalError("nothing pending after a zone change") }
            let outcome = bench.state.apply(.recomputeNextRuns(batch), now: bench.now)
            benchmark.stopMeasurement()
            guard outcome.changedState else { fatalError("the batch changed nothing") }
        }
        blackHole(bench.state.revision)
    }

    // The whole recompute: the change and every batch, back to back (the "under 1 s").
    Benchmark("Schedules.recompute100k.full", configuration: configuration) { benchmark in
        let bench = ScheduleBench.shared
        for _ in benchmark.scaledIterations {
            bench.finish()
            let command = bench.nextChange()
            benchmark.startMeasurement()
            _ = bench.state.apply(command, now: bench.now)
            var batches = 0
            while let batch = bench.state.dueScheduleRecompute() {
                _ = bench.state.apply(.recomputeNextRuns(batch), now: bench.now)
                batches += 1
            }
            benchmark.stopMeasurement()
            guard batches == 50 else { fatalError("\(batches) batches, want 50") }
        }
        blackHole(bench.state.revision)
    }

    // The anchor: the same recompute all at once, as the zone change did before the batches
    // (BrainState.recomputeNextRuns, kept as the batches' reference), in the same run.
    Benchmark("Schedules.recompute100k.allAtOnce", configuration: configuration) { benchmark in
        let bench = ScheduleBench.shared
        for _ in benchmark.scaledIterations {
            bench.finish()
            let command = bench.nextChange()
            _ = bench.state.apply(command, now: bench.now)
            benchmark.startMeasurement()
            let moved = bench.state.recomputeNextRuns(project: "bench", now: bench.now)
            benchmark.stopMeasurement()
            guard moved > 0 else { fatalError("the recompute moved nothing") }
        }
        blackHole(bench.state.revision)
    }
}
