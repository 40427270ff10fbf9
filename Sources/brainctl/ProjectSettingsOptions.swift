import ArgumentParser
import BrainCommandLine
import BrainProtocol

/// The settings `project create` and `project update` take. `update` changes only what is
/// given (it reads the project, changes it, and writes the whole back).
struct ProjectSettingsOptions: ParsableArguments {
    @Option(help: "IANA time zone the project's schedules are read in, like Europe/Riga. (default when created: UTC)") var timeZone: String?
    @Option(help: "Keep finished runs and their steps this long (30d, 12h, ...; forever; 0 is the default). (default when created: 30d)")
    var retentionRuns: String?
    @Option(help: "Keep finished tasks this long. (default when created: 30d)") var retentionTasks: String?
    @Option(help: "Keep task events this long. (default when created: 30d)") var retentionTaskEvents: String?
    @Option(help: "Keep persistence-error rows this long. (default when created: 30d)") var retentionSinkRows: String?
    @Option(help: "A key pattern to redact on top of the brain's list (pin, *_pin, x_*_sig); repeatable.") var redactKey: [String] = []
    @Option(help: "A key never redacted by name (its value is still scanned); repeatable.") var allowKey: [String] = []
    @Flag(inversion: .prefixedNo, help: "Redact step input and output too (task args and kwargs always are).") var redactSteps: Bool?

    func validate() throws {
        for (option, value) in retentions { if let value { _ = try Self.retention(value, option) } }
    }

    private var retentions: [(String, String?)] {
        [
            ("--retention-runs", retentionRuns), ("--retention-tasks", retentionTasks), ("--retention-task-events", retentionTaskEvents),
            ("--retention-sink-rows", retentionSinkRows),
        ]
    }

    /// Nanoseconds on the wire: `forever` is `Int64.max`, 0 the brain's default.
    static func retention(_ text: String, _ option: String) throws -> Int64 {
        if text == "forever" { return Int64.max }
        guard let seconds = DurationText.seconds(text) else {
            throw ValidationError("\(option) \(text) is not a duration; use e.g. 12h, 30d, forever, or 0 for the default")
        }
        guard seconds * 1e9 < Double(Int64.max) else { throw ValidationError("\(option) \(text) is longer than forever; use forever") }
        return Int64(seconds * 1e9)
    }

    /// `settings` with the options given applied (lists are added to, duplicates skipped).
    func applied(to settings: WireProjectSettings, removingKeys: [String] = [], removingAllowed: [String] = []) throws -> WireProjectSettings {
        var settings = settings
        if let timeZone { settings.timeZone = timeZone }
        var retention = settings.retention ?? WireRetentionSettings()
        if let value = retentionRuns { retention.runsNs = try Self.retention(value, "--retention-runs") }
        if let value = retentionTasks { retention.tasksNs = try Self.retention(value, "--retention-tasks") }
        if let value = retentionTaskEvents { retention.taskEventsNs = try Self.retention(value, "--retention-task-events") }
        if let value = retentionSinkRows { retention.sinkRowsNs = try Self.retention(value, "--retention-sink-rows") }
        settings.retention = retention
        settings.extraKeyPatterns = Self.merged(settings.extraKeyPatterns, adding: redactKey, removing: removingKeys)
        settings.allowedKeys = Self.merged(settings.allowedKeys, adding: allowKey, removing: removingAllowed)
        if let redactSteps { settings.redactSteps = redactSteps }
        return settings
    }

    private static func merged(_ list: [String], adding: [String], removing: [String]) -> [String] {
        var result = list.filter { !removing.contains($0) }
        for value in adding where !result.contains(value) { result.append(value) }
        return result
    }
}
