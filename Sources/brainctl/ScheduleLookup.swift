import ArgumentParser
import BrainCommandLine
import BrainProtocol

/// Finds the schedule `SCHEDULER/NAME` or `NAME` names.
enum ScheduleLookup {
    static func find(_ target: ScheduleCommand.Target, common: CommonOptions) async throws -> ScheduleInfo {
        // The brain filters by name (and scheduler), so this never pages through every
        // schedule: NAME as a whole, and SCHEDULER/NAME split at its first slash.
        var matches = try await schedules(named: target.schedule, scheduler: "", project: target.project, common: common)
        if let slash = target.schedule.firstIndex(of: "/") {
            let scheduler = String(target.schedule[..<slash])
            let name = String(target.schedule[target.schedule.index(after: slash)...])
            matches += try await schedules(named: name, scheduler: scheduler, project: target.project, common: common)
        }
        // SCHEDULER/NAME is exact; it wins over a schedule whose name contains the slash.
        let exact = matches.filter { "\($0.scheduler)/\($0.name)" == target.schedule }
        if exact.count == 1 { return exact[0] }
        guard let first = matches.first else {
            let scope = target.project.map { "project \($0)" } ?? "any project"
            Console.error("brainctl: NOT_FOUND: no schedule \(target.schedule) in \(scope); brainctl schedules lists them")
            throw ExitCode(1)
        }
        guard matches.count == 1 else {
            let names = matches.map { "\($0.project): \($0.scheduler)/\($0.name)" }.joined(separator: ", ")
            Console.error("brainctl: INVALID_ARGUMENT: \(target.schedule) names \(matches.count) schedules (\(names)); give SCHEDULER/NAME and --project")
            throw ExitCode(1)
        }
        return first
    }

    /// Every schedule with this name (of this scheduler, when not ""), over all pages.
    private static func schedules(named name: String, scheduler: String, project: String?, common: CommonOptions) async throws -> [ScheduleInfo] {
        var found: [ScheduleInfo] = []
        var query = ListSchedulesQuery()
        query.project = project ?? ""
        query.name = name
        query.scheduler = scheduler
        query.limit = 1_000
        repeat {
            let result = try await common.once(.listSchedules(query))
            guard case .schedules(let page) = result else { throw unexpected(result) }
            found += page.schedules
            query.cursor = page.nextCursor
        } while !query.cursor.isEmpty
        return found
    }
}
